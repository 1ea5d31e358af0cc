import { inject, injectable } from 'inversify';
import type { Transaction } from 'kysely';
import { scimUserToLocalClaims } from '@provisioning/claims';
import { PROVISIONING_SETTINGS, ProvisioningOutbox, ProvisioningWorker } from '@provisioning/core';
import type { EnqueuedJob, JobState, ProvisioningSettings } from '@provisioning/core';
import { ConflictError, ForbiddenError, PreconditionFailedError, UpstreamRejectedError, ValidationError } from '@provisioning/errors';
import { DATABASE } from '@provisioning/persistence';
import type { Database, DatabaseHandle } from '@provisioning/persistence';
import { applyPatch, compileFilter, extractPassword, parseFilter, simpleEqualityOf, sortResources, validateResource } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import { CREDENTIAL_CACHE, GroupRepository, hashPassword, USER_STORE_POLICY, UserRepository } from '@provisioning/user-store';
import type { CredentialCache, StoredUser, UserStorePolicy } from '@provisioning/user-store';
import type { ServerConfig } from '../config/deployment-config';
import { SERVER_CONFIG } from '../tokens';
import { etagOf, metaOf } from '../scim/representation';
import type { ScimQuery } from '../scim/scim-query';
import { boundedCount, pageOf } from '../scim/scim-query';
import { userPrefilter } from '../scim/user-prefilter';

/** The outcome of a write: the user and, with blocking targets, what each of them reported. */
export interface UserWriteResult {
  user: StoredUser;
  outbound: Array<{ jobId: number; idp: string; connector: string; state: JobState }>;
}

export interface ResourcePage {
  total: number;
  startIndex: number;
  resources: ScimResource[];
}

type Memberships = (userId: string) => Array<{ id: string; displayName: string; type: 'direct' | 'indirect' }>;

/**
 * User lifecycle behind SCIM: validates against the SCIM schema and the user-store policy, writes the
 * user and its provisioning jobs in one transaction, wakes the worker, and waits for blocking targets.
 */
@injectable()
export class UserService {
  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(GroupRepository) private readonly groups: GroupRepository,
    @inject(USER_STORE_POLICY) private readonly policy: UserStorePolicy,
    @inject(CREDENTIAL_CACHE) private readonly credentials: CredentialCache,
    @inject(ProvisioningOutbox) private readonly outbox: ProvisioningOutbox,
    @inject(ProvisioningWorker) private readonly worker: ProvisioningWorker,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
    @inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  async create(tenant: string, body: unknown): Promise<UserWriteResult> {
    const { resource: validated } = validateResource(body, 'User', { mode: 'create' });
    const { resource: withoutPassword, password } = extractPassword(validated);
    const username = this.localUsername(String(withoutPassword.userName), tenant);
    this.assertNotReserved(tenant, username);
    this.policy.validateUsername(username);
    if (password !== undefined) this.policy.validatePassword(password);
    const passwordHash = password !== undefined ? await hashPassword(password) : null;
    const resource = { ...withoutPassword, userName: username };
    const claims = scimUserToLocalClaims(resource);
    const { user, jobs } = await this.database.db.transaction().execute(async (trx) => {
      const created = await this.users.insert(trx, { tenant, username, passwordHash, resource, claims, roles: [] });
      const enqueued = await this.outbox.record(trx, { tenant, userId: created.id, username, operation: 'create', claims });
      return { user: created, jobs: enqueued };
    });
    this.outbox.committed();
    const outbound = await this.awaitBlocking(jobs);
    const failed = outbound.filter((o) => o.state === 'failed');
    if (failed.length > 0 && this.settings.failOnBlockingFailure) {
      await this.compensateFailedCreate(user);
      throw new UpstreamRejectedError(`User "${username}" was not created: outbound provisioning to ${failed.map((f) => f.idp).join(', ')} failed`, {
        description: 'See GET /api/server/v1/provisioning/logs for the remote error.',
      });
    }
    return { user, outbound };
  }

  async get(tenant: string, id: string): Promise<StoredUser> {
    return this.users.getById(tenant, id);
  }

