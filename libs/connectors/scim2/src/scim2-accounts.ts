import { UpstreamRejectedError, UpstreamUnavailableError, ValidationError } from '@provisioning/errors';
import { provisionOneByOne } from '@provisioning/connector-kit';
import type {
  AccountPage,
  BatchCallOptions,
  BatchOutcome,
  CallOptions,
  ListAccountsRequest,
  ProvisioningOperation,
  ProvisioningResult,
  RemoteAccount,
  RemoteCallRecord,
} from '@provisioning/connector-kit';
import { idOf } from './resource-writer';
import { credentialKeys } from './scim2-auth';
import type { Scim2Client, ScimMethod } from './scim2-client';
import type { Scim2Config } from './scim2-config';
import { errorForStatus, scimErrorOf } from './scim2-errors';
import { mappingError, updateChanges } from './scim2-users';
import type { ScimUsers } from './scim2-users';
import { patchBody, redacted } from './scim-changes';
import { buildUserResource } from './scim-user-body';
import { readUserAttribute } from './scim-user-read';
import type { ServiceProviderConfigCache, ServiceProviderFeatures } from './service-provider-config';

type Json = Record<string, unknown>;

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
/** Users per listing page when the engine does not say. */
export const DEFAULT_PAGE_SIZE = 200;
/** Operations per Bulk request when the target states no `bulk.maxOperations`. */
export const DEFAULT_BULK_OPERATIONS = 100;
/** A cursor is the next `startIndex`: a positive whole number. */
const CURSOR = /^[1-9]\d{0,14}$/;
/** Listings whose last page's ids are kept (a target that ignores `startIndex` repeats them). */
const REMEMBERED_PAGES = 8;
/** The Bulk request around its operations, in bytes (schemas, brackets), when sizing requests. */
const ENVELOPE_BYTES = 128;
/** Room per create for the default password, which is measured redacted (it is revealed only on the wire). */
const PASSWORD_BYTES = 1024;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a listing and a batch need of the connector besides HTTP: the single-operation path. */
export interface AccountsHost {
  config: Scim2Config;
  client: Scim2Client;
  spc: ServiceProviderConfigCache;
  users: ScimUsers;
  /** One operation as `provision` does it (searches, links, PUT without PATCH). */
  single(operation: ProvisioningOperation, options: CallOptions): Promise<ProvisioningResult>;
}

/** One operation of a Bulk request, and where its outcome goes. */
interface BulkPart {
  index: number;
  operation: ProvisioningOperation;
  /** The RFC 7644 3.7 operation as sent (a password stays a `Secret` until the wire). */
  part: { method: ScimMethod; path: string; bulkId: string; data?: Json };
  /** For creates: the userName claimed. */
  userName?: string;
  /** Estimated bytes on the wire. */
  size: number;
}

/** A result of a Bulk response (RFC 7644 3.7.3). */
interface BulkResult {
  bulkId?: unknown;
  method?: unknown;
  location?: unknown;
  status?: unknown;
  response?: unknown;
}

