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
  PermissionSetOption,
  ProfileOption,
  RequestLogEntry,
  RoleOption,
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

/** A stored Profile. */
export interface ProfileRecord {
  [field: string]: FieldValue;
  Id: string;
  Name: string;
}

/** A stored PermissionSet; profile-owned ones have `IsOwnedByProfile` and their `ProfileId`. */
export interface PermissionSetRecord {
  [field: string]: FieldValue;
  Id: string;
  Name: string;
  Label: string;
  IsOwnedByProfile: boolean;
  ProfileId: string | null;
}

/** A stored PermissionSetAssignment (one user, one permission set). */
export interface PermissionSetAssignmentRecord {
  [field: string]: FieldValue;
  Id: string;
  AssigneeId: string;
  PermissionSetId: string;
  SystemModstamp: string;
}

/** A stored UserRole. */
export interface UserRoleRecord {
  [field: string]: FieldValue;
  Id: string;
  Name: string;
  DeveloperName: string;
  ParentRoleId: string | null;
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

/** The permission sets (besides the profiles' own) an org has unless {@link EmulatorOptions.permissionSets} says otherwise. */
export const DEFAULT_PERMISSION_SETS: readonly PermissionSetOption[] = [
  { name: 'Sales_Ops', label: 'Sales Operations' },
  { name: 'Marketing_User', label: 'Marketing User' },
  { name: 'API_Only', label: 'API Only' },
];

/** The roles an org has unless {@link EmulatorOptions.roles} says otherwise. */
export const DEFAULT_ROLES: readonly RoleOption[] = [
  { developerName: 'CEO', name: 'CEO' },
  { developerName: 'SalesManager', name: 'Sales Manager', parent: 'CEO' },
  { developerName: 'SalesRep', name: 'Sales Representative', parent: 'SalesManager' },
];

/** API names of permission sets and roles: a letter, then letters, digits and single underscores, no trailing underscore. */
const API_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/;

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
    permissionSets: options.permissionSets ?? [...DEFAULT_PERMISSION_SETS],
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
  /** Profiles by 18-character id. */
  readonly profiles = new Map<string, ProfileRecord>();
  /** Permission sets (the profiles' own included) by 18-character id. */
  readonly permissionSets = new Map<string, PermissionSetRecord>();
  /** Permission set assignments by 18-character id. */
  readonly permissionSetAssignments = new Map<string, PermissionSetAssignmentRecord>();
  /** Roles by 18-character id. */
  readonly roles = new Map<string, UserRoleRecord>();
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
  /** Assignment ids by user, then by permission set (the uniqueness Salesforce enforces). */
  private readonly assignmentIndex = new Map<string, Map<string, string>>();
  private readonly permissionSetByProfile = new Map<string, string>();
  private readonly permissionSetNameIndex = new Map<string, string>();
  private readonly roleNameIndex = new Map<string, string>();
  /** Permission sets and roles of the options (kept by {@link reset}; ones added later are dropped). */
  private readonly seeded = new Set<string>();

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
      const owned = this.addPermissionSet({ name: `X${id.slice(0, 15)}`, label: profile.name }, id);
      this.permissionSetByProfile.set(id, owned.Id);
    }
    for (const option of this.options.permissionSets) this.addPermissionSet(option);
    for (const option of this.options.roles) this.addRole(option);
    for (const id of [...this.permissionSets.keys(), ...this.roles.keys()]) this.seeded.add(id);
  }

  /**
   * Adds a permission set (owned by `profileId` when given). Throws when the name is not an API name
   * or is taken (case-insensitive), or the id is malformed or taken.
   */
  addPermissionSet(option: PermissionSetOption, profileId?: string): PermissionSetRecord {
    if (!API_NAME.test(option.name) || option.name.length > 80) throw new Error(`Invalid permission set name: ${option.name}`);
    if (this.permissionSetNameIndex.has(option.name.toLowerCase())) throw new Error(`A permission set named ${option.name} exists`);
    const id = this.newId(KEY_PREFIX.PermissionSet, option.id, this.permissionSets);
    const now = salesforceTimestamp();
    const record: PermissionSetRecord = {
      Id: id,
      Name: option.name,
      Label: option.label ?? option.name.replace(/_/g, ' '),
      Description: null,
      IsOwnedByProfile: profileId !== undefined,
      IsCustom: profileId === undefined,
      ProfileId: profileId ?? null,
      NamespacePrefix: null,
      CreatedDate: now,
      CreatedById: this.apiUserId,
      LastModifiedDate: now,
      LastModifiedById: this.apiUserId,
      SystemModstamp: now,
    };
    this.permissionSets.set(id, record);
    this.permissionSetNameIndex.set(option.name.toLowerCase(), id);
    return record;
  }

  /** Adds a role. Throws when the DeveloperName is not an API name or is taken, or the parent is unknown. */
  addRole(option: RoleOption): UserRoleRecord {
    const developerName = option.developerName;
    if (!API_NAME.test(developerName) || developerName.length > 80) throw new Error(`Invalid role DeveloperName: ${developerName}`);
    if (this.roleNameIndex.has(developerName.toLowerCase())) throw new Error(`A role with DeveloperName ${developerName} exists`);
    const parent = option.parent === undefined ? undefined : this.roleByDeveloperName(option.parent);
    if (option.parent !== undefined && !parent) throw new Error(`Unknown parent role: ${option.parent}`);
    const id = this.newId(KEY_PREFIX.UserRole, option.id, this.roles);
    const now = salesforceTimestamp();
    const record: UserRoleRecord = {
      Id: id,
      Name: option.name ?? developerName,
      DeveloperName: developerName,
      ParentRoleId: parent?.Id ?? null,
      RollupDescription: option.name ?? developerName,
      LastModifiedDate: now,
      SystemModstamp: now,
    };
    this.roles.set(id, record);
    this.roleNameIndex.set(developerName.toLowerCase(), id);
    return record;
  }

  private newId(prefix: string, given: string | undefined, taken: Map<string, unknown>): string {
    if (given === undefined) return IdGenerator.next(prefix);
    const id = toId18(given);
    if (!id || !id.startsWith(prefix)) throw new Error(`Invalid id for prefix ${prefix}: ${given}`);
    if (taken.has(id)) throw new Error(`Id taken: ${given}`);
    return id;
  }

  /** The permission set with this API name (case-insensitive). */
  permissionSetByName(name: string): PermissionSetRecord | undefined {
    const id = this.permissionSetNameIndex.get(name.toLowerCase());
    return id === undefined ? undefined : this.permissionSets.get(id);
  }

  /** The permission set a profile owns. */
  profilePermissionSet(profileId: string): PermissionSetRecord | undefined {
    const id = this.permissionSetByProfile.get(profileId);
    return id === undefined ? undefined : this.permissionSets.get(id);
  }

  /** The role with this DeveloperName (case-insensitive). */
  roleByDeveloperName(developerName: string): UserRoleRecord | undefined {
    const id = this.roleNameIndex.get(developerName.toLowerCase());
    return id === undefined ? undefined : this.roles.get(id);
  }

  /** A user's permission set assignments (its profile's own included), oldest first. */
  assignmentsOf(userId: string): PermissionSetAssignmentRecord[] {
    const byUser = this.assignmentIndex.get(userId);
    if (!byUser) return [];
    return [...byUser.values()].map((id) => this.permissionSetAssignments.get(id)!);
  }

  /** The assignment of a permission set to a user, if any. */
  assignmentFor(userId: string, permissionSetId: string): PermissionSetAssignmentRecord | undefined {
    const id = this.assignmentIndex.get(userId)?.get(permissionSetId);
    return id === undefined ? undefined : this.permissionSetAssignments.get(id);
  }

  /** Stores an assignment (no checks: see entitlement-dml.ts). */
  putAssignment(record: PermissionSetAssignmentRecord): void {
    this.permissionSetAssignments.set(record.Id, record);
    let byUser = this.assignmentIndex.get(record.AssigneeId);
    if (!byUser) {
      byUser = new Map();
      this.assignmentIndex.set(record.AssigneeId, byUser);
    }
    byUser.set(record.PermissionSetId, record.Id);
  }

  /** Removes an assignment; false when unknown. */
  removeAssignment(id: string): boolean {
    const record = this.permissionSetAssignments.get(id);
    if (!record) return false;
    this.permissionSetAssignments.delete(id);
    const byUser = this.assignmentIndex.get(record.AssigneeId);
    byUser?.delete(record.PermissionSetId);
    if (byUser?.size === 0) this.assignmentIndex.delete(record.AssigneeId);
    return true;
  }

  /** Keeps a user's assignment of its profile's permission set in step with its ProfileId, as Salesforce does. */
  private syncProfileAssignment(userId: string, previousProfileId: string | undefined, profileId: string | undefined): void {
    if (previousProfileId === profileId) return;
    const previousSet = previousProfileId === undefined ? undefined : this.permissionSetByProfile.get(previousProfileId);
    const previous = previousSet === undefined ? undefined : this.assignmentIndex.get(userId)?.get(previousSet);
    if (previous !== undefined) this.removeAssignment(previous);
    const nextSet = profileId === undefined ? undefined : this.permissionSetByProfile.get(profileId);
    if (nextSet !== undefined) {
      this.putAssignment({ Id: IdGenerator.next(KEY_PREFIX.PermissionSetAssignment), AssigneeId: userId, PermissionSetId: nextSet, SystemModstamp: salesforceTimestamp() });
    }
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
    this.syncProfileAssignment(record.Id, previous?.ProfileId, record.ProfileId);
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
    for (const assignment of this.assignmentsOf(id)) this.removeAssignment(assignment.Id);
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

  /** Records of each emulated object by 18-character id. */
  private readonly tables: Readonly<Record<string, Map<string, SObjectRecord> | undefined>> = {
    User: this.users,
    UserLogin: this.userLogins,
    Profile: this.profiles,
    PermissionSet: this.permissionSets,
    PermissionSetAssignment: this.permissionSetAssignments,
    UserRole: this.roles,
  };

  /** Read access for the SOQL executor. */
  readonly dataSource: QueryDataSource = {
    records: (objectName: string): Iterable<SObjectRecord> => this.tables[objectName]?.values() ?? [],
    get: (objectName: string, id: string): SObjectRecord | undefined => this.tables[objectName]?.get(id),
    // Assignments by user come from the index, so that reading 200 users' assignments among 100k users is not a scan.
    lookup: (objectName: string, field: string, ids: readonly string[]): SObjectRecord[] | undefined => {
      if (objectName !== 'PermissionSetAssignment' || field !== 'AssigneeId') return undefined;
      return [...new Set(ids)].flatMap((id) => this.assignmentsOf(id));
    },
  };

  /**
   * Back to a fresh org: users, logins, permission set assignments, permission sets and roles added
   * after start, cursors, counters, API usage, faults and the request log are cleared. Issued tokens stay valid (use {@link expireTokens} for that) so connected clients carry on.
   */
  reset(): void {
    this.users.clear();
    this.permissionSetAssignments.clear();
    this.assignmentIndex.clear();
    for (const [id, set] of this.permissionSets) {
      if (this.seeded.has(id)) continue;
      this.permissionSets.delete(id);
      this.permissionSetNameIndex.delete(set.Name.toLowerCase());
    }
    for (const [id, role] of this.roles) {
      if (this.seeded.has(id)) continue;
      this.roles.delete(id);
      this.roleNameIndex.delete(role.DeveloperName.toLowerCase());
    }
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
