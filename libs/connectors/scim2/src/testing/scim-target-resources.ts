import { randomUUID } from 'node:crypto';
import { filter as filterPredicate, parse as parseFilter } from 'scim2-parse-filter';
import { scimPatch } from 'scim-patch';
import type { ScimPatchOperation, ScimResource } from 'scim-patch';
import type { Resource, ScimTargetState } from './scim-target-state';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
/** What this target accepts as an email address (a malformed one is refused with 400, as strict targets do). */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** An HTTP answer of the target. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Kind = 'Users' | 'Groups';

/** A SCIM error answer (RFC 7644 3.12). */
export function scimError(status: number, detail: string, scimType?: string, headers?: Record<string, string>): Answer {
  return {
    status,
    body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail, ...(scimType ? { scimType } : {}) },
    ...(headers ? { headers } : {}),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Case-insensitive `eq` on the usual keys (SCIM compares them so); anything else through scim2-parse-filter. */
function matcher(filter: string): (r: Resource) => boolean {
  const parsed = parseFilter(filter);
  if (parsed.op === 'eq' && 'attrPath' in parsed && typeof parsed.compValue === 'string' && ['username', 'displayname', 'externalid'].includes(parsed.attrPath.toLowerCase())) {
    const value = parsed.compValue.toLowerCase();
    const key = parsed.attrPath;
    return (r) => Object.entries(r).some(([k, v]) => k.toLowerCase() === key.toLowerCase() && typeof v === 'string' && v.toLowerCase() === value);
  }
  return filterPredicate(parsed);
}

/** Applies the target's validation rules; the message of the first broken one, if any. */
function invalid(state: ScimTargetState, kind: Kind, resource: Record<string, unknown>, id?: string): Answer | undefined {
  if (kind === 'Users') {
    if (typeof resource.userName !== 'string' || resource.userName.trim() === '') return scimError(400, 'userName is required', 'invalidValue');
    const taken = state.userByName(resource.userName);
    if (taken && taken.id !== id) return scimError(409, `userName "${resource.userName}" is already taken`, 'uniqueness');
    if (resource.active !== undefined && typeof resource.active !== 'boolean') return scimError(400, 'active must be a boolean', 'invalidValue');
    const emails = Array.isArray(resource.emails) ? resource.emails : [];
    for (const e of emails) {
      const value = isObject(e) ? e.value : undefined;
      if (typeof value === 'string' && !EMAIL.test(value)) return scimError(400, `emails: "${value}" is not an email address`, 'invalidValue');
    }
    return undefined;
  }
  if (typeof resource.displayName !== 'string' || resource.displayName.trim() === '') return scimError(400, 'displayName is required', 'invalidValue');
  const members = Array.isArray(resource.members) ? resource.members : [];
  for (const m of members) {
    const value = isObject(m) ? m.value : undefined;
    if (typeof value !== 'string' || !state.users.has(value)) return scimError(400, `member ${String(value)} is not a user of this target`, 'invalidValue');
  }
  return undefined;
}

function store(state: ScimTargetState, kind: Kind): Map<string, Resource> {
  return kind === 'Users' ? state.users : state.groups;
}

function view(state: ScimTargetState, kind: Kind, resource: Resource): Resource {
  return kind === 'Users' ? (state.user(resource.id) ?? resource) : resource;
}

function saved(state: ScimTargetState, kind: Kind, resource: Resource, base: string, status: number): Answer {
  store(state, kind).set(resource.id, resource);
  const version = (resource.meta as { version: string }).version;
  return { status, body: view(state, kind, resource), headers: { etag: version, ...(status === 201 ? { location: `${base}/${kind}/${resource.id}` } : {}) } };
}

function withMeta(state: ScimTargetState, kind: Kind, resource: Record<string, unknown>, id: string, base: string, created?: unknown): Resource {
  const now = new Date().toISOString();
  const meta = { resourceType: kind === 'Users' ? 'User' : 'Group', created: created ?? now, lastModified: now, location: `${base}/${kind}/${id}`, version: state.nextVersion() };
  return { ...resource, id, meta };
}

export function list(state: ScimTargetState, kind: Kind, query: URLSearchParams): Answer {
  let all = [...store(state, kind).values()];
  const filter = query.get('filter');
  if (filter) {
    if (!state.options.filter) return scimError(400, 'filtering is not supported', 'invalidFilter');
    try {
      if (state.options.honourFilter) all = all.filter(matcher(filter));
    } catch {
      return scimError(400, `cannot parse filter ${filter}`, 'invalidFilter');
    }
  }
  const { honourStartIndex, honourCount, maxResults } = state.options;
  const start = honourStartIndex ? Math.max(1, Number(query.get('startIndex') ?? '1') || 1) : 1;
  const asked = query.has('count') ? Math.max(0, Number(query.get('count')) || 0) : 100;
  const count = honourCount ? Math.min(asked, maxResults) : all.length;
  const page = all.slice(start - 1, start - 1 + count).map((r) => view(state, kind, r));
  return { status: 200, body: { schemas: [LIST_SCHEMA], totalResults: all.length, startIndex: start, itemsPerPage: page.length, Resources: page } };
}

export function create(state: ScimTargetState, kind: Kind, body: unknown, base: string): Answer {
  if (!isObject(body)) return scimError(400, 'the body must be a JSON object', 'invalidSyntax');
  const { id: _id, meta: _meta, ...rest } = body;
  const resource = kind === 'Users' && rest.active === undefined ? { ...rest, active: true } : rest;
  const problem = invalid(state, kind, resource);
  if (problem) return problem;
  const id = randomUUID();
  return saved(state, kind, withMeta(state, kind, { ...resource, schemas: rest.schemas ?? [kind === 'Users' ? USER_SCHEMA : GROUP_SCHEMA] }, id, base), base, 201);
}

export function read(state: ScimTargetState, kind: Kind, id: string): Answer {
  const found = store(state, kind).get(id);
  return found ? { status: 200, body: view(state, kind, found), headers: { etag: (found.meta as { version: string }).version } } : scimError(404, `${kind} ${id} not found`);
}

export function replace(state: ScimTargetState, kind: Kind, id: string, body: unknown, base: string, ifMatch: string | undefined): Answer {
  const current = store(state, kind).get(id);
  if (!current) return scimError(404, `${kind} ${id} not found`);
  if (state.options.etag && ifMatch && ifMatch !== (current.meta as { version: string }).version) return scimError(412, 'the resource changed (ETag mismatch)');
  if (!isObject(body)) return scimError(400, 'the body must be a JSON object', 'invalidSyntax');
  const { id: _id, meta: _meta, ...rest } = body;
  const kept = kind === 'Users' && current.password !== undefined && rest.password === undefined ? { password: current.password } : {};
  const problem = invalid(state, kind, rest, id);
  if (problem) return problem;
  return saved(state, kind, withMeta(state, kind, { ...rest, ...kept }, id, base, (current.meta as { created: string }).created), base, 200);
}

export function patch(state: ScimTargetState, kind: Kind, id: string, body: unknown, base: string): Answer {
  if (!state.options.patch) return scimError(501, 'PATCH is not supported');
  const current = store(state, kind).get(id);
  if (!current) return scimError(404, `${kind} ${id} not found`);
  const request = isObject(body) ? body : {};
  if (!Array.isArray(request.schemas) || !request.schemas.includes(PATCH_SCHEMA) || !Array.isArray(request.Operations)) {
    return scimError(400, `a PATCH body lists ${PATCH_SCHEMA} and has Operations`, 'invalidSyntax');
  }
  let next: Record<string, unknown>;
  try {
    next = scimPatch(structuredClone(current) as unknown as ScimResource, request.Operations as ScimPatchOperation[]) as unknown as Record<string, unknown>;
  } catch (error) {
    const e = error as { scimCode?: string; message?: string };
    return scimError(400, e.message ?? 'invalid PATCH', e.scimCode ?? 'invalidPath');
  }
  const { id: _id, meta: _meta, ...rest } = next;
  const problem = invalid(state, kind, rest, id);
  if (problem) return problem;
  return saved(state, kind, withMeta(state, kind, rest, id, base, (current.meta as { created: string }).created), base, 200);
}

export function remove(state: ScimTargetState, kind: Kind, id: string): Answer {
  if (!store(state, kind).delete(id)) return scimError(404, `${kind} ${id} not found`);
  if (kind === 'Users') {
    for (const group of state.groups.values()) {
      if (Array.isArray(group.members)) group.members = group.members.filter((m) => !isObject(m) || m.value !== id);
    }
  }
  return { status: 204 };
}

/** The ServiceProviderConfig this target serves, reflecting its options. */
export function serviceProviderConfig(state: ScimTargetState): Answer {
  const { options } = state;
  if (!options.serviceProviderConfig) return scimError(404, 'no ServiceProviderConfig here');
  const scheme = { BASIC: ['HTTP Basic', 'httpbasic'], BEARER: ['OAuth Bearer Token', 'oauthbearertoken'], API_KEY: ['API key', 'apikey'] }[options.auth.mode];
  return {
    status: 200,
    body: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: options.patch },
      bulk: options.bulk ? { supported: true, maxOperations: options.bulkMaxOperations, maxPayloadSize: options.bulkMaxPayloadSize } : { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: options.filter, maxResults: options.maxResults },
      changePassword: { supported: true },
      sort: { supported: false },
      etag: { supported: options.etag },
      authenticationSchemes: [{ name: scheme[0], type: scheme[1], description: 'test target' }],
    },
  };
}

