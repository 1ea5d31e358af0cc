import { UpstreamUnavailableError, ValidationError } from '@provisioning/errors';
import type {
  AccountPage,
  BatchCallOptions,
  BatchOutcome,
  CallOptions,
  DescribedAccount,
  ListAccountsRequest,
  ProvisioningOperation,
  ProvisioningResult,
  RemoteAccount,
  RemoteCallRecord,
} from '@provisioning/connector-kit';
import type { SalesforceConfig } from './salesforce-config';
import type { SalesforceSession } from './salesforce-session';
import { remoteCodeOf, toProvisioningError } from './salesforce-errors';
import { soqlString } from './user-record';

/** sObject Collections take at most 200 records per call, from API v42.0. */
export const COLLECTION_LIMIT = 200;
const COLLECTIONS_FROM_VERSION = 42;
/** Salesforce's largest query page (`Sforce-Query-Options: batchSize`). */
const MAX_QUERY_BATCH = 2000;
const MIN_QUERY_BATCH = 200;
/** Ids per `UserLogin` lookup (keeps the SOQL in a GET well under URL limits). */
const LOGIN_LOOKUP_CHUNK = 300;
const FIELD = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
const NEXT_RECORDS = /^\/services\/data\/v\d+\.\d+\/query\/[A-Za-z0-9-]+$/;

interface QueryPage<T> {
  done: boolean;
  records: T[];
  nextRecordsUrl?: string;
}
export interface SaveResult {
  id?: string;
  success: boolean;
  errors?: Array<{ statusCode?: string; message?: string; fields?: string[] }>;
}

/** What batch delivery needs from the connector: records built its way, and the single-call path. */
export interface BatchHost {
  session: SalesforceSession;
  config: SalesforceConfig;
  /** The Salesforce record of an operation (as `provision` would send it). */
  record(operation: ProvisioningOperation, attributes: ProvisioningOperation['allAttributes']): Record<string, unknown>;
  /** One operation through the single-record path (freezes, lookups, API versions before v42.0). */
  single(operation: ProvisioningOperation, options: CallOptions): Promise<ProvisioningResult>;
  /** Adopts the existing user with this username (after DUPLICATE_USERNAME), once the engine agrees. */
  link(username: string, record: Record<string, unknown>, options: CallOptions): Promise<ProvisioningResult>;
}

/** Whether the configured API version has sObject Collections. */
export function hasCollections(config: SalesforceConfig): boolean {
  return Number.parseFloat(config.apiVersion) >= COLLECTIONS_FROM_VERSION;
}

/**
 * One page of the org's users: SOQL with `nextRecordsUrl` paging (the cursor). With freeze as the
 * deprovisioning mode, a frozen user counts as inactive (read from UserLogin, a query per 300 users).
 */
export async function listUserAccounts(host: BatchHost, request: ListAccountsRequest, options: CallOptions): Promise<AccountPage> {
  const match = host.config.matchField;
  const fields = [...new Set([...request.fields, ...(match === 'Username' ? [] : [match])])].filter((f) => !['Id', 'Username', 'IsActive'].includes(f));
  const bad = fields.filter((f) => !FIELD.test(f));
  if (bad.length > 0) throw new ValidationError(`not Salesforce field names: ${bad.map((f) => JSON.stringify(f.slice(0, 80))).join(', ')}`);
  let path: string;
  if (request.cursor) {
    if (!NEXT_RECORDS.test(request.cursor)) throw new ValidationError('the listing cursor is not a Salesforce nextRecordsUrl');
    path = request.cursor.replace(/^\/services\/data\/v\d+\.\d+/, '');
  } else {
    const soql = `SELECT ${['Id', 'Username', 'IsActive', ...fields].join(', ')} FROM User ORDER BY Id`;
    path = `/query?q=${encodeURIComponent(soql)}`;
  }
  const size = Math.min(MAX_QUERY_BATCH, Math.max(MIN_QUERY_BATCH, request.pageSize ?? MAX_QUERY_BATCH));
  const page = await host.session.call<QueryPage<Record<string, unknown>>>({ method: 'GET', path, headers: { 'Sforce-Query-Options': `batchSize=${size}` } }, options);
  const frozen = host.config.deprovisioningMode === 'freeze' ? await frozenUsers(host, page.records.map((r) => String(r.Id)), options) : new Set<string>();
  const accounts: RemoteAccount[] = page.records.map((r) => ({
    remoteId: String(r.Id),
    remoteName: String(r.Username ?? ''),
    active: r.IsActive === true && !frozen.has(String(r.Id)),
    attributes: Object.fromEntries(request.fields.map((f) => [f, fieldValue(r[f])])),
    ...(match === 'Username' ? {} : { matchKey: fieldValue(r[match]) }),
  }));
  return { accounts, ...(page.done || !page.nextRecordsUrl ? {} : { cursor: page.nextRecordsUrl }) };
}

