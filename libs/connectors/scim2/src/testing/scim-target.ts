import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bulk, create, list, patch, read, remove, replace, scimError, serviceProviderConfig } from './scim-target-resources';
import type { Answer, Kind } from './scim-target-resources';
import { ScimTargetState } from './scim-target-state';
import type { ScimTargetOptions } from './scim-target-state';

/** A running in-memory SCIM 2.0 service provider on loopback. */
export interface RunningScimTarget {
  /** Base URL, e.g. `http://127.0.0.1:40123/scim2`. */
  url: string;
  usersUrl: string;
  groupsUrl: string;
  state: ScimTargetState;
  close(): Promise<void>;
}

/** Default credentials of a target started without `auth`. */
export const TARGET_USERNAME = 'scim-admin';
export const TARGET_PASSWORD = 'scim-target-password';

function authorized(req: IncomingMessage, options: ScimTargetOptions): boolean {
  const { auth } = options;
  const header = (name: string) => req.headers[name.toLowerCase()];
  switch (auth.mode) {
    case 'BASIC':
      return header('authorization') === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    case 'BEARER':
      return header('authorization') === `Bearer ${auth.token}`;
    case 'API_KEY':
      return header(auth.header) === auth.value;
  }
}

function send(res: ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body !== undefined) headers['content-type'] = 'application/scim+json';
  res.writeHead(answer.status, headers);
  res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
}

function route(state: ScimTargetState, method: string, rest: string, query: URLSearchParams, body: unknown, base: string, ifMatch: string | undefined): Answer {
  const match = /^\/(Users|Groups)(?:\/([^/]+))?$/.exec(rest);
  if (!match) return scimError(404, `no endpoint ${rest}`);
  const kind = match[1] as Kind;
  const id = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
  if (id === undefined) {
    if (method === 'GET') return list(state, kind, query);
    if (method === 'POST') return create(state, kind, body, base);
    return scimError(405, `${method} is not allowed on /${kind}`);
  }
  switch (method) {
    case 'GET':
      return read(state, kind, id);
    case 'PUT':
      return replace(state, kind, id, body, base, ifMatch);
    case 'PATCH':
      return patch(state, kind, id, body, base);
    case 'DELETE':
      return remove(state, kind, id);
    default:
      return scimError(405, `${method} is not allowed on /${kind}/{id}`);
  }
}

/** ServiceProviderConfig is public (RFC 7644 4 lets it be); everything else needs the credentials. */
function answerFor(state: ScimTargetState, req: IncomingMessage, method: string, rest: string, query: URLSearchParams, body: unknown, base: string, bytes: number): Answer {
  if (method === 'GET' && rest === '/ServiceProviderConfig') return serviceProviderConfig(state);
  if (!authorized(req, state.options)) {
    return scimError(401, 'authentication required', undefined, { 'www-authenticate': state.options.auth.mode === 'BEARER' ? 'Bearer' : 'Basic realm="scim"' });
  }
  if (rest === '/Bulk') {
    if (method !== 'POST') return scimError(405, `${method} is not allowed on /Bulk`);
    return bulk(state, body, base, bytes, (m, path, b, version) => route(state, m, path, new URLSearchParams(), b, base, version));
  }
  const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined;
  return route(state, method, rest, query, body, base, ifMatch);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts a small SCIM 2.0 service provider (node:http only) that keeps users and groups in memory:
 * POST/GET/PUT/PATCH/DELETE on /Users and /Groups, `filter` (eq on userName/displayName compares
 * case-insensitively), `count`/`startIndex` (capped at `maxResults`), POST /Bulk (RFC 7644 3.7, with
 * `maxOperations` and `maxPayloadSize`; switch it off with `bulk: false`), ServiceProviderConfig,
 * Basic/Bearer/API-key authentication, ETags, and fault injection (status with Retry-After, hang,
 * apply-then-hang; a status fault also hits the matching operation inside a Bulk request).
 * PATCH is applied with scim-patch, an implementation independent of the connector's.
 */
export async function startScimTarget(options: Partial<ScimTargetOptions> = {}, basePath = '/scim2'): Promise<RunningScimTarget> {
  const state = new ScimTargetState({
    auth: { mode: 'BASIC', username: TARGET_USERNAME, password: TARGET_PASSWORD },
    patch: true,
    filter: true,
    etag: true,
    serviceProviderConfig: true,
    honourFilter: true,
    honourStartIndex: true,
    honourCount: true,
    maxResults: 200,
    bulk: true,
    bulkMaxOperations: 100,
    bulkMaxPayloadSize: 1_048_576,
    bulkResponseBodies: false,
    bulkLocations: true,
    ...options,
  });
  let base = '';

  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://target');
      const method = req.method ?? 'GET';
      let body: unknown;
      try {
        body = text === '' ? undefined : (JSON.parse(text) as unknown);
      } catch {
        state.requests.push({ method, url: `${url.pathname}${url.search}`, headers: req.headers, body: text });
        return send(res, scimError(400, 'the body is not JSON', 'invalidSyntax'));
      }
      state.requests.push({ method, url: `${url.pathname}${url.search}`, headers: req.headers, body });
      if (!url.pathname.startsWith(basePath)) return send(res, scimError(404, `no endpoint ${url.pathname}`));
      const rest = url.pathname.slice(basePath.length);
      const fault = state.takeFault(method, rest);
      if (fault?.type === 'hang') return;
      if (fault?.type === 'status') {
        return send(res, scimError(fault.status, fault.detail ?? `injected ${fault.status}`, fault.scimType, fault.retryAfter ? { 'retry-after': fault.retryAfter } : undefined));
      }
      const answer = answerFor(state, req, method, rest, url.searchParams, body, base, Buffer.byteLength(text));
      if (fault?.type === 'apply-then-hang') return;
      send(res, answer);
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, scimError(500, String(error)));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}${basePath}`;
  return {
    url: base,
    usersUrl: `${base}/Users`,
    groupsUrl: `${base}/Groups`,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