/** Runs one operation of a Bulk request as the endpoint itself would (method, path below the root, body, If-Match). */
export type BulkRoute = (method: string, path: string, body: unknown, version: string | undefined) => Answer;

/** One operation of a Bulk request and its result (RFC 7644 3.7.3). */
function bulkOperation(state: ScimTargetState, operation: unknown, base: string, route: BulkRoute): Record<string, unknown> {
  const op = isObject(operation) ? operation : {};
  const method = typeof op.method === 'string' ? op.method.toUpperCase() : '';
  const bulkId = typeof op.bulkId === 'string' ? op.bulkId : undefined;
  const path = typeof op.path === 'string' ? op.path : '';
  const version = typeof op.version === 'string' ? op.version : undefined;
  const echo = { method, ...(bulkId === undefined ? {} : { bulkId }) };
  const failed = (answer: Answer) => ({ ...echo, status: String(answer.status), response: answer.body });
  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) return failed(scimError(400, 'a Bulk operation\'s method is POST, PUT, PATCH or DELETE', 'invalidSyntax'));
  if (method === 'POST' && bulkId === undefined) return failed(scimError(400, 'a POST in a Bulk request needs a bulkId', 'invalidValue'));
  const match = /^\/(Users|Groups)(?:\/([^/]+))?$/.exec(path);
  if (!match || (method === 'POST') !== (match[2] === undefined)) return failed(scimError(400, `${method} ${path} is not a Bulk operation this target serves`, 'invalidPath'));
  // Referring to another operation's resource (`bulkId:qwerty`) is optional in RFC 7644; this target does not.
  if (/bulkId:/.test(path) || JSON.stringify(op.data ?? null).includes('"bulkId:')) {
    return failed(scimError(400, 'bulkId references are not supported by this target', 'invalidValue'));
  }
  const fault = state.takeFault(method, path);
  if (fault?.type === 'status') {
    return failed(scimError(fault.status, fault.detail ?? `injected ${fault.status}`, fault.scimType));
  }
  const answer = route(method, path, op.data, version);
  if (answer.status >= 400) return failed(answer);
  const id = match[2] === undefined ? (answer.body as { id?: string } | undefined)?.id : decodeURIComponent(match[2]);
  return {
    ...echo,
    ...(id && state.options.bulkLocations ? { location: `${base}/${match[1]}/${encodeURIComponent(id)}` } : {}),
    ...(answer.headers?.etag && method !== 'DELETE' ? { version: answer.headers.etag } : {}),
    status: String(answer.status),
    ...(state.options.bulkResponseBodies && answer.body !== undefined ? { response: answer.body } : {}),
  };
}