/**
 * A User record as the listing would read it back: every written field as a string (or null), and
 * record ids in reference fields (`ProfileId`, `UserRoleId`, ...) in the 18-character form Salesforce
 * answers with (a configured 15-character id names the same record).
 */
export function describeUserAccount(record: Record<string, unknown>, matchField: 'Username' | 'FederationIdentifier' | 'Email' = 'Username'): DescribedAccount {
  const attributes = Object.fromEntries(
    Object.entries(record).map(([k, v]) => {
      const value = fieldValue(v);
      return [k, value !== null && k.endsWith('Id') && ID_15.test(value) ? (toId18(value) ?? value) : value];
    }),
  );
  return { remoteName: String(record.Username ?? ''), attributes, ...(matchField === 'Username' ? {} : { matchKey: fieldValue(record[matchField]) }) };
}

const ID_15 = /^[a-zA-Z0-9]{15}$/;
const ID_18 = /^[a-zA-Z0-9]{18}$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Salesforce's case-safe suffix of a 15-character id: one character per 5, encoding which are upper case. */
function idSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const code = id15.charCodeAt(chunk * 5 + i);
      if (code >= 65 && code <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/** A record id in the 18-character form Salesforce answers with (a 15-character id gets its suffix); undefined when not an id. */
export function toId18(id: string): string | undefined {
  if (!ID_15.test(id) && !ID_18.test(id)) return undefined;
  const head = id.slice(0, 15);
  return head + idSuffix(head);
}

/** Every record of a SOQL query, following `nextRecordsUrl` (only ever a relative query locator). */
export async function queryAll<T>(session: SalesforceSession, soql: string, options: CallOptions): Promise<T[]> {
  const records: T[] = [];
  let path: string | undefined = `/query?q=${encodeURIComponent(soql)}`;
  while (path) {
    const page: QueryPage<T> = await session.call<QueryPage<T>>({ method: 'GET', path }, options);
    records.push(...page.records);
    path = !page.done && page.nextRecordsUrl && NEXT_RECORDS.test(page.nextRecordsUrl) ? page.nextRecordsUrl.replace(/^\/services\/data\/v\d+\.\d+/, '') : undefined;
  }
  return records;
}

function fieldValue(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'string' ? value : String(value);
}

async function frozenUsers(host: BatchHost, userIds: readonly string[], options: CallOptions): Promise<Set<string>> {
  const frozen = new Set<string>();
  for (let i = 0; i < userIds.length; i += LOGIN_LOOKUP_CHUNK) {
    const ids = userIds.slice(i, i + LOGIN_LOOKUP_CHUNK).map(soqlString).join(', ');
    const logins = await queryAll<{ UserId: string }>(host.session, `SELECT UserId FROM UserLogin WHERE IsFrozen = true AND UserId IN (${ids})`, options);
    for (const r of logins) frozen.add(r.UserId);
  }
  return frozen;
}

/** One record of a collection call, and where its outcome goes. */
interface Pending {
  index: number;
  operation: ProvisioningOperation;
  record: Record<string, unknown>;
}

/**
 * Delivers operations with sObject Collections (`allOrNone=false`, at most 200 records per call):
 * creates in one POST, updates and deactivations in one PATCH, each record with its own outcome. A
 * create refused with DUPLICATE_USERNAME goes through the single path (which links to the existing
 * user); so do deprovisions that need a lookup or freezing, and everything below API v42.0. A failed
 * call (network, limits, 5xx) fails each of its records with that error, so each job retries.
 */
export async function provisionUserBatch(host: BatchHost, operations: readonly ProvisioningOperation[], options: BatchCallOptions): Promise<BatchOutcome[]> {
  if (operations.length > COLLECTION_LIMIT) throw new ValidationError(`at most ${COLLECTION_LIMIT} operations per batch, got ${operations.length}`);
  const outcomes: Array<BatchOutcome | undefined> = new Array(operations.length).fill(undefined);
  const perOperation = (index: number): CallOptions => ({
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.record ? { record: (call: RemoteCallRecord) => options.record!(index, call) } : {}),
    ...(options.assertLinkable ? { assertLinkable: (remote: { remoteId?: string; remoteName?: string }) => options.assertLinkable!(index, remote) } : {}),
  });
  const creates: Pending[] = [];
  const writes: Pending[] = [];
  const singles: number[] = [];
  for (const [index, operation] of operations.entries()) {
    try {
      if (!hasCollections(host.config)) singles.push(index);
      else if (operation.kind === 'create') {
        const record = host.record(operation, operation.allAttributes);
        await options.assertLinkable?.(index, { remoteName: String(record.Username) });
        creates.push({ index, operation, record });
      } else if (operation.kind === 'update') {
        if (!operation.remoteId) throw new ValidationError('update without a remote id');
        const freeze = host.config.deprovisioningMode === 'freeze';
        if (operation.reactivate && freeze) singles.push(index); // unfreezing is a UserLogin write
        else if (operation.attributes.length === 0 && !operation.reactivate) outcomes[index] = { ok: true, result: { outcome: 'unchanged', remoteId: operation.remoteId, note: 'no mapped attribute changed' } };
        else writes.push({ index, operation, record: { ...host.record(operation, operation.attributes), ...(operation.reactivate ? { IsActive: true } : {}), id: operation.remoteId } });
      } else if (operation.remoteId && host.config.deprovisioningMode !== 'freeze') {
        writes.push({ index, operation, record: { id: operation.remoteId, IsActive: false } });
      } else singles.push(index);
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  }

  const duplicates = await collection(host, 'POST', creates, options, outcomes, (p, saved) => ({ outcome: 'created', remoteId: saved.id!, remoteName: String(p.record.Username) }));
  await collection(host, 'PATCH', writes, options, outcomes, (p) =>
    p.operation.kind === 'update' ? { outcome: 'updated', remoteId: p.operation.remoteId! } : { outcome: 'deprovisioned', remoteId: p.operation.remoteId! },
  );
  const settle = async (index: number, run: () => Promise<ProvisioningResult>) => {
    try {
      outcomes[index] = { ok: true, result: await run() };
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  };
  // The username exists: find that user and (once the engine agrees) link it.
  for (const index of duplicates) {
    const p = creates.find((c) => c.index === index)!;
    await settle(index, () => host.link(String(p.record.Username), p.record, perOperation(index)));
  }
  for (const index of singles) await settle(index, () => host.single(operations[index]!, perOperation(index)));
  return outcomes.map((o) => o ?? { ok: false, error: new UpstreamUnavailableError('the operation was not attempted') });
}

/**
 * One collection call per 200 records; fills `outcomes`, returns the indexes of creates refused with
 * DUPLICATE_USERNAME (for the single path).
 */
async function collection(
  host: BatchHost,
  method: 'POST' | 'PATCH',
  pending: readonly Pending[],
  options: BatchCallOptions,
  outcomes: Array<BatchOutcome | undefined>,
  success: (p: Pending, saved: SaveResult) => ProvisioningResult,
): Promise<number[]> {
  const duplicates: number[] = [];
  if (pending.length === 0) return duplicates;
  const records = pending.map((p) => ({ attributes: { type: 'User' }, ...p.record }));
  const calls: RemoteCallRecord[] = [];
  let results: SaveResult[];
  try {
    results = await host.session.call<SaveResult[]>(
      { method, path: '/composite/sobjects', body: { allOrNone: false, records }, logBody: { allOrNone: false, records: records.length } },
      { ...(options.signal ? { signal: options.signal } : {}), record: (call) => calls.push(call) },
    );
  } catch (error) {
    for (const p of pending) {
      for (const call of calls) options.record?.(p.index, { ...call, body: p.record });
      outcomes[p.index] = { ok: false, error };
    }
    return duplicates;
  }
  for (const [i, p] of pending.entries()) {
    const saved = Array.isArray(results) ? results[i] : undefined;
    const error = saved?.errors?.[0];
    const remoteCode = remoteCodeOf(error?.statusCode);
    for (const call of calls) options.record?.(p.index, { ...call, body: p.record, ...(saved && !saved.success ? { remoteCode: remoteCode ?? 'UNKNOWN_ERROR', remoteMessage: error?.message ?? '' } : {}) });
    if (saved?.success && (method === 'PATCH' || saved.id)) {
      outcomes[p.index] = { ok: true, result: success(p, saved) };
    } else if (method === 'POST' && remoteCode === 'DUPLICATE_USERNAME') {
      duplicates.push(p.index);
    } else if (!saved) {
      outcomes[p.index] = { ok: false, error: new UpstreamUnavailableError(`${method} /composite/sobjects: no result for record ${i + 1}; the outcome is unknown`, { outcomeUnknown: true }) };
    } else {
      // The record's own error, mapped like a single call's (row locks retry, the rest is permanent).
      outcomes[p.index] = { ok: false, error: toProvisioningError({ errorCode: remoteCode ?? 'UNKNOWN_ERROR', message: error?.message ?? '' }, `${method} /composite/sobjects record ${i + 1}`, 400) };
    }
  }
  return duplicates;
}