  /** The SCIM representation: stored resource, read-only `groups` from memberships, `meta`. */
  async represent(user: StoredUser, base: string, memberships?: Memberships): Promise<ScimResource> {
    const groups = memberships ? memberships(user.id) : await this.groups.groupsOf(user.tenant, user.id);
    return {
      ...user.resource,
      id: user.id,
      ...(groups.length > 0 ? { groups: groups.map((g) => ({ value: g.id, display: g.displayName, type: g.type, $ref: `${base}/Groups/${g.id}` })) } : {}),
      meta: metaOf('User', user, base),
    } as ScimResource;
  }

  /** Filter, sort and page (RFC 7644 3.4.2); a single `userName eq` or `id eq` uses the index. */
  async list(tenant: string, query: ScimQuery, base: string): Promise<ResourcePage> {
    const filter = query.filter ? parseFilter(query.filter) : undefined;
    const equality = filter ? simpleEqualityOf(filter, 'User') : undefined;
    let candidates: StoredUser[];
    if (equality?.attribute === 'userName') {
      let local: string | undefined;
      try {
        local = this.localUsername(equality.value, tenant);
      } catch {
        local = undefined; // empty, or naming another tenant: matches nobody here
      }
      const found = local ? await this.users.findByUsername(tenant, local) : undefined;
      candidates = found ? [found] : [];
    } else if (equality?.attribute === 'id') {
      const found = await this.users.findById(tenant, equality.value);
      candidates = found ? [found] : [];
    } else if (!filter && !query.sortBy) {
      // Plain paging is answered by SQL: only the page is loaded and represented.
      const startIndex = Math.min(Math.max(1, query.startIndex ?? 1), 2 ** 31);
      const page = await this.users.list(tenant, { startIndex, count: boundedCount(query.count) });
      const memberships = await this.groups.membershipIndex(tenant, page.users.map((u) => u.id));
      return { total: page.total, startIndex, resources: await Promise.all(page.users.map((u) => this.represent(u, base, memberships))) };
    } else {
      // SQL narrows the scan where it can (a superset); the exact filter below decides.
      candidates = await this.users.all(tenant, { claims: false, prefilter: filter ? userPrefilter(filter) : undefined });
    }
    // Memberships are needed for every candidate only when the filter or sort looks at groups;
    // otherwise only the returned page gets its `groups`.
    const needsGroups = /groups/i.test(`${query.filter ?? ''} ${query.sortBy ?? ''}`);
    const memberships = needsGroups ? await this.groups.membershipIndex(tenant) : () => [];
    let pairs = await Promise.all(candidates.map(async (user) => ({ user, resource: await this.represent(user, base, memberships) })));
    if (filter) {
      const predicate = compileFilter(filter, 'User');
      pairs = pairs.filter((p) => predicate(p.resource));
    }
    const sorted = sortResources(
      pairs.map((p) => p.resource),
      query.sortBy,
      query.sortOrder,
      'User',
    );
    const byResource = new Map(pairs.map((p) => [p.resource, p.user] as const));
    const { total, startIndex, resources: pageResources } = pageOf(sorted, query);
    if (needsGroups) return { total, startIndex, resources: pageResources };
    const pageUsers = pageResources.map((r) => byResource.get(r)!);
    const pageMemberships = await this.groups.membershipIndex(tenant, pageUsers.map((u) => u.id));
    return { total, startIndex, resources: await Promise.all(pageUsers.map((u) => this.represent(u, base, pageMemberships))) };
  }

