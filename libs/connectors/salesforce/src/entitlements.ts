/**
 * Salesforce entitlements: permission sets (PermissionSetAssignment records) and the role
 * (`User.UserRoleId`). Names are resolved to ids through SOQL and cached per connector instance;
 * assignments are read for many users at once and converged to what is desired, through sObject
 * Collections from API v42.0 (single calls below), each user with its own outcome.
 *
 * Only permission sets named in `managed` are ever removed: assignments an administrator made by hand
 * (any set outside `managed`) and profile-owned sets (the user's profile) are left alone.
 */
import { UpstreamRejectedError, UpstreamUnavailableError, ValidationError } from '@provisioning/errors';
import type { ProvisioningError } from '@provisioning/errors';
import type { CallOptions, RemoteCallRecord } from '@provisioning/connector-kit';
import { COLLECTION_LIMIT, hasCollections, queryAll, toId18 } from './salesforce-accounts';
import type { SaveResult } from './salesforce-accounts';
import type { SalesforceConfig } from './salesforce-config';
import { remoteCodeOf, toProvisioningError } from './salesforce-errors';
import type { SalesforceSession } from './salesforce-session';
import { soqlString } from './user-record';

/** Users per assignment query: 200 ids keep the SOQL in a GET well under URL limits. */
export const ASSIGNMENT_READ_CHUNK = 200;

/** A user's assignment of a permission set that no profile owns. */
export interface PermissionSetAssignment {
  /** The PermissionSetAssignment id (`0Pa...`). */
  id: string;
  permissionSetId: string;
  /** The permission set's API name (`PermissionSet.Name`). */
  permissionSetName: string;
}

/** The permission sets one user should have. */
export interface DesiredEntitlements {
  /** Salesforce User id (15 or 18 characters). */
  userId: string;
  /** API names of the permission sets the user should have (among `managed`, or any). */
  permissionSets: readonly string[];
}

export interface ConvergeRequest {
  users: readonly DesiredEntitlements[];
  /**
   * API names of the permission sets this connector manages: an assignment of one of them that is not
   * desired is removed. Assignments of any other set are never touched.
   */
  managed: readonly string[];
  /** The users' current assignments when the caller already read them ({@link SalesforceEntitlements.readAssignments}); read otherwise. */
  current?: ReadonlyMap<string, readonly PermissionSetAssignment[]>;
}

export interface ConvergeOptions {
  signal?: AbortSignal;
  /** The remote calls made for a user (a Collections call is recorded for each user in it). */
  record?: (userId: string, call: RemoteCallRecord) => void;
}

/** What converging did for one user: the names added and removed, and the first error if any write failed. */
export interface EntitlementOutcome {
  /** The user id as given. */
  userId: string;
  ok: boolean;
  added: string[];
  removed: string[];
  /** Set when `ok` is false: the first failure (a rejected record, an unknown name, a failed call). */
  error?: ProvisioningError;
}

interface NamedRecord {
  id: string;
  name: string;
}

/** A name -> record cache loaded by one SOQL query, reloaded at most once per lookup that misses. */
class NameCache {
  #byName: Map<string, NamedRecord> | undefined;
  #byId = new Map<string, NamedRecord>();
  #loading: Promise<Map<string, NamedRecord>> | undefined;

  constructor(private readonly load: (options: CallOptions) => Promise<NamedRecord[]>) {}

  /** Records by lower-cased name for these names; unknown names in `missing`. */
  async resolve(names: readonly string[], options: CallOptions): Promise<{ found: Map<string, NamedRecord>; missing: string[] }> {
    const cached = this.#byName;
    let byName = cached ?? (await this.reload(options));
    if (cached && names.some((n) => !byName.has(n.toLowerCase()))) byName = await this.reload(options);
    const found = new Map<string, NamedRecord>();
    const missing: string[] = [];
    for (const name of names) {
      const record = byName.get(name.toLowerCase());
      if (record) found.set(name.toLowerCase(), record);
      else if (!missing.includes(name)) missing.push(name);
    }
    return { found, missing };
  }