/**
 * POST /Bulk (RFC 7644 3.7): each operation applied in order with its own status; `failOnErrors`
 * stops after that many errors; more than `bulkMaxOperations` operations or `bulkMaxPayloadSize`
 * bytes are refused as a whole with 413; 501 when Bulk is switched off.
 */
export function bulk(state: ScimTargetState, body: unknown, base: string, bytes: number, route: BulkRoute): Answer {
  const { options } = state;
  if (!options.bulk) return scimError(501, 'Bulk is not supported');
  if (bytes > options.bulkMaxPayloadSize) return scimError(413, `the request exceeds maxPayloadSize (${options.bulkMaxPayloadSize} bytes)`, 'tooLarge');
  if (!isObject(body) || !Array.isArray(body.schemas) || !body.schemas.includes(BULK_REQUEST) || !Array.isArray(body.Operations)) {
    return scimError(400, `a Bulk request lists ${BULK_REQUEST} and has Operations`, 'invalidSyntax');
  }
  if (body.Operations.length > options.bulkMaxOperations) return scimError(413, `the request exceeds maxOperations (${options.bulkMaxOperations})`, 'tooMany');
  const failOnErrors = typeof body.failOnErrors === 'number' && body.failOnErrors > 0 ? body.failOnErrors : undefined;
  const results: Array<Record<string, unknown>> = [];
  let errors = 0;
  for (const operation of body.Operations) {
    if (failOnErrors !== undefined && errors >= failOnErrors) break;
    const result = bulkOperation(state, operation, base, route);
    if (Number(result.status) >= 400) errors += 1;
    results.push(result);
  }
  return { status: 200, body: { schemas: [BULK_RESPONSE], Operations: results } };
}
