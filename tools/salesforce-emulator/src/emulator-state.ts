import { randomBytes } from 'node:crypto';
import { FaultRegistry } from './faults';
import { IdGenerator, KEY_PREFIX, toId18 } from './ids';
import type { QueryDataSource, QueryRecord } from './soql-executor';
import type {
  ApiUsage,
  EmulatorOptions,
  FaultInfo,
  FaultRule,
  FieldValue,
  ProfileOption,
  RoleOption,
  RequestLogEntry,
  ResolvedOptions,
  SObjectRecord,
  TokenRequestStats,
} from './types';

/** A stored User; every field of the emulated schema is present (null when unset). */
export interface UserRecord {
  [field: string]: FieldValue;
  Id: string;
  Username: string;
  LastName: string;
  Email: string;
  Alias: string;
  CommunityNickname: string;
  IsActive: boolean;
  ProfileId: string;
  CreatedDate: string;
  LastModifiedDate: string;
}

/** A stored UserLogin (one per user). */
export interface UserLoginRecord {
  [field: string]: FieldValue;
  Id: string;
  UserId: string;
  IsFrozen: boolean;
}

/** A stored UserRole. */
export interface UserRoleRecord {
  [field: string]: FieldValue;
  Id: string;
  Name: string;
  DeveloperName: string;
}

/** A stored Profile. */
export interface ProfileRecord {
  [field: string]: FieldValue;
  Id: string;
  Name: string;
}

/** An access token handed out by the token endpoint. */
export interface IssuedToken {
  accessToken: string;
  grantType: string;
  issuedAt: number;
  expiresAt: number;
}

interface QueryCursor {
  records: QueryRecord[];
  batchSize: number;
  createdAt: number;
}

/** Listener for {@link EmulatorState.onRequest}. */
export type RequestListener = (entry: RequestLogEntry) => void;

const TWO_HOURS = 2 * 60 * 60 * 1000;
const MAX_CURSORS = 1000;

/** The profiles an org has unless {@link EmulatorOptions.profiles} says otherwise. */
export const DEFAULT_PROFILES: readonly ProfileOption[] = [
  { id: '00e2x000001AT3y', name: 'Chatter Free User' },
  { id: '00e2x000001AT3z', name: 'Standard User' },
  { id: '00e2x000001AT3t', name: 'System Administrator' },
];

/** The roles an org has unless {@link EmulatorOptions.roles} says otherwise. */
export const DEFAULT_ROLES: readonly RoleOption[] = [
  { name: 'CEO', developerName: 'CEO' },
  { name: 'Sales Manager', developerName: 'SalesManager' },
  { name: 'Sales Representative', developerName: 'SalesRep' },
];