  /** The record with this id (15 or 18 characters), loading (again) when it is not known. */
  async byId(id: string, options: CallOptions): Promise<NamedRecord | undefined> {
    const key = toId18(id) ?? id;
    if (!this.#byId.has(key)) await this.reload(options);
    return this.#byId.get(key);
  }

  /** The org's spelling of a name when the records were read already (synchronous; the name itself otherwise). */
  canonical(name: string): string {
    return this.#byName?.get(name.toLowerCase())?.name ?? name;
  }

  /** One load at a time; concurrent callers share it. */
  private reload(options: CallOptions): Promise<Map<string, NamedRecord>> {
    this.#loading ??= this.load(options)
      .then((records) => {
        this.#byName = new Map(records.map((r) => [r.name.toLowerCase(), r] as const));
        this.#byId = new Map(records.map((r) => [toId18(r.id) ?? r.id, r] as const));
        return this.#byName;
      })
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }
}

/** One write of a convergence: an assignment to add or remove, and whose it is. */
interface Write {
  user: number;
  name: string;
  /** Add: the permission set id; remove: the assignment id. */
  id: string;
}

/**
 * Entitlement reads and writes of one connector instance (one org, one session); keep one per
 * connector so that name lookups are cached.
 */
export class SalesforceEntitlements {
  readonly #permissionSets: NameCache;
  readonly #roles: NameCache;

