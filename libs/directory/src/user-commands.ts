import { inject, injectable } from 'inversify';
import type { Transaction } from 'kysely';
import { isPrivilegedField } from '@provisioning/connector-kit';
import { PROVISIONING_SETTINGS, ProvisioningOutbox, ProvisioningWorker, ResidentServiceProviderService } from '@provisioning/core';
import type { EnqueuedJob, JobState, ProvisioningSettings } from '@provisioning/core';
import { ConflictError, ForbiddenError, PreconditionFailedError, UpstreamRejectedError, ValidationError } from '@provisioning/errors';
import { DATABASE, withConflictRetry } from '@provisioning/persistence';
import type { Database, DatabaseHandle } from '@provisioning/persistence';
import { applyPatch, extractPassword, validateResource } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import { CREDENTIAL_CACHE, GroupRepository, hashPassword, USER_STORE_POLICY, UserRepository } from '@provisioning/user-store';
import type { CredentialCache, StoredUser, UserStorePolicy } from '@provisioning/user-store';
import { ADMIN_ROLE } from './admin-role';
import { DIRECTORY_SETTINGS } from './directory-settings';
import type { DirectorySettings } from './directory-settings';
import { checkPrecondition } from './etag';
import { claimsOf, diffClaims, MembershipSync } from './membership-sync';
import { assertNoPrivilegedClaimChange, assertSelfServiceChange } from './self-service-policy';

/** The outcome of a write: the user and, with blocking targets, what each of them reported. */
export interface UserWriteResult {
  user: StoredUser;
  outbound: Array<{ jobId: number; idp: string; connector: string; state: JobState }>;
}

/** What a write makes of the current user: the next resource and password, or undefined (no change). */
type Change = (current: StoredUser) => Promise<{ resource: ScimResource; password?: string } | undefined>;
/** A rule on the claims a write changes, checked in its transaction. */
type ClaimCheck = (trx: Transaction<Database>, tenant: string, changedClaims: string[]) => Promise<void>;

/** A write lost the race with another write of the same user. */
class ConcurrentChange extends Error {}

const isInactive = (resource: Record<string, unknown>) => (resource as { active?: unknown }).active === false;

/**
 * User writes behind SCIM: validate against the SCIM schema and the user-store policy, write the user
 * and its provisioning jobs in one transaction (the outbox), wake the worker, and wait for blocking
 * targets. Who may change what is decided here: administrators anything (but the super admin's name
 * and the last administrator stay), users themselves (`/Me`) their own profile only, and never a
 * claim an enabled target sends into a privileged remote field.
 */
@injectable()
export class UserCommands {
  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(GroupRepository) private readonly groups: GroupRepository,
    @inject(USER_STORE_POLICY) private readonly policy: UserStorePolicy,
    @inject(CREDENTIAL_CACHE) private readonly credentials: CredentialCache,
    @inject(ProvisioningOutbox) private readonly outbox: ProvisioningOutbox,
    @inject(ProvisioningWorker) private readonly worker: ProvisioningWorker,
    @inject(ResidentServiceProviderService) private readonly resident: ResidentServiceProviderService,
    @inject(MembershipSync) private readonly memberships: MembershipSync,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
    @inject(DIRECTORY_SETTINGS) private readonly directory: DirectorySettings,
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
    const claims = claimsOf(resource, []);
    const { user, jobs } = await withConflictRetry(() => this.database.db.transaction().execute(async (trx) => {
      const created = await this.users.insert(trx, { tenant, username, passwordHash, resource, claims, roles: [] });
      const enqueued = await this.outbox.record(trx, { tenant, userId: created.id, username, operation: 'create', claims });
      return { user: created, jobs: enqueued };
    }));
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