/** `status` is a string in RFC 7644 ("201"); some targets send a number or SCIM 1.1's `{ code }`. */
function statusOf(result: BulkResult | undefined): number | undefined {
  const raw = isObject(result?.status) ? (result.status as { code?: unknown }).code : result?.status;
  const n = typeof raw === 'string' && /^\s*\d{3}\s*$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

/** The id at the end of a created resource's `location` (`.../Users/{id}`). */
function idFromLocation(location: unknown): string | undefined {
  if (typeof location !== 'string') return undefined;
  const match = /\/Users\/([^/?#]+)\/?(?:[?#].*)?$/.exec(location);
  if (!match) return undefined;
  try {
    const id = decodeURIComponent(match[1]!);
    return id === '' ? undefined : id;
  } catch {
    return undefined;
  }
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/**
 * Listing (RFC 7644 3.4.2.4 paging) and batched delivery (RFC 7644 3.7 Bulk) of users. A listing
 * remembers the ids of the last pages it handed a cursor out for, so a target that ignores
 * `startIndex` (and answers the same page again) ends the listing instead of looping.
 */
export class ScimAccounts {
  readonly #lastPages = new Map<string, Set<string>>();

  constructor(private readonly host: AccountsHost) {}

  async list(request: ListAccountsRequest, options: CallOptions): Promise<AccountPage> {
    const cursor = request.cursor;
    if (cursor !== undefined && !CURSOR.test(cursor)) throw new ValidationError('the listing cursor is not a SCIM startIndex (a positive whole number)');
    const startIndex = cursor === undefined ? 1 : Number(cursor);
    const features = await this.host.spc.get(options);
    const wanted = request.pageSize !== undefined && Number.isFinite(request.pageSize) && request.pageSize >= 1 ? Math.floor(request.pageSize) : DEFAULT_PAGE_SIZE;
    const count = Math.max(1, Math.min(wanted, features.maxResults ?? wanted));
    const response = await this.host.client.send({ method: 'GET', url: `${this.host.config.usersUrl}?startIndex=${startIndex}&count=${count}` }, options);
    const body = isObject(response.body) ? response.body : {};
    const resources = Array.isArray(body.Resources) ? body.Resources.filter(isObject) : [];

    // Ids the previous page (the one this cursor came from) already listed: a target that ignores
    // startIndex answers with them again; a user added meanwhile shifts one of them onto this page.
    const previous = cursor === undefined ? undefined : this.#lastPages.get(cursor);
    const ids = new Set<string>();
    const accounts: RemoteAccount[] = [];
    for (const resource of resources) {
      const id = idOf(resource);
      if (!id || ids.has(id)) continue;
      ids.add(id);
      if (previous?.has(id)) continue;
      accounts.push(accountOf(id, resource, request.fields));
    }

    const total = typeof body.totalResults === 'number' ? body.totalResults : undefined;
    const next = startIndex + resources.length;
    const done =
      resources.length === 0 ||
      // Every remaining resource was on this page (also: a target that ignores paging returns all at once).
      (total !== undefined && next > total) ||
      // Nothing new: the same ids again.
      (previous !== undefined && accounts.length === 0);
    if (done) return { accounts };
    const nextCursor = String(next);
    this.#lastPages.delete(nextCursor);
    this.#lastPages.set(nextCursor, ids);
    while (this.#lastPages.size > REMEMBERED_PAGES) this.#lastPages.delete(this.#lastPages.keys().next().value!);
    return { accounts, cursor: nextCursor };
  }

  /**
   * Delivers operations in Bulk requests when the target supports Bulk (at most its `maxOperations`
   * and `maxPayloadSize` per request, `failOnErrors` unset so each operation stands alone), else one
   * by one. Operations Bulk cannot express as the single path would (a deprovision that must look
   * the user up, writes to a target without PATCH, an operation larger than the payload limit) and
   * creates refused with 409 (the user exists: the single path finds and links it) go through the
   * single-operation path.
   */
  async batch(operations: readonly ProvisioningOperation[], options: BatchCallOptions): Promise<BatchOutcome[]> {
    const perOperation = (index: number): CallOptions => ({
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.record ? { record: (call: RemoteCallRecord) => options.record!(index, call) } : {}),
      ...(options.assertLinkable ? { assertLinkable: (remote: { remoteId?: string; remoteName?: string }) => options.assertLinkable!(index, remote) } : {}),
    });
    if (operations.length === 0) return [];
    let features: ServiceProviderFeatures;
    try {
      // A shared call: in every operation's log.
      features = await this.host.spc.get({
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.record ? { record: (call: RemoteCallRecord) => operations.forEach((_, index) => options.record!(index, call)) } : {}),
      });
    } catch (error) {
      return operations.map(() => ({ ok: false, error }));
    }
    if (!features.bulk) return provisionOneByOne(operations, (operation, index) => this.host.single(operation, perOperation(index)));

    const outcomes: Array<BatchOutcome | undefined> = new Array(operations.length).fill(undefined);
    const parts: BulkPart[] = [];
    const singles: number[] = [];
    const maxPayload = features.bulk.maxPayloadSize;
    for (const [index, operation] of operations.entries()) {
      try {
        const prepared = await this.prepare(operation, index, features, options);
        if (prepared === 'single') singles.push(index);
        else if ('ok' in prepared) outcomes[index] = prepared;
        else if (maxPayload !== undefined && prepared.size + ENVELOPE_BYTES > maxPayload) singles.push(index);
        else parts.push(prepared);
      } catch (error) {
        outcomes[index] = { ok: false, error };
      }
    }

    const conflicts: BulkPart[] = [];
    for (const request of requests(parts, Math.min(features.bulk.maxOperations ?? DEFAULT_BULK_OPERATIONS, DEFAULT_BULK_OPERATIONS), maxPayload)) {
      conflicts.push(...(await this.send(request, options, outcomes)));
    }
    const settle = async (index: number, run: () => Promise<ProvisioningResult>): Promise<void> => {
      try {
        outcomes[index] = { ok: true, result: await run() };
      } catch (error) {
        outcomes[index] = { ok: false, error };
      }
    };
    // The userName exists (409): the single create path finds that user and, once the engine agrees, links it.
    for (const p of conflicts) await settle(p.index, () => this.host.users.create(p.operation, perOperation(p.index)));
    for (const index of singles) await settle(index, () => this.host.single(operations[index]!, perOperation(index)));
    return outcomes.map((o) => o ?? { ok: false, error: new UpstreamUnavailableError('the operation was not attempted', { outcomeUnknown: false }) });
  }

  /** The Bulk operation for one provisioning operation, its outcome without a call, or 'single'. */
  private async prepare(operation: ProvisioningOperation, index: number, features: ServiceProviderFeatures, options: BatchCallOptions): Promise<BulkPart | BatchOutcome | 'single'> {
    const { config } = this.host;
    const bulkId = `op${index + 1}`;
    const userPath = (id: string) => `/Users/${encodeURIComponent(id)}`;
    const part = (method: ScimMethod, path: string, data?: Json, userName?: string): BulkPart => {
      const sent = { method, path, bulkId, ...(data ? { data } : {}) };
      const password = method === 'POST' && config.defaultPassword ? PASSWORD_BYTES : 0;
      return { index, operation, part: sent, ...(userName === undefined ? {} : { userName }), size: Buffer.byteLength(JSON.stringify(sent)) + password };
    };
    switch (operation.kind) {
      case 'create': {
        const mapped = buildUserResource(operation.allAttributes, { defaultUserName: operation.username, password: config.defaultPassword });
        if (mapped.problems.length > 0) throw mappingError(mapped.problems);
        const userName = String(mapped.resource.userName);
        await options.assertLinkable?.(index, { remoteName: userName });
        return part('POST', '/Users', mapped.resource, userName);
      }
      case 'update': {
        const remoteId = operation.remoteId;
        if (!remoteId) throw new ValidationError('update without a remote id');
        const changes = updateChanges(operation);
        if (changes.length === 0) return { ok: true, result: { outcome: 'unchanged', remoteId, note: 'no changed attribute maps to a SCIM attribute' } };
        return features.patch ? part('PATCH', userPath(remoteId), patchBody(changes)) : 'single';
      }
      case 'deprovision': {
        const remoteId = operation.remoteId;
        // Without a stored id the user is looked up by userName (and the engine asked): the single path.
        if (!remoteId) return 'single';
        if (config.deprovision === 'DELETE') return part('DELETE', userPath(remoteId));
        return features.patch ? part('PATCH', userPath(remoteId), patchBody([{ path: 'active', value: false }])) : 'single';
      }
    }
  }

  /** One Bulk request; fills `outcomes` and returns the creates refused with 409 (for the single path). */
  private async send(parts: readonly BulkPart[], options: BatchCallOptions, outcomes: Array<BatchOutcome | undefined>): Promise<BulkPart[]> {
    const { config, client } = this.host;
    const bulkPath = pathOf(config.bulkUrl);
    const calls: RemoteCallRecord[] = [];
    const body = { schemas: [BULK_REQUEST], Operations: parts.map((p) => p.part) };
    const log = (p: BulkPart, facts: Partial<RemoteCallRecord> = {}) => {
      for (const call of calls) options.record?.(p.index, { ...call, body: redacted(p.part), ...facts });
    };
    let response;
    try {
      response = await client.send(
        { method: 'POST', url: config.bulkUrl, body, logBody: { schemas: body.schemas, Operations: `${parts.length} operations` } },
        { ...(options.signal ? { signal: options.signal } : {}), record: (call) => calls.push(call) },
      );
    } catch (error) {
      // The request failed as a whole (network, 5xx, 413 ...): each operation fails with it and retries.
      for (const p of parts) {
        log(p);
        outcomes[p.index] = { ok: false, error };
      }
      return [];
    }

    const results = isObject(response.body) && Array.isArray(response.body.Operations) ? (response.body.Operations as unknown[]).filter(isObject) : [];
    const byBulkId = new Map(results.filter((r) => typeof r.bulkId === 'string').map((r) => [r.bulkId as string, r as BulkResult] as const));
    const conflicts: BulkPart[] = [];
    for (const [i, p] of parts.entries()) {
      // By bulkId; a target that drops bulkIds answers in order (RFC 7644 3.7.3 keeps the order).
      const positional = results[i] as BulkResult | undefined;
      const result = byBulkId.get(p.part.bulkId) ?? (positional && positional.bulkId === undefined ? positional : undefined);
      const status = statusOf(result);
      const where = `${p.part.path} (operation ${i + 1} of POST ${bulkPath})`;
      const what = `${p.part.method} ${where}`;
      if (status === undefined) {
        log(p, { remoteMessage: 'no result for this operation' });
        outcomes[p.index] = { ok: false, error: new UpstreamUnavailableError(`${what}: the SCIM target returned no result for it; the outcome is unknown`, { outcomeUnknown: true }) };
        continue;
      }
      const { scimType, detail } = status >= 300 ? scimErrorOf(result?.response) : {};
      log(p, { status, ...(status >= 300 ? { remoteCode: scimType ?? `HTTP_${status}`, ...(detail ? { remoteMessage: detail } : {}) } : {}) });
      try {
        const settled = this.settle(p, status, result!, where, response.headers);
        if (settled === 'conflict') conflicts.push(p);
        else outcomes[p.index] = { ok: true, result: settled };
      } catch (error) {
        outcomes[p.index] = { ok: false, error };
      }
    }
    return conflicts;
  }

  /** The result of one Bulk operation from its status (RFC 7644 3.7.3), as the single path would report it. */
  private settle(p: BulkPart, status: number, result: BulkResult, where: string, headers: Headers): ProvisioningResult | 'conflict' {
    const { operation } = p;
    const remoteId = operation.remoteId;
    const method = p.part.method;
    const what = `${method} ${where}`;
    if (method === 'POST' && status === 409) return 'conflict';
    if (status >= 200 && status < 300) {
      if (method === 'POST') {
        const id = idOf(result.response) ?? idFromLocation(result.location);
        if (!id) {
          throw new UpstreamRejectedError(`${what}: the SCIM target created "${p.userName}" (${status}) but returned no id or location, so later updates could not reach it`, {
            status,
            remoteCode: 'NO_ID',
          });
        }
        return { outcome: 'created', remoteId: id, remoteName: p.userName! };
      }
      if (operation.kind === 'update') return { outcome: 'updated', remoteId: remoteId! };
      return { outcome: 'deprovisioned', remoteId: remoteId!, ...(method === 'DELETE' ? { note: 'deleted' } : {}) };
    }
    if (status === 404) {
      if (operation.kind === 'deprovision') {
        return { outcome: 'unchanged', remoteId: remoteId!, note: method === 'DELETE' ? 'the SCIM user was already deleted' : 'the SCIM user no longer exists on the target' };
      }
      if (operation.kind === 'update') {
        throw new UpstreamRejectedError(`The SCIM user ${remoteId} no longer exists on the target (404); it was deleted there`, { status: 404, remoteCode: 'HTTP_404' });
      }
    }
    // 4xx rejected with the target's scimType/detail, 429 throttled, 5xx unavailable: as a single call.
    throw errorForStatus({ method, path: where, credentialKeys: credentialKeys(this.host.config.auth) }, status, result.response, headers);
  }
}

/** Splits Bulk operations into requests of at most `maxOperations` operations and `maxPayload` bytes. */
function requests(parts: readonly BulkPart[], maxOperations: number, maxPayload: number | undefined): BulkPart[][] {
  const result: BulkPart[][] = [];
  let current: BulkPart[] = [];
  let size = ENVELOPE_BYTES;
  for (const p of parts) {
    if (current.length > 0 && (current.length >= maxOperations || (maxPayload !== undefined && size + p.size + 1 > maxPayload))) {
      result.push(current);
      current = [];
      size = ENVELOPE_BYTES;
    }
    current.push(p);
    size += p.size + 1;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** A listed SCIM User: id, userName, active (anything but `false` is active) and the requested fields. */
function accountOf(id: string, resource: Json, fields: readonly string[]): RemoteAccount {
  const active = resource.active;
  return {
    remoteId: id,
    remoteName: typeof resource.userName === 'string' ? resource.userName : '',
    active: active !== false && !(typeof active === 'string' && active.trim().toLowerCase() === 'false'),
    attributes: Object.fromEntries(fields.map((f) => [f, readUserAttribute(resource, f)])),
  };
}
