/**
 * Public types of the Salesforce emulator: options, records, fault rules and log entries.
 */

/** A value stored in an emulated record field (JSON scalar). */
export type FieldValue = string | number | boolean | null;

/** A stored record: canonical field names to values. */
export type SObjectRecord = Record<string, FieldValue>;

/** A Salesforce profile users can be assigned to via `ProfileId`. */
export interface ProfileOption {
  /** 15- or 18-character id with the `00e` prefix. */
  id: string;
  name: string;
}

/** A permission set of the org (not owned by a profile), assignable through PermissionSetAssignment. */
export interface PermissionSetOption {
  /** API name (`Name`): letters, digits and single underscores, starting with a letter. */
  name: string;
  /** `Label`; default the name with underscores as spaces. */
  label?: string;
  /** 15- or 18-character id with the `0PS` prefix; generated when absent. */
  id?: string;
}

/** A role of the org's role hierarchy, set on users through `User.UserRoleId`. */
export interface RoleOption {
  /** `DeveloperName`, the unique API name connectors look roles up by. */
  developerName: string;
  /** `Name` (the label); default the developer name. */
  name?: string;
  /** DeveloperName of the parent role, which must come earlier in the list. */
  parent?: string;
  /** 15- or 18-character id with the `00E` prefix; generated when absent. */
  id?: string;
}

/** Options of {@link startSalesforceEmulator}; every field has a default. */
export interface EmulatorOptions {
  /** TCP port; 0 (default in-process) picks an ephemeral port. The CLI defaults to 8555. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Connected-app consumer key; default `emulator-client-id`. */
  clientId?: string;
  /** Connected-app consumer secret; default `emulator-client-secret`. */
  clientSecret?: string;
  /** API (integration) user's username; default `admin@emulator.test`. */
  username?: string;
  /** API user's password followed by the security token, as Salesforce expects; default `passwordTOKEN`. */
  password?: string;
  /** When set, the JWT bearer grant is accepted if the RS256 signature verifies with this key (PEM, SPKI or certificate). */
  jwtPublicKeyPem?: string;
  /** Access-token lifetime; default two hours. Afterwards the token answers 401 INVALID_SESSION_ID. */
  tokenLifetimeMs?: number;
  /** Daily API request allowance; default 15000. Requests beyond it answer 403 REQUEST_LIMIT_EXCEEDED. */
  apiLimit?: number;
  /** Records per query page (default 2000); `Sforce-Query-Options: batchSize=N` overrides it per query. */
  queryBatchSize?: number;
  /** Profiles of the org. Replaces the defaults (Chatter Free User, Standard User, System Administrator). */
  profiles?: ProfileOption[];
  /** Permission sets besides the profiles' own. Replaces the defaults (Sales_Ops, Marketing_User, API_Only). */
  permissionSets?: PermissionSetOption[];
  /** Roles. Replaces the defaults (CEO, SalesManager under CEO, SalesRep under SalesManager). */
  roles?: RoleOption[];
  /** Usernames taken in another org: creating them fails with DUPLICATE_USERNAME, queries in this org do not find them. */
  foreignUsernames?: string[];
  /** Active user licences available; default 1000. Beyond it create/reactivate fails with LICENSE_LIMIT_EXCEEDED. */
  licenses?: number;
  /** Request log capacity (oldest entries are dropped); default 10000. */
  requestLogLimit?: number;
  /** Time every API request (token, data, identity) takes before it is answered; default 0. Like a real org across the internet. */
  latencyMs?: number;
}

/** {@link EmulatorOptions} with every default applied. */
export interface ResolvedOptions {
  port: number;
  host: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  jwtPublicKeyPem: string | undefined;
  tokenLifetimeMs: number;
  apiLimit: number;
  queryBatchSize: number;
  profiles: ProfileOption[];
  permissionSets: PermissionSetOption[];
  roles: RoleOption[];
  foreignUsernames: string[];
  licenses: number;
  requestLogLimit: number;
  latencyMs: number;
}

/** What a matching fault rule does to a request. */
export type FaultAction =
  | { type: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { type: 'delay'; ms: number }
  | { type: 'hang' }
  | { type: 'apply-then-hang' }
  | { type: 'reset' }
  | { type: 'error-code'; errorCode: string; status?: number; message?: string };

/**
 * A fault to inject. Rules are checked in insertion order before any request except the control API;
 * the first rule that matches (method, path regex, probability) and still has `times` left is applied.
 */
export interface FaultRule {
  /** HTTP method (case-insensitive) after `_HttpMethod`/`X-HTTP-Method-Override`; default any. */
  method?: string;
  /** Regular-expression source tested against the request path (no query string); default any. */
  path?: string;
  /** Chance 0..1 that a matching request is hit; default 1. */
  probability?: number;
  /** Apply at most this many times; default unlimited. */
  times?: number;
  action: FaultAction;
}

/** An injected fault as listed by the state and the control API. */
export interface FaultInfo {
  id: string;
  rule: FaultRule;
  /** How many requests it has hit so far. */
  hits: number;
  /** Applications left, or null when unlimited. */
  remaining: number | null;
}

/** One request seen by the emulator (control API requests are not logged). */
export interface RequestLogEntry {
  /** Sequence number, increasing. */
  seq: number;
  /** ISO time the request arrived. */
  at: string;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query-string parameters. */
  query: Record<string, string>;
  /** Response status; null when no response was sent (hang, reset). */
  status: number | null;
  /** Parsed request body (JSON, or form fields with secrets masked); undefined without body. */
  body: unknown;
  /** Response body as parsed JSON (or text); for apply-then-hang the response that was withheld. */
  response: unknown;
  durationMs: number;
  /** Fault applied to this request, if any. */
  fault?: { id: string; type: FaultAction['type'] };
}

/** Token endpoint statistics. */
export interface TokenRequestStats {
  /** Every request to the token endpoint, successful or not. */
  count: number;
  /** Requests that got a token. */
  succeeded: number;
  /** Requests that got an OAuth error. */
  failed: number;
  /** Requests by `grant_type` value (missing grant type counted as `(none)`). */
  byGrantType: Record<string, number>;
}

/** Daily API usage; `used` may be set directly by tests. */
export interface ApiUsage {
  used: number;
  max: number;
}

/** A Salesforce REST error item (`[{message, errorCode, fields}]`). */
export interface SalesforceErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** A per-record error inside a SaveResult (uses `statusCode`, not `errorCode`). */
export interface DmlError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** Result of one record in a create/update (`/composite/sobjects`). */
export interface SaveResult {
  id?: string;
  success: boolean;
  errors: DmlError[];
}