  /** PUT: replaces every attribute the client may write (immutable ones must keep their value). */
  async replace(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<UserWriteResult> {
    return this.write(tenant, id, ifMatch, async (current) => {
      const { resource } = validateResource(body, 'User', { mode: 'replace', existing: current.resource as ScimResource });
      return extractPassword(resource);
    });
  }

  /** PATCH (RFC 7644 3.5.2); a PATCH that changes nothing keeps the version and lastModified. */
  async patch(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<UserWriteResult> {
    return this.write(tenant, id, ifMatch, async (current) => patched(current, body));
  }

  /**
   * `/Me` PUT: a user may change only their own profile data and password ({@link assertSelfServiceChange}),
   * and no claim that an enabled target sends into a privileged remote field.
   */
  async replaceSelf(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<UserWriteResult> {
    return this.write(
      tenant,
      id,
      ifMatch,
      async (current) => {
        const { resource } = validateResource(body, 'User', { mode: 'replace', existing: current.resource as ScimResource });
        const next = extractPassword(resource);
        assertSelfServiceChange(current.resource, next.resource);
        return next;
      },
      (trx, t, changed) => this.assertNotPrivileged(trx, t, changed),
    );
  }

  /** `/Me` PATCH, under the same rules as {@link replaceSelf}. */
  async patchSelf(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<UserWriteResult> {
    return this.write(
      tenant,
      id,
      ifMatch,
      async (current) => {
        const next = patched(current, body);
        if (next) assertSelfServiceChange(current.resource, next.resource);
        return next;
      },
      (trx, t, changed) => this.assertNotPrivileged(trx, t, changed),
    );
  }

  async delete(tenant: string, id: string, ifMatch?: string): Promise<void> {
    await withConflictRetry(() => this.database.db.transaction().execute(async (trx) => {
      const current = await this.users.getById(tenant, id, trx);
      checkPrecondition(current.version, ifMatch, `User ${id}`);
      this.assertNotSuperAdmin(current, 'deleted');
      await this.assertNotLastAdmin(trx, current, 'deleted');
      const containing = await this.groups.groupsOf(tenant, id, trx);
      await this.users.delete(trx, tenant, id);
      await this.groups.removeMember(trx, tenant, id);
      await this.outbox.record(trx, { tenant, userId: id, username: current.username, operation: 'delete', claims: current.claims });
      await this.memberships.userRemoved(trx, tenant, { localId: id, username: current.username }, containing);
    }));
    this.credentials.invalidateUser(id);
    this.outbox.committed();
  }

  /**
   * Without If-Match a concurrent write (e.g. a group-driven role refresh) is absorbed by applying the
   * change again to the fresh version; with If-Match it is a 412, as RFC 7644 3.14 says.
   */
  private async write(tenant: string, id: string, ifMatch: string | undefined, change: Change, check?: ClaimCheck): Promise<UserWriteResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.writeOnce(tenant, id, ifMatch, change, check);
      } catch (error) {
        if (!(error instanceof ConcurrentChange)) throw error;
        if (ifMatch !== undefined) throw new PreconditionFailedError(`User ${id} was changed concurrently`, { scimType: 'invalidVers' });
        if (attempt >= 3) throw new ConflictError(`User ${id} keeps changing concurrently; retry`);
      }
    }
  }

  private async writeOnce(tenant: string, id: string, ifMatch: string | undefined, change: Change, check?: ClaimCheck): Promise<UserWriteResult> {
    const current = await this.users.getById(tenant, id);
    checkPrecondition(current.version, ifMatch, `User ${id}`);
    const next = await change(current);
    if (next === undefined) return { user: current, outbound: [] };
    const username = this.localUsername(String(next.resource.userName ?? ''), tenant);
    const deactivating = isInactive(next.resource) && !isInactive(current.resource);
    if (deactivating) this.assertNotSuperAdmin(current, 'deactivated');
    if (username.toLowerCase() !== current.username.toLowerCase()) {
      this.assertNotSuperAdmin(current, 'renamed');
      this.assertNotReserved(tenant, username);
      this.policy.validateUsername(username);
    }
    if (next.password !== undefined) this.policy.validatePassword(next.password);
    const passwordHash = next.password !== undefined ? await hashPassword(next.password) : current.passwordHash;
    const resource = { ...next.resource, userName: username };
    const { user, jobs } = await withConflictRetry(() => this.database.db.transaction().execute(async (trx) => {
      const fresh = await this.users.getById(tenant, id, trx);
      if (fresh.version !== current.version) throw new ConcurrentChange();
      if (deactivating) await this.assertNotLastAdmin(trx, current, 'deactivated');
      const groups = await this.groups.groupsOf(tenant, id, trx);
      const claims = claimsOf(resource, groups);
      const changedClaims = diffClaims(current.claims, claims);
      await check?.(trx, tenant, changedClaims);
      const updated = await this.users.update(trx, { ...current, username, resource, claims, passwordHash });
      const enqueued =
        changedClaims.length > 0
          ? await this.outbox.record(trx, { tenant, userId: id, username, operation: 'update', claims, changedClaims, previousClaims: current.claims })
          : [];
      await this.memberships.userJoinedTargets(trx, tenant, updated, enqueued, groups);
      return { user: updated, jobs: enqueued };
    }));
    // A new password or a deactivation ends remembered sign-ins at once.
    if (next.password !== undefined || isInactive(resource)) this.credentials.invalidateUser(id);
    if (jobs.length > 0) this.outbox.committed();
    return { user, outbound: await this.awaitBlocking(jobs) };
  }

  /** The privileged-field rule against the tenant's enabled targets. */
  private async assertNotPrivileged(trx: Transaction<Database>, tenant: string, changedClaims: string[]): Promise<void> {
    if (changedClaims.length === 0) return;
    const targets = await this.resident.enabledTargets(tenant, trx);
    assertNoPrivilegedClaimChange(
      changedClaims,
      targets.map(({ idp, definition }) => ({ idpName: idp.name, claims: idp.claims, isPrivileged: (field: string) => isPrivilegedField(definition.manifest, field) })),
    );
  }

  /** The configured super admin keeps its name and cannot be deleted or deactivated through SCIM. */
  private assertNotSuperAdmin(user: StoredUser, what: string): void {
    if (user.tenant === this.policy.superTenantDomain && user.username.toLowerCase() === this.directory.superAdminUsername.toLowerCase()) {
      throw new ForbiddenError(`The super admin "${user.username}" cannot be ${what} through SCIM; change [super_admin] in deployment.toml`);
    }
  }

  /** A tenant always keeps an active administrator: its last one cannot be deleted or deactivated. */
  private async assertNotLastAdmin(trx: Transaction<Database>, user: StoredUser, what: string): Promise<void> {
    if (!user.roles.includes(ADMIN_ROLE) || isInactive(user.resource)) return;
    if ((await this.users.countOthersWithRole(user.tenant, ADMIN_ROLE, user.id, trx)) > 0) return;
    throw new ConflictError(`"${user.username}" is the last administrator of tenant ${user.tenant} and cannot be ${what}; the tenant would have no administrator left`, {
      scimType: 'mutability',
    });
  }

  /** The super admin's username is reserved in the super tenant. */
  private assertNotReserved(tenant: string, username: string): void {
    if (tenant === this.policy.superTenantDomain && username.toLowerCase() === this.directory.superAdminUsername.toLowerCase()) {
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
    await withConflictRetry(() => this.database.db.transaction().execute(async (trx) => {
      const current = await this.users.findById(user.tenant, user.id, trx);
      if (!current || current.version !== user.version) return; // changed meanwhile: leave it
      await this.users.delete(trx, user.tenant, user.id);
      await this.outbox.record(trx, { tenant: user.tenant, userId: user.id, username: user.username, operation: 'delete', claims: user.claims });
    }));
    this.outbox.committed();
  }

  /** SCIM userName in a tenant: a trailing `@tenant` equal to the request's tenant is dropped. */
  private localUsername(userName: string, tenant: string): string {
    if (userName.trim() === '') throw new ValidationError('userName is required', { scimType: 'invalidValue' });
    if (tenant === this.policy.superTenantDomain) return userName;
    return this.policy.parseQualifiedUsername(userName, tenant).username;
  }
}

/** A PATCH applied to the stored user (server-managed attributes dropped), or undefined when nothing changed. */
function patched(current: StoredUser, body: unknown): { resource: ScimResource; password?: string } | undefined {
  const { resource, changed } = applyPatch({ ...current.resource, id: current.id } as ScimResource, body, 'User');
  if (!changed) return undefined;
  const { id: _id, meta: _meta, groups: _groups, ...rest } = resource as Record<string, unknown>;
  return extractPassword(rest as ScimResource);
}
