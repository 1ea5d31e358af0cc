import type { IncomingHttpHeaders } from 'node:http';

/** How the target authenticates clients. */
export type ScimTargetAuth =
  | { mode: 'BASIC'; username: string; password: string }
  | { mode: 'BEARER'; token: string }
  | { mode: 'API_KEY'; header: string; value: string };

/** What the target supports; mutable on `state.options` so one target serves several cases. */
export interface ScimTargetOptions {
  auth: ScimTargetAuth;
  patch: boolean;
  filter: boolean;
  etag: boolean;
  /** false: GET /ServiceProviderConfig answers 404, as some targets do. */
  serviceProviderConfig: boolean;
  /** false: the list endpoint ignores `filter` and returns everything (a broken target). */
  honourFilter: boolean;
  /** false: the list endpoint ignores `startIndex` and starts at the first resource (a broken target). */
  honourStartIndex: boolean;
  /** false: the list endpoint ignores `count` (and `maxResults`) and returns every resource from `startIndex` on. */
  honourCount: boolean;
  /** The most resources one list answer holds (`filter.maxResults` in the ServiceProviderConfig). */
  maxResults: number;
  /** RFC 7644 3.7 Bulk: served at `/Bulk` and declared in the ServiceProviderConfig; false answers 501. */
  bulk: boolean;
  /** Operations per Bulk request (`bulk.maxOperations`); more are refused with 413 `tooMany`. */
  bulkMaxOperations: number;
  /** Bytes per Bulk request (`bulk.maxPayloadSize`); a larger one is refused with 413 `tooLarge`. */
  bulkMaxPayloadSize: number;
  /** true: successful Bulk results carry the resource as `response` (by default only `location`, as RFC 7644's examples). */
  bulkResponseBodies: boolean;
  /** false: successful Bulk results carry no `location` (which RFC 7644 requires: a non-conforming target). */
  bulkLocations: boolean;
}

/** A fault to inject into matching requests (after authentication). */
export type ScimFaultAction =
  | { type: 'status'; status: number; retryAfter?: string; scimType?: string; detail?: string }
  /** Never answer (the client must time out). */
  | { type: 'hang' }
  /** Apply the request, then never answer: the outcome is unknown to the client. */
  | { type: 'apply-then-hang' };

export interface ScimFault {
  method?: string;
  /** Matched against the path below the base path, e.g. `^/Users$`. */
  path?: RegExp;
  /** How many requests it applies to (default 1). */
  times?: number;
  action: ScimFaultAction;
}

export interface RecordedRequest {
  method: string;
  /** Path and query below the server root. */
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export type Resource = Record<string, unknown> & { id: string };

/** Everything the target holds, readable by tests: users, groups, requests, faults. */
export class ScimTargetState {
  readonly users = new Map<string, Resource>();
  readonly groups = new Map<string, Resource>();
  readonly requests: RecordedRequest[] = [];
  readonly #faults: Array<ScimFault & { left: number }> = [];
  #version = 0;

  constructor(public options: ScimTargetOptions) {}

  injectFault(fault: ScimFault): void {
    this.#faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Drops faults not consumed yet, so one test's leftovers cannot hit the next. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Resolves once a request matching method and path (without query) has arrived. */
  async waitForRequest(method: string, path: RegExp, after = 0, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requestsTo(method, path).length <= after) {
      if (Date.now() > deadline) throw new Error(`no ${method} ${path} arrived within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** The first fault matching this request, counted down. */
  takeFault(method: string, path: string): ScimFaultAction | undefined {
    const fault = this.#faults.find((f) => f.left > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)));
    if (!fault) return undefined;
    fault.left -= 1;
    return fault.action;
  }

  nextVersion(): string {
    this.#version += 1;
    return `W/"${this.#version}"`;
  }

  /** A user as stored, without the password (which the target keeps but never returns). */
  user(id: string): Resource | undefined {
    const user = this.users.get(id);
    if (!user) return undefined;
    const { password: _password, ...visible } = user;
    return visible as Resource;
  }

  /** The password the target received for a user (tests check password provisioning with it). */
  passwordOf(id: string): unknown {
    return this.users.get(id)?.password;
  }

  userByName(userName: string): Resource | undefined {
    const found = [...this.users.values()].find((u) => typeof u.userName === 'string' && u.userName.toLowerCase() === userName.toLowerCase());
    return found && this.user(found.id);
  }

  group(id: string): Resource | undefined {
    return this.groups.get(id);
  }

  /** Requests whose method and path (without query) match, for assertions. */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.url.split('?')[0]));
  }
}