  /**
   * /Me PUT and PATCH: a user may change only their own profile data and password. Attributes that
   * decide identity or provisioning (userName, emails, roles, entitlements, active, externalId, the
   * enterprise extension, ...) are administrators' to change: a change to one is refused with 403.
   */
  async replaceSelf(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<UserWriteResult> {
    return this.write(tenant, id, ifMatch, async (current) => {
      const { resource } = validateResource(body, 'User', { mode: 'replace', existing: current.resource as ScimResource });
      const next = extractPassword(resource);
      assertSelfServiceChange(current.resource, next.resource);
      return next;
    });
  }

  async patchSelf(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<UserWriteResult> {
    return this.write(tenant, id, ifMatch, async (current) => {
      const { resource, changed } = applyPatch({ ...current.resource, id: current.id } as ScimResource, body, 'User');
      if (!changed) return undefined;
      const { id: _id, meta: _meta, groups: _groups, ...rest } = resource as Record<string, unknown>;
      const next = extractPassword(rest as ScimResource);
      assertSelfServiceChange(current.resource, next.resource);
      return next;
    });
  }

  /** PUT: replaces every attribute the client may write (immutable ones must keep their value). */
  async replace(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<UserWriteResult> {
    return this.write(tenant, id, ifMatch, async (current) => {
      const { resource } = validateResource(body, 'User', { mode: 'replace', existing: current.resource as ScimResource });
      return extractPassword(resource);
    });
  }

  /** PATCH (RFC 7644 3.5.2). */
  async patch(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<UserWriteResult> {
    return this.write(tenant, id, ifMatch, async (current) => {
      const base = { ...current.resource, id: current.id } as ScimResource;
      const { resource, changed } = applyPatch(base, body, 'User');
      // RFC 7644 3.5.2.1: a PATCH that changes nothing keeps the version and lastModified.
      if (!changed) return undefined;
      const { id: _id, meta: _meta, groups: _groups, ...rest } = resource as Record<string, unknown>;
      return extractPassword(rest as ScimResource);
    });
  }

  async delete(tenant: string, id: string, ifMatch?: string): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      const current = await this.users.getById(tenant, id, trx);
      checkPrecondition(current.version, ifMatch, `User ${id}`);
      this.assertNotSuperAdmin(current, 'deleted');
      const containing = await this.groups.groupsOf(tenant, id, trx);
      await this.users.delete(trx, tenant, id);
      await this.groups.removeMember(trx, tenant, id);
      await this.outbox.record(trx, { tenant, userId: id, username: current.username, operation: 'delete', claims: current.claims });
      // Groups that contained the user (directly or not) lose a member on group-capable targets too.
      for (const group of containing) {
        await this.groups.touch(trx, tenant, group.id);
        await this.recordGroupUpdate(trx, tenant, group, { removed: [{ localId: id, username: current.username }] });
      }
    });
    this.credentials.invalidateUser(id);
    this.outbox.committed();
  }

  /**
   * Recomputes the claims of users whose group memberships changed (role claim), inside the group
   * write's transaction, and records an update for each one whose claims differ.
   */
  async refreshMemberships(trx: Transaction<Database>, tenant: string, userIds: Iterable<string>): Promise<number> {
    let changed = 0;
    for (const userId of new Set(userIds)) {
      const user = await this.users.findById(tenant, userId, trx);
      if (!user) continue;
      const groups = await this.groups.groupsOf(tenant, userId, trx);
      const claims = this.claimsOf(user.resource, groups);
      const changedClaims = diffClaims(user.claims, claims);
      if (changedClaims.length === 0) continue;
      const updated = await this.users.update(trx, { ...user, claims });
      const jobs = await this.outbox.record(trx, { tenant, userId, username: updated.username, operation: 'update', claims, changedClaims, previousClaims: user.claims });
      await this.syncGroupsOfNewlyProvisioned(trx, tenant, updated, jobs, groups);
      changed += 1;
    }
    return changed;
  }

  /**
   * A user who becomes provisioned on a target by an update (joining a provisioning role, being
   * reactivated) must also appear in the groups they already belong to on group-capable targets.
   */
  private async syncGroupsOfNewlyProvisioned(
    trx: Transaction<Database>,
    tenant: string,
    user: StoredUser,
    jobs: EnqueuedJob[],
    groups: Array<{ id: string; displayName: string }>,
  ): Promise<void> {
    if (!jobs.some((j) => j.operation === 'create') || groups.length === 0) return;
    for (const group of groups) await this.recordGroupUpdate(trx, tenant, group, { added: [{ localId: user.id, username: user.username }] });
  }

  /** A GROUP update for group-capable targets: the group's current user members and what changed. */
  private async recordGroupUpdate(
    trx: Transaction<Database>,
    tenant: string,
    group: { id: string; displayName: string },
    change: { added?: Array<{ localId: string; username: string }>; removed?: Array<{ localId: string; username: string }> },
  ): Promise<void> {
    const members = await this.groups.userMembersOf(tenant, group.id, trx);
    const names = await this.users.usernames(tenant, members, trx);
    await this.outbox.recordGroup(trx, {
      tenant,
      groupId: group.id,
      operation: 'update',
      group: {
        displayName: group.displayName,
        members: members.map((localId) => ({ localId, username: names.get(localId) ?? '' })),
        added: change.added ?? [],
        removed: change.removed ?? [],
      },
    });
  }

  private claimsOf(resource: Record<string, unknown>, groups: Array<{ id: string; displayName: string }>): Record<string, string> {
    return scimUserToLocalClaims({ ...resource, ...(groups.length > 0 ? { groups: groups.map((g) => ({ value: g.id, display: g.displayName })) } : {}) });
  }

  private async write(
    tenant: string,
    id: string,
    ifMatch: string | undefined,
    change: (current: StoredUser) => Promise<{ resource: ScimResource; password?: string } | undefined>,
  ): Promise<UserWriteResult> {
    // Without If-Match a concurrent write (e.g. a group-driven role refresh) is absorbed by applying the
    // change again to the fresh version; with If-Match it is a 412, as RFC 7644 3.14 says.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.writeOnce(tenant, id, ifMatch, change);
      } catch (error) {
        if (!(error instanceof ConcurrentChange) || ifMatch !== undefined || attempt >= 3) {
          if (error instanceof ConcurrentChange) {
            // With If-Match the client's precondition failed (412); without, we gave up after retries (409).
            if (ifMatch !== undefined) throw new PreconditionFailedError(`User ${id} was changed concurrently`, { scimType: 'invalidVers' });
            throw new ConflictError(`User ${id} keeps changing concurrently; retry`);
          }
          throw error;
        }
      }
    }
  }

  private async writeOnce(
    tenant: string,
    id: string,
    ifMatch: string | undefined,
    change: (current: StoredUser) => Promise<{ resource: ScimResource; password?: string } | undefined>,
  ): Promise<UserWriteResult> {
    const current = await this.users.getById(tenant, id);
    checkPrecondition(current.version, ifMatch, `User ${id}`);
    const next = await change(current);
    if (next === undefined) return { user: current, outbound: [] };
    const username = this.localUsername(String(next.resource.userName ?? ''), tenant);
    if ((next.resource as { active?: unknown }).active === false && (current.resource as { active?: unknown }).active !== false) {
      this.assertNotSuperAdmin(current, 'deactivated');
    }
    if (username.toLowerCase() !== current.username.toLowerCase()) {
      this.assertNotSuperAdmin(current, 'renamed');
      this.assertNotReserved(tenant, username);
      this.policy.validateUsername(username);
    }
    if (next.password !== undefined) this.policy.validatePassword(next.password);
    const passwordHash = next.password !== undefined ? await hashPassword(next.password) : current.passwordHash;
    const resource = { ...next.resource, userName: username };
    const { user, jobs } = await this.database.db.transaction().execute(async (trx) => {
      const fresh = await this.users.getById(tenant, id, trx);
      if (fresh.version !== current.version) throw new ConcurrentChange();
      const groups = await this.groups.groupsOf(tenant, id, trx);
      const claims = this.claimsOf(resource, groups);
      const changedClaims = diffClaims(current.claims, claims);
      const updated = await this.users.update(trx, { ...current, username, resource, claims, passwordHash });
      const enqueued =
        changedClaims.length > 0
          ? await this.outbox.record(trx, { tenant, userId: id, username, operation: 'update', claims, changedClaims, previousClaims: current.claims })
          : [];
      await this.syncGroupsOfNewlyProvisioned(trx, tenant, updated, enqueued, groups);
      return { user: updated, jobs: enqueued };
    });
    // A new password or a deactivation ends remembered sign-ins at once.
    if (next.password !== undefined || (resource as { active?: unknown }).active === false) this.credentials.invalidateUser(id);
    if (jobs.length > 0) this.outbox.committed();
    return { user, outbound: await this.awaitBlocking(jobs) };
  }

  /** The configured super admin keeps its name and cannot be deleted through SCIM. */
  private assertNotSuperAdmin(user: StoredUser, what: string): void {
    if (user.tenant === this.policy.superTenantDomain && user.username.toLowerCase() === this.config.superAdmin.username.toLowerCase()) {
      throw new ForbiddenError(`The super admin "${user.username}" cannot be ${what} through SCIM; change [super_admin] in deployment.toml`);
    }
  }

  /** The super admin's username is reserved in the super tenant. */
  private assertNotReserved(tenant: string, username: string): void {
    if (tenant === this.policy.superTenantDomain && username.toLowerCase() === this.config.superAdmin.username.toLowerCase()) {
      throw new ConflictError(`The username "${username}" is reserved for the super admin`, { scimType: 'uniqueness' });
    }
  }

  private async awaitBlocking(jobs: EnqueuedJob[]): Promise<UserWriteResult['outbound']> {
    const blocking = jobs.filter((j) => j.blocking);
    if (blocking.length === 0) return [];
    const states = await this.worker.waitFor(
      blocking.map((j) => j.id),
      this.settings.blockingTimeoutMs,
    );
    return blocking.map((j) => ({ jobId: j.id, idp: j.idpName, connector: j.connectorType, state: states.get(j.id) ?? 'pending' }));
  }

  /**
   * fail_on_blocking_outbound_provision_failure: remove the local user, and queue a deprovision for
   * every target, the failed one included: a create whose outcome was unknown may have landed, and the
   * deprovision looks the username up and deactivates it (or finds nothing).
   */
  private async compensateFailedCreate(user: StoredUser): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      const current = await this.users.findById(user.tenant, user.id, trx);
      if (!current || current.version !== user.version) return; // changed meanwhile: leave it
      await this.users.delete(trx, user.tenant, user.id);
      await this.outbox.record(trx, { tenant: user.tenant, userId: user.id, username: user.username, operation: 'delete', claims: user.claims });
    });
    this.outbox.committed();
  }

  /** SCIM userName in a tenant: a trailing `@tenant` equal to the request's tenant is dropped. */
  private localUsername(userName: string, tenant: string): string {
    if (userName.trim() === '') throw new ValidationError('userName is required', { scimType: 'invalidValue' });
    if (tenant === this.policy.superTenantDomain) return userName;
    return this.policy.parseQualifiedUsername(userName, tenant).username;
  }
}