/** Applies the defaults to {@link EmulatorOptions}. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    clientId: options.clientId ?? 'emulator-client-id',
    clientSecret: options.clientSecret ?? 'emulator-client-secret',
    username: options.username ?? 'admin@emulator.test',
    password: options.password ?? 'passwordTOKEN',
    jwtPublicKeyPem: options.jwtPublicKeyPem,
    tokenLifetimeMs: options.tokenLifetimeMs ?? TWO_HOURS,
    apiLimit: options.apiLimit ?? 15000,
    queryBatchSize: options.queryBatchSize ?? 2000,
    profiles: options.profiles ?? [...DEFAULT_PROFILES],
    roles: options.roles ?? [...DEFAULT_ROLES],
    foreignUsernames: options.foreignUsernames ?? [],
    licenses: options.licenses ?? 1000,
    requestLogLimit: options.requestLogLimit ?? 10000,
    latencyMs: options.latencyMs ?? 0,
  };
}

/** Salesforce's timestamp format: `2024-01-31T12:00:00.000+0000`. */
export function salesforceTimestamp(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/**
 * Everything the emulated org holds: users, their logins, profiles, tokens, API usage, injected
 * faults and the request log. Tests read and change it directly; the HTTP app works on it.
 */
export class EmulatorState {
  readonly options: ResolvedOptions;
  /** 18-character org id (`00D...`). */
  readonly orgId: string;
  /** Id of the API (integration) user the tokens belong to. It is not one of {@link users}. */
  readonly apiUserId: string;
  /** Base URL once listening (instance URL); empty until then, the Host header is used meanwhile. */
  baseUrl = '';

  /** Users by 18-character id, in creation order. */
  readonly users = new Map<string, UserRecord>();
  /** UserLogin records by 18-character id. */
  readonly userLogins = new Map<string, UserLoginRecord>();
  /** Roles by 18-character id. */
  readonly roles = new Map<string, UserRoleRecord>();
  /** Profiles by 18-character id. */
  readonly profiles = new Map<string, ProfileRecord>();
  /** Token endpoint counters. */
  readonly tokenRequests: TokenRequestStats = { count: 0, succeeded: 0, failed: 0, byGrantType: {} };
  /** Requests seen, oldest first, at most `requestLogLimit` entries. */
  readonly requestLog: RequestLogEntry[] = [];
  /** Daily API usage; set `used` to simulate a busy org. */
  readonly apiUsage: ApiUsage;
  /** Injected faults. */
  readonly faultRegistry = new FaultRegistry();
  /** Live access tokens. */
  readonly tokens = new Map<string, IssuedToken>();

  private readonly usernameIndex = new Map<string, string>();
  private readonly nicknameIndex = new Map<string, string>();
  private readonly loginByUser = new Map<string, string>();
  private readonly foreign: Set<string>;
  private readonly cursors = new Map<string, QueryCursor>();
  private readonly listeners = new Set<RequestListener>();
  private logSeq = 0;

  constructor(options: EmulatorOptions = {}) {
    this.options = resolveOptions(options);
    this.orgId = IdGenerator.next(KEY_PREFIX.Organization);
    this.apiUserId = IdGenerator.next(KEY_PREFIX.User);
    this.apiUsage = { used: 0, max: this.options.apiLimit };
    this.foreign = new Set(this.options.foreignUsernames.map((u) => u.toLowerCase()));
    for (const profile of this.options.profiles) {
      const id = toId18(profile.id);
      if (!id) throw new Error(`Invalid profile id: ${profile.id}`);
      this.profiles.set(id, {
        Id: id,
        Name: profile.name,
        UserType: profile.name === 'Chatter Free User' ? 'CsnOnly' : 'Standard',
        Description: null,
      });
    }
    for (const role of this.options.roles) {
      const id = role.id === undefined ? IdGenerator.next(KEY_PREFIX.UserRole) : toId18(role.id);
      if (!id || !id.startsWith(KEY_PREFIX.UserRole)) throw new Error(`Invalid role id: ${role.id}`);
      this.roles.set(id, { Id: id, Name: role.name, DeveloperName: role.developerName, ParentRoleId: null });
    }
  }

  /** The role with this DeveloperName (case-insensitive), if the org has it. */
  roleByDeveloperName(developerName: string): UserRoleRecord | undefined {
    const wanted = developerName.toLowerCase();
    return [...this.roles.values()].find((r) => r.DeveloperName.toLowerCase() === wanted);
  }

  /** The user with this username (compared case-insensitively), if it exists in this org. */
  usersByUsername(username: string): UserRecord | undefined {
    const id = this.usernameIndex.get(username.toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  /** A user by 15- or 18-character id. */
  user(id: string): UserRecord | undefined {
    const id18 = toId18(id);
    return id18 === undefined ? undefined : this.users.get(id18);
  }

  /** The UserLogin record of a user. */
  userLoginFor(userId: string): UserLoginRecord | undefined {
    const id18 = toId18(userId);
    const loginId = id18 === undefined ? undefined : this.loginByUser.get(id18);
    return loginId === undefined ? undefined : this.userLogins.get(loginId);
  }

  /** True when the username is used by a user of this org (active or not), the API user, or another org. */
  isUsernameTaken(username: string, exceptUserId?: string): boolean {
    const lower = username.toLowerCase();
    if (this.foreign.has(lower) || lower === this.options.username.toLowerCase()) return true;
    const owner = this.usernameIndex.get(lower);
    return owner !== undefined && owner !== exceptUserId;
  }

  /** True when another user of this org has this CommunityNickname (case-insensitive). */
  isNicknameTaken(nickname: string, exceptUserId?: string): boolean {
    const owner = this.nicknameIndex.get(nickname.toLowerCase());
    return owner !== undefined && owner !== exceptUserId;
  }

  /** Users holding a licence (IsActive true); kept as a count, so inserts stay O(1) at 100k users. */
  activeUserCount(): number {
    return this.#active;
  }

  #active = 0;

  /** Stores (inserts or replaces) a user and keeps the username/nickname indexes current. */
  putUser(record: UserRecord): void {
    const previous = this.users.get(record.Id);
    if (previous) {
      this.usernameIndex.delete(previous.Username.toLowerCase());
      this.nicknameIndex.delete(previous.CommunityNickname.toLowerCase());
      if (previous.IsActive) this.#active -= 1;
    }
    if (record.IsActive) this.#active += 1;
    this.users.set(record.Id, record);
    this.usernameIndex.set(record.Username.toLowerCase(), record.Id);
    this.nicknameIndex.set(record.CommunityNickname.toLowerCase(), record.Id);
  }

  /** Removes a user and its login (used to roll back allOrNone collections; Salesforce cannot delete users). */
  removeUser(id: string): void {
    const previous = this.users.get(id);
    if (!previous) return;
    this.usernameIndex.delete(previous.Username.toLowerCase());
    this.nicknameIndex.delete(previous.CommunityNickname.toLowerCase());
    if (previous.IsActive) this.#active -= 1;
    this.users.delete(id);
    const loginId = this.loginByUser.get(id);
    if (loginId) this.userLogins.delete(loginId);
    this.loginByUser.delete(id);
  }

  /** Stores (inserts or replaces) a UserLogin. */
  putUserLogin(record: UserLoginRecord): void {
    this.userLogins.set(record.Id, record);
    this.loginByUser.set(record.UserId, record.Id);
  }

  /** A profile by 15- or 18-character id. */
  profile(id: string): ProfileRecord | undefined {
    const id18 = toId18(id);
    return id18 === undefined ? undefined : this.profiles.get(id18);
  }

  /** Records the outcome of a token request. */
  countTokenRequest(grantType: string, succeeded: boolean): void {
    this.tokenRequests.count++;
    if (succeeded) this.tokenRequests.succeeded++;
    else this.tokenRequests.failed++;
    this.tokenRequests.byGrantType[grantType] = (this.tokenRequests.byGrantType[grantType] ?? 0) + 1;
  }

  /** Hands out a new access token (`<orgId>!<random>` like Salesforce's). */
  issueToken(grantType: string): IssuedToken {
    const now = Date.now();
    const token: IssuedToken = {
      accessToken: `${this.orgId.slice(0, 15)}!${randomBytes(48).toString('base64url')}`,
      grantType,
      issuedAt: now,
      expiresAt: now + this.options.tokenLifetimeMs,
    };
    this.tokens.set(token.accessToken, token);
    return token;
  }

  /** True when the token was issued here, is not revoked and has not expired. */
  isTokenValid(accessToken: string): boolean {
    const token = this.tokens.get(accessToken);
    if (!token) return false;
    if (Date.now() >= token.expiresAt) {
      this.tokens.delete(accessToken);
      return false;
    }
    return true;
  }

  /** Revokes one token; false when unknown. */
  revokeToken(accessToken: string): boolean {
    return this.tokens.delete(accessToken);
  }

  /** Invalidates every current token (the next API call gets 401 INVALID_SESSION_ID); returns how many. */
  expireTokens(): number {
    const count = this.tokens.size;
    this.tokens.clear();
    return count;
  }

  /** Counts one API request; false (and nothing counted) when the daily allowance is used up. */
  consumeApiRequest(): boolean {
    if (this.apiUsage.used >= this.apiUsage.max) return false;
    this.apiUsage.used++;
    return true;
  }

  /** Adds a fault rule; returns its id. Throws when the rule is invalid. */
  injectFault(rule: FaultRule): string {
    return this.faultRegistry.add(rule);
  }

  /** Removes one fault rule; false when unknown. */
  removeFault(id: string): boolean {
    return this.faultRegistry.remove(id);
  }

  /** Removes every fault rule. */
  clearFaults(): void {
    this.faultRegistry.clear();
  }

  /** The current fault rules with their hit counts. */
  get faults(): FaultInfo[] {
    return this.faultRegistry.list();
  }

  /** Appends to the request log (dropping the oldest beyond the limit) and notifies listeners. */
  logRequest(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full: RequestLogEntry = { seq: ++this.logSeq, ...entry };
    this.requestLog.push(full);
    const excess = this.requestLog.length - this.options.requestLogLimit;
    if (excess > 0) this.requestLog.splice(0, excess);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Subscribes to logged requests; returns the unsubscribe function. */
  onRequest(listener: RequestListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Keeps the rest of a query's rows for `nextRecordsUrl`; returns the cursor id. */
  saveCursor(records: QueryRecord[], batchSize: number): string {
    const id = IdGenerator.next(KEY_PREFIX.QueryLocator);
    this.cursors.set(id, { records, batchSize, createdAt: Date.now() });
    if (this.cursors.size > MAX_CURSORS) {
      const oldest = this.cursors.keys().next().value;
      if (oldest !== undefined) this.cursors.delete(oldest);
    }
    return id;
  }

  /** A saved query cursor. */
  cursor(id: string): { records: QueryRecord[]; batchSize: number } | undefined {
    return this.cursors.get(id);
  }

  /** Read access for the SOQL executor. */
  readonly dataSource: QueryDataSource = {
    records: (objectName: string): Iterable<SObjectRecord> => {
      if (objectName === 'User') return this.users.values();
      if (objectName === 'UserLogin') return this.userLogins.values();
      if (objectName === 'Profile') return this.profiles.values();
      if (objectName === 'UserRole') return this.roles.values();
      return [];
    },
    get: (objectName: string, id: string): SObjectRecord | undefined => {
      if (objectName === 'User') return this.users.get(id);
      if (objectName === 'UserLogin') return this.userLogins.get(id);
      if (objectName === 'Profile') return this.profiles.get(id);
      if (objectName === 'UserRole') return this.roles.get(id);
      return undefined;
    },
  };

  /**
   * Back to a fresh org: users, logins, cursors, counters, API usage, faults and the request log are
   * cleared. Issued tokens stay valid (use {@link expireTokens} for that) so connected clients carry on.
   */
  reset(): void {
    this.users.clear();
    this.#active = 0;
    this.userLogins.clear();
    this.usernameIndex.clear();
    this.nicknameIndex.clear();
    this.loginByUser.clear();
    this.cursors.clear();
    this.requestLog.length = 0;
    this.apiUsage.used = 0;
    this.tokenRequests.count = 0;
    this.tokenRequests.succeeded = 0;
    this.tokenRequests.failed = 0;
    for (const key of Object.keys(this.tokenRequests.byGrantType)) delete this.tokenRequests.byGrantType[key];
    this.faultRegistry.clear();
  }
}