  constructor(
    private readonly session: SalesforceSession,
    private readonly config: SalesforceConfig,
  ) {
    this.#permissionSets = new NameCache(async (options) =>
      (await queryAll<{ Id: string; Name: string }>(session, 'SELECT Id, Name FROM PermissionSet WHERE IsOwnedByProfile = false', options)).map((r) => ({ id: r.Id, name: r.Name })),
    );
    this.#roles = new NameCache(async (options) =>
      (await queryAll<{ Id: string; DeveloperName: string | null }>(session, 'SELECT Id, DeveloperName FROM UserRole', options))
        .filter((r) => r.DeveloperName)
        .map((r) => ({ id: r.Id, name: r.DeveloperName! })),
    );
  }

  /**
   * Permission set ids by API name (as given). Names are compared case-insensitively; profile-owned
   * sets are not assignable and so never found. Rejects (permanently) naming every unknown name.
   */
  async resolvePermissionSets(names: readonly string[], options: CallOptions = {}): Promise<Map<string, string>> {
    const { found, missing } = await this.#permissionSets.resolve(names, options);
    if (missing.length > 0) throw unknownNames('permission set', missing);
    return new Map(names.map((n) => [n, found.get(n.toLowerCase())!.id] as const));
  }

  /** The id of the role with this DeveloperName (case-insensitive). Rejects (permanently) when there is none. */
  async resolveRole(developerName: string, options: CallOptions = {}): Promise<string> {
    const { found, missing } = await this.#roles.resolve([developerName], options);
    if (missing.length > 0) throw unknownNames('role', missing);
    return found.get(developerName.toLowerCase())!.id;
  }

  /** The DeveloperName of a role id, if the org has that role. */
  async roleName(roleId: string, options: CallOptions = {}): Promise<string | undefined> {
    return (await this.#roles.byId(roleId, options))?.name;
  }

  /** The org's spelling of a role DeveloperName or permission set name, when already read (else as given). */
  canonical(kind: 'role' | 'permission set', name: string): string {
    return (kind === 'role' ? this.#roles : this.#permissionSets).canonical(name);
  }

  /**
   * The `UserRoleId` value for a role DeveloperName: its id, or null (no role) for null, undefined
   * or a blank name.
   */
  async userRoleIdFor(developerName: string | null | undefined, options: CallOptions = {}): Promise<string | null> {
    const name = developerName?.trim();
    return name ? this.resolveRole(name, options) : null;
  }

  /**
   * The current assignments of permission sets no profile owns, for each user (18-character ids as
   * keys; every requested user is present, with an empty list when it has none). One query per 200
   * users, following `nextRecordsUrl`.
   */
  async readAssignments(userIds: readonly string[], options: CallOptions = {}): Promise<Map<string, PermissionSetAssignment[]>> {
    const ids = [...new Set(userIds.map(userId18))];
    const result = new Map<string, PermissionSetAssignment[]>(ids.map((id) => [id, []]));
    for (let i = 0; i < ids.length; i += ASSIGNMENT_READ_CHUNK) {
      const chunk = ids.slice(i, i + ASSIGNMENT_READ_CHUNK).map(soqlString).join(', ');
      const soql =
        'SELECT Id, AssigneeId, PermissionSetId, PermissionSet.Name FROM PermissionSetAssignment ' +
        `WHERE AssigneeId IN (${chunk}) AND PermissionSet.IsOwnedByProfile = false`;
      const rows = await queryAll<{ Id: string; AssigneeId: string; PermissionSetId: string; PermissionSet: { Name: string } | null }>(this.session, soql, options);
      for (const row of rows) {
        result.get(toId18(row.AssigneeId) ?? row.AssigneeId)?.push({ id: row.Id, permissionSetId: row.PermissionSetId, permissionSetName: row.PermissionSet?.Name ?? '' });
      }
    }
    return result;
  }

  /**
   * Brings each user's permission set assignments to what is desired: adds the missing ones, removes
   * those of `managed` sets no longer desired, leaves every other assignment alone. One outcome per
   * user, in order; a user whose desired sets include an unknown name, or one of whose writes fails,
   * fails alone (writes for it that succeeded are still reported). An assignment that already exists
   * (DUPLICATE_VALUE) or is already gone counts as done. Rejects only for bad input (a malformed or
   * repeated user id) or when the current assignments or the names cannot be read.
   */
  async converge(request: ConvergeRequest, options: ConvergeOptions = {}): Promise<EntitlementOutcome[]> {
    const users = request.users.map((u) => ({ ...u, id18: userId18(u.userId) }));
    const seen = new Set<string>();
    for (const u of users) {
      if (seen.has(u.id18)) throw new ValidationError(`user ${u.userId} appears twice in one convergence`);
      seen.add(u.id18);
    }
    const outcomes: EntitlementOutcome[] = users.map((u) => ({ userId: u.userId, ok: true, added: [], removed: [] }));
    const fail = (index: number, error: ProvisioningError) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) Object.assign(outcome, { ok: false, error });
    };
    const callOptions: CallOptions = options.signal ? { signal: options.signal } : {};

    const wanted = [...new Set(users.flatMap((u) => u.permissionSets))];
    const { found: ids, missing } = await this.#permissionSets.resolve(wanted, callOptions);
    const current = request.current ?? (await this.readAssignments(users.map((u) => u.id18), callOptions));
    const managed = new Set(request.managed.map((n) => n.toLowerCase()));

    const adds: Write[] = [];
    const removes: Write[] = [];
    for (const [index, user] of users.entries()) {
      const unknown = missing.filter((m) => user.permissionSets.includes(m));
      if (unknown.length > 0) {
        fail(index, unknownNames('permission set', unknown));
        continue;
      }
      const desired = new Set(user.permissionSets.map((n) => n.toLowerCase()));
      const held = current.get(user.id18) ?? current.get(user.userId) ?? [];
      const heldIds = new Set(held.map((a) => toId18(a.permissionSetId)));
      for (const name of new Set(user.permissionSets)) {
        const set = ids.get(name.toLowerCase())!;
        if (!heldIds.has(toId18(set.id)) && !adds.some((w) => w.user === index && w.id === set.id)) adds.push({ user: index, name: set.name, id: set.id });
      }
      for (const assignment of held) {
        const name = assignment.permissionSetName.toLowerCase();
        if (managed.has(name) && !desired.has(name)) removes.push({ user: index, name: assignment.permissionSetName, id: assignment.id });
      }
    }

    const done = (w: Write, list: 'added' | 'removed') => outcomes[w.user]![list].push(w.name);
    await this.write('add', adds, users, options, (w) => done(w, 'added'), fail);
    await this.write('remove', removes, users, options, (w) => done(w, 'removed'), fail);
    return outcomes;
  }

  /** Runs writes through Collections (200 per call) or, below API v42.0, one call each. */
  private async write(
    kind: 'add' | 'remove',
    writes: readonly Write[],
    users: ReadonlyArray<{ userId: string; id18: string }>,
    options: ConvergeOptions,
    succeeded: (w: Write) => void,
    fail: (user: number, error: ProvisioningError) => void,
  ): Promise<void> {
    const recordFor = (w: Write) => (call: RemoteCallRecord) => options.record?.(users[w.user]!.userId, call);
    const settle = (w: Write, code: string | undefined, error: () => ProvisioningError) => {
      // Already in the desired state: assigned meanwhile, or already unassigned.
      const already = kind === 'add' ? code === 'DUPLICATE_VALUE' : code === 'ENTITY_IS_DELETED' || code === 'NOT_FOUND';
      if (already) succeeded(w);
      else fail(w.user, error());
    };
    if (!hasCollections(this.config)) {
      for (const w of writes) {
        const call = kind === 'add'
          ? { method: 'POST' as const, path: '/sobjects/PermissionSetAssignment', body: { AssigneeId: users[w.user]!.id18, PermissionSetId: w.id } }
          : { method: 'DELETE' as const, path: `/sobjects/PermissionSetAssignment/${w.id}` };
        try {
          await this.session.call(call, { ...(options.signal ? { signal: options.signal } : {}), record: recordFor(w) });
          succeeded(w);
        } catch (error) {
          settle(w, error instanceof UpstreamRejectedError ? error.remoteCode : undefined, () => error as ProvisioningError);
        }
      }
      return;
    }
    for (let i = 0; i < writes.length; i += COLLECTION_LIMIT) {
      const chunk = writes.slice(i, i + COLLECTION_LIMIT);
      const calls: RemoteCallRecord[] = [];
      const what = kind === 'add' ? 'POST /composite/sobjects' : 'DELETE /composite/sobjects';
      let results: SaveResult[];
      try {
        results = await this.session.call<SaveResult[]>(
          kind === 'add'
            ? {
                method: 'POST',
                path: '/composite/sobjects',
                body: { allOrNone: false, records: chunk.map((w) => ({ attributes: { type: 'PermissionSetAssignment' }, AssigneeId: users[w.user]!.id18, PermissionSetId: w.id })) },
                logBody: { allOrNone: false, records: chunk.length },
              }
            : { method: 'DELETE', path: `/composite/sobjects?allOrNone=false&ids=${chunk.map((w) => w.id).join(',')}` },
          { ...(options.signal ? { signal: options.signal } : {}), record: (call) => calls.push(call) },
        );
      } catch (error) {
        for (const w of chunk) {
          for (const call of calls) recordFor(w)(call);
          fail(w.user, error as ProvisioningError);
        }
        continue;
      }
      for (const [k, w] of chunk.entries()) {
        const saved = Array.isArray(results) ? results[k] : undefined;
        const error = saved?.errors?.[0];
        const code = remoteCodeOf(error?.statusCode);
        for (const call of calls) recordFor(w)({ ...call, ...(saved && !saved.success ? { remoteCode: code ?? 'UNKNOWN_ERROR', remoteMessage: error?.message ?? '' } : {}) });
        if (saved?.success) succeeded(w);
        else if (!saved) fail(w.user, new UpstreamUnavailableError(`${what}: no result for record ${k + 1}; the outcome is unknown`, { outcomeUnknown: true }));
        else settle(w, code, () => toProvisioningError({ errorCode: code ?? 'UNKNOWN_ERROR', message: error?.message ?? '' }, `${what} record ${k + 1}`, 400));
      }
    }
  }
}

function userId18(userId: string): string {
  const id = toId18(userId);
  if (!id || !id.startsWith('005')) throw new ValidationError(`not a Salesforce user id: ${JSON.stringify(userId.slice(0, 40))}`);
  return id;
}

function unknownNames(what: 'permission set' | 'role', names: readonly string[]): UpstreamRejectedError {
  const shown = names.map((n) => `"${n.slice(0, 80)}"`).join(', ');
  const hint = what === 'role' ? 'a role DeveloperName' : 'the API name (Name) of a permission set not owned by a profile';
  return new UpstreamRejectedError(`Salesforce has no ${what} named ${shown}; use ${hint} that exists in the org`, {
    remoteCode: what === 'role' ? 'UNKNOWN_ROLE' : 'UNKNOWN_PERMISSION_SET',
    details: { names: [...names] },
  });
}