/** If-Match (RFC 7644 3.14): a stale version is 412. */
export function checkPrecondition(version: number, ifMatch: string | undefined, what: string): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (!tags.includes(etagOf(version)) && !tags.includes(`"${version}"`)) {
    throw new PreconditionFailedError(`${what} has changed (current version ${etagOf(version)})`, { scimType: 'invalidVers' });
  }
}

/** Local claims added, changed or removed. */
export function diffClaims(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

/** A write lost the race with another write of the same user. */
class ConcurrentChange extends Error {}

/** What a user may change on themselves through /Me (RFC 7643 core attributes, lower-cased). */
const SELF_SERVICE = new Set(['name', 'displayname', 'nickname', 'profileurl', 'title', 'preferredlanguage', 'locale', 'timezone', 'phonenumbers', 'addresses', 'photos', 'ims', 'schemas']);

/** Refuses a self-service change to anything outside {@link SELF_SERVICE} (compared as JSON). */
export function assertSelfServiceChange(before: Record<string, unknown>, after: Record<string, unknown>): void {
  const lower = (o: Record<string, unknown>) => new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), canonicalJson(v)] as const));
  const a = lower(before);
  const b = lower(after);
  const keys = new Set([...a.keys(), ...b.keys()]);
  const refused = [...keys].filter((k) => !SELF_SERVICE.has(k) && a.get(k) !== b.get(k));
  if (refused.length > 0) {
    throw new ForbiddenError(`These attributes can only be changed by an administrator: ${refused.join(', ')}`, { scimType: 'mutability' });
  }
}

/** JSON with object keys sorted (recursively), so key order never counts as a change. */
function canonicalJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k.toLowerCase(), sortKeys(x)]))
        : v;
  return JSON.stringify(sortKeys(value));
}
