import { inject, injectable } from 'inversify';
import { scimPatch } from 'scim-patch';
import type { ScimPatchOperation, ScimResource } from 'scim-patch';
import { scimUserToLocalClaims } from '@provisioning/claims';
import { PROVISIONING_SETTINGS, ProvisioningOutbox, ProvisioningWorker } from '@provisioning/core';
import type { EnqueuedJob, JobState, ProvisioningSettings } from '@provisioning/core';
import { PreconditionFailedError, UpstreamRejectedError, ValidationError } from '@provisioning/errors';
import { DATABASE } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { CREDENTIAL_CACHE, hashPassword, USER_STORE_POLICY, UserRepository } from '@provisioning/user-store';
import type { CredentialCache, StoredUser, UserPage, UserStorePolicy } from '@provisioning/user-store';
import { etagOf, normaliseUserInput } from './scim-user';

/** The outcome of a write: the user and, with blocking targets, what each of them reported. */
export interface UserWriteResult {
  user: StoredUser;
  outbound: Array<{ jobId: number; idp: string; connector: string; state: JobState }>;
}

const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * User lifecycle behind SCIM: validates against the user-store policy, writes the user and its
 * provisioning jobs in one transaction, wakes the worker, and waits for blocking targets.
 */
@injectable()
export class UserService {
  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(USER_STORE_POLICY) private readonly policy: UserStorePolicy,
    @inject(CREDENTIAL_CACHE) private readonly credentials: CredentialCache,
    @inject(ProvisioningOutbox) private readonly outbox: ProvisioningOutbox,
    @inject(ProvisioningWorker) private readonly worker: ProvisioningWorker,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
  ) {}

  async create(tenant: string, body: unknown): Promise<UserWriteResult> {
    const input = normaliseUserInput(body);
    const username = this.localUsername(input.userName, tenant);
    this.policy.validateUsername(username);
    if (input.password !== undefined) this.policy.validatePassword(input.password);
    const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
    const resource = { ...input.resource, userName: username };
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
      await this.compensateFailedCreate(user, failed.map((f) => f.jobId));
      throw new UpstreamRejectedError(
        `User "${username}" was not created: outbound provisioning to ${failed.map((f) => f.idp).join(', ')} failed`,
        { description: 'See GET /api/server/v1/provisioning/logs for the remote error.' },
      );
    }
    return { user, outbound };
  }

  async get(tenant: string, id: string): Promise<StoredUser> {
    return this.users.getById(tenant, id);
  }

  async list(tenant: string, options: { username?: string; startIndex: number; count: number }): Promise<UserPage> {
    const username = options.username === undefined ? undefined : this.localUsername(options.username, tenant);
    return this.users.list(tenant, { ...options, username });
  }

  /** PUT: replaces every attribute the client may write. */
  async replace(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<UserWriteResult> {
    const input = normaliseUserInput(body);
    return this.write(tenant, id, ifMatch, async (current) => {
      const username = this.localUsername(input.userName, tenant);
      if (username.toLowerCase() !== current.username.toLowerCase()) this.policy.validateUsername(username);
      return { resource: { ...input.resource, userName: username }, password: input.password };
    });
  }

  /** PATCH (RFC 7644 3.5.2) applied with scim-patch. */
  async patch(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<UserWriteResult> {
    const request = body as { schemas?: unknown; Operations?: unknown } | undefined;
    if (!request || !Array.isArray(request.schemas) || !request.schemas.includes(PATCH_SCHEMA)) {
      throw new ValidationError(`PATCH body must list the schema ${PATCH_SCHEMA}`, { scimType: 'invalidSyntax' });
    }
    if (!Array.isArray(request.Operations) || request.Operations.length === 0) {
      throw new ValidationError('PATCH body must have a non-empty "Operations" array', { scimType: 'invalidSyntax' });
    }
    const operations = request.Operations as ScimPatchOperation[];
    return this.write(tenant, id, ifMatch, async (current) => {
      let password: string | undefined;
      const rest: ScimPatchOperation[] = [];
      for (const op of operations) {
        const path = (op as { path?: string }).path;
        const value = (op as { value?: unknown }).value;
        if (path?.toLowerCase() === 'password') {
          if (typeof value !== 'string') throw new ValidationError('password must be a string', { scimType: 'invalidValue' });
          password = value;
        } else if (!path && value && typeof value === 'object' && 'password' in value) {
          const { password: p, ...others } = value as Record<string, unknown>;
          if (typeof p !== 'string') throw new ValidationError('password must be a string', { scimType: 'invalidValue' });
          password = p;
          rest.push({ ...op, value: others } as ScimPatchOperation);
        } else {
          rest.push(op);
        }
      }
      const base = { ...current.resource, id: current.id, meta: { resourceType: 'User' } } as unknown as ScimResource;
      let patched: Record<string, unknown>;
      try {
        patched = rest.length > 0 ? (scimPatch(base, rest, { mutateDocument: false }) as unknown as Record<string, unknown>) : { ...base };
      } catch (error) {
        const e = error as { scimType?: string; message?: string };
        throw new ValidationError(`Invalid PATCH: ${e.message ?? String(error)}`, { scimType: e.scimType ?? 'invalidValue', cause: error });
      }
      const { id: _id, meta: _meta, ...resource } = patched;
      const input = normaliseUserInput(resource);
      const username = this.localUsername(input.userName, tenant);
      if (username.toLowerCase() !== current.username.toLowerCase()) this.policy.validateUsername(username);
      return { resource: { ...input.resource, userName: username }, password };
    });
  }

  async delete(tenant: string, id: string, ifMatch?: string): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      const current = await this.users.getById(tenant, id, trx);
      checkPrecondition(current, ifMatch);
      await this.users.delete(trx, tenant, id);
      await this.outbox.record(trx, { tenant, userId: id, username: current.username, operation: 'delete', claims: current.claims });
    });
    this.credentials.invalidateUser(id);
    this.outbox.committed();
  }

  private async write(
    tenant: string,
    id: string,
    ifMatch: string | undefined,
    change: (current: StoredUser) => Promise<{ resource: Record<string, unknown>; password?: string }>,
  ): Promise<UserWriteResult> {
    const current = await this.users.getById(tenant, id);
    checkPrecondition(current, ifMatch);
    const next = await change(current);
    if (next.password !== undefined) this.policy.validatePassword(next.password);
    const passwordHash = next.password !== undefined ? await hashPassword(next.password) : current.passwordHash;
    const claims = scimUserToLocalClaims(next.resource);
    const changedClaims = diffClaims(current.claims, claims);
    const { user, jobs } = await this.database.db.transaction().execute(async (trx) => {
      const updated = await this.users.update(trx, {
        ...current,
        username: next.resource.userName as string,
        resource: next.resource,
        claims,
        passwordHash,
      });
      const enqueued =
        changedClaims.length > 0
          ? await this.outbox.record(trx, { tenant, userId: id, username: updated.username, operation: 'update', claims, changedClaims, previousClaims: current.claims })
          : [];
      return { user: updated, jobs: enqueued };
    });
    if (next.password !== undefined) this.credentials.invalidateUser(id);
    if (jobs.length > 0) this.outbox.committed();
    return { user, outbound: await this.awaitBlocking(jobs) };
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

  /** fail_on_blocking_outbound_provision_failure: remove the local user; other targets get a deprovision. */
  private async compensateFailedCreate(user: StoredUser, failedJobIds: number[]): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      await this.users.delete(trx, user.tenant, user.id);
      const jobs = await this.outbox.record(trx, { tenant: user.tenant, userId: user.id, username: user.username, operation: 'delete', claims: user.claims });
      const failedTargets = await trx.selectFrom('provisioning_jobs').select(['idp_id', 'connector_type']).where('id', 'in', failedJobIds).execute();
      for (const job of jobs) {
        const row = await trx.selectFrom('provisioning_jobs').select(['idp_id', 'connector_type']).where('id', '=', job.id).executeTakeFirstOrThrow();
        if (failedTargets.some((t) => t.idp_id === row.idp_id && t.connector_type === row.connector_type)) {
          await trx.updateTable('provisioning_jobs').set({ state: 'discarded', completed_at: Date.now(), updated_at: Date.now() }).where('id', '=', job.id).execute();
        }
      }
    });
    this.outbox.committed();
  }

  /** SCIM userName in a tenant: a trailing `@tenant` equal to the request's tenant is dropped. */
  private localUsername(userName: string, tenant: string): string {
    if (tenant === this.policy.superTenantDomain) return userName;
    return this.policy.parseQualifiedUsername(userName, tenant).username;
  }
}

function checkPrecondition(user: StoredUser, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (!tags.includes(etagOf(user.version)) && !tags.includes(`"${user.version}"`)) {
    throw new PreconditionFailedError(`User ${user.id} has changed (current version ${etagOf(user.version)})`, { scimType: 'invalidVers' });
  }
}

/** Local claims added, changed or removed. */
export function diffClaims(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}
