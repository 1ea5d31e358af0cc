import { inject, injectable } from 'inversify';
import { computeOutboundAttributes } from '@provisioning/claims';
import { notSupported } from '@provisioning/connector-kit';
import type {
  GroupProvisioningOperation,
  GroupProvisioningResult,
  OperationKind,
  ProvisioningOperation,
  ProvisioningResult,
  RemoteCallRecord,
} from '@provisioning/connector-kit';
import { errorMessage, isProvisioningError, UpstreamRejectedError, UpstreamThrottledError, UpstreamUnavailableError, ValidationError } from '@provisioning/errors';
import { DATABASE } from '@provisioning/persistence';
import type { Database, DatabaseHandle } from '@provisioning/persistence';
import type { Kysely, Transaction } from 'kysely';
import { ConnectorInstances } from './connector-instances';
import type { ConnectorConfiguration, IdentityProvider } from './identity-provider';
import { IdentityProviderService } from './identity-provider-service';
import type { JobError, ProvisioningJob } from './jobs';
import type { CoreLogger } from './logger';
import { ROLE_CLAIM } from './outbox';
import { decideAfterFailure } from './retry-policy';
import type { ProvisioningSettings } from './settings';
import { CORE_LOGGER, PROVISIONING_SETTINGS } from './tokens';

/** How one delivery attempt ended, for metrics and waiters. */
export interface DeliveryOutcome {
  jobId: number;
  state: 'succeeded' | 'retrying' | 'failed';
  result?: ProvisioningResult | GroupProvisioningResult;
  error?: JobError;
  durationMs: number;
  /** Set when the remote system throttled us: leave this connector alone until then. */
  pausedUntil?: number;
  /** Jobs coalesced into this one that settled with it (their waiters are told too). */
  settledWith: number[];
  /** True when another worker had taken the job over: this outcome was not recorded. */
  lost: boolean;
}

/** Observer of attempts (metrics). */
export type AttemptObserver = (outcome: DeliveryOutcome, job: ProvisioningJob) => void;

/**
 * Delivers one leased job: builds the operation from the job's claim snapshot and the IdP's claim
 * configuration, calls the connector with a deadline, then records the attempt, the job's new state and
 * the provisioned identity in one transaction. A remote id is stored only when the remote system
 * returned one (WSO2 stored a random id after a failed create).
 */
@injectable()
export class JobDelivery {
  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(IdentityProviderService) private readonly idps: IdentityProviderService,
    @inject(ConnectorInstances) private readonly instances: ConnectorInstances,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
    @inject(CORE_LOGGER) private readonly logger: CoreLogger,
  ) {}

  async deliver(job: ProvisioningJob, leaseOwner: string): Promise<DeliveryOutcome> {
    const started = Date.now();
    const calls: RemoteCallRecord[] = [];
    let result: ProvisioningResult | GroupProvisioningResult | undefined;
    let failure: unknown;
    let operation: { kind: string } | undefined;
    try {
      const { idp, connector } = await this.target(job);
      const identity = await this.identity(job);
      if (job.entityType === 'GROUP') {
        const groupOperation = await this.buildGroupOperation(job, identity?.remote_id ?? undefined);
        operation = groupOperation;
        result = await this.withDeadline(job, (signal) => {
          const instance = this.instances.get(idp, connector);
          const manifest = this.idps.definitionOf(connector.connectorType).manifest;
          if (!manifest.capabilities.groups || !instance.provisionGroup) throw notSupported(manifest, 'groups');
          return instance.provisionGroup(groupOperation, { record: (c) => calls.push(c), signal, assertLinkable: this.linkGuard(job) });
        });
        await this.assertNotOwnedByAnother(job, result);
      } else {
        const userOperation = this.buildOperation(job, idp, identity?.remote_id ?? undefined);
        operation = userOperation;
        const userResult = await this.call(job, idp, connector, userOperation, calls);
        result = userResult;
        await this.assertNotOwnedByAnother(job, userResult);
      }
    } catch (error) {
      result = undefined;
      failure = error;
    }
    const durationMs = Date.now() - started;
    return this.settle(job, leaseOwner, operation, result, failure, calls, durationMs);
  }

  private async target(job: ProvisioningJob): Promise<{ idp: IdentityProvider; connector: ConnectorConfiguration }> {
    const idp = await this.idps.get(job.tenant, job.idpId).catch((error: unknown) => {
      if (isProvisioningError(error) && error.kind === 'not-found') return undefined;
      throw error;
    });
    if (!idp) throw new ValidationError(`identity provider "${job.idpName}" no longer exists`);
    const connector = idp.connectors.find((c) => c.connectorType === job.connectorType);
    if (!connector) throw new ValidationError(`identity provider "${idp.name}" no longer has a ${job.connectorType} connector`);
    if (!connector.isEnabled || !idp.isEnabled) {
      // Maintenance, not failure: queued work waits (without spending attempts) until it is enabled again.
      throw new UpstreamThrottledError(`${idp.isEnabled ? `the ${job.connectorType} connector of "${idp.name}"` : `identity provider "${idp.name}"`} is disabled; the job waits`, {
        remoteCode: 'CONNECTOR_DISABLED',
      });
    }
    return { idp, connector };
  }

  /**
   * The ownership check connectors call before writing to a remote account they found by lookup
   * (linking after DUPLICATE_USERNAME, deprovisioning without a stored id): an account that already
   * belongs to another live local user is never written (two local users with the same email would
   * otherwise share, overwrite and deprovision one remote account).
   */
  private linkGuard(job: ProvisioningJob): (remote: { remoteId: string; remoteName?: string }) => Promise<void> {
    return async ({ remoteId, remoteName }) => {
      const owner = await this.ownerOf(job, remoteId);
      if (owner) {
        throw new UpstreamRejectedError(
          `The remote account ${remoteId}${remoteName ? ` (${remoteName})` : ''} already belongs to local ${job.entityType === 'GROUP' ? 'group' : 'user'} "${owner}"; nothing was written to it. Give them distinct remote ${job.entityType === 'GROUP' ? 'names' : 'usernames'}`,
          { remoteCode: 'REMOTE_ACCOUNT_IN_USE' },
        );
      }
    };
  }

  /** Safety net for connectors that do not call the guard: the link is not recorded for a second owner. */
  private async assertNotOwnedByAnother(job: ProvisioningJob, result: ProvisioningResult | GroupProvisioningResult): Promise<void> {
    if (result.outcome !== 'linked' || !result.remoteId) return;
    await this.linkGuard(job)({ remoteId: result.remoteId, ...(result.remoteName ? { remoteName: result.remoteName } : {}) });
  }

  /** The other local entity provisioned to this remote id on this target, if any. */
  private async ownerOf(job: ProvisioningJob, remoteId: string): Promise<string | undefined> {
    const owner = await this.database.db
      .selectFrom('provisioned_identities')
      .select(['entity_name'])
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('entity_type', '=', job.entityType)
      .where('remote_id', '=', remoteId)
      .where('entity_id', '!=', job.entityId)
      .where('state', '=', 'provisioned')
      .executeTakeFirst();
    return owner?.entity_name;
  }

  private identity(job: ProvisioningJob, db: Kysely<Database> | Transaction<Database> = this.database.db) {
    return db
      .selectFrom('provisioned_identities')
      .selectAll()
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('entity_id', '=', job.entityId)
      .executeTakeFirst();
  }

  /** Maps claims to remote attributes; an update of a user with no remote account becomes a create. */
  buildOperation(job: ProvisioningJob, idp: IdentityProvider, remoteId: string | undefined): ProvisioningOperation {
    const claims = mapRoles(job.payload.claims, idp.roles.mappings);
    const allAttributes = computeOutboundAttributes(claims, idp.claims);
    let kind: OperationKind = job.operation;
    if (kind === 'update' && !remoteId) kind = 'create';
    let attributes = allAttributes;
    // After an attempt whose outcome is unknown (timeout after sending), re-send the whole latest
    // state: a late-landing older PATCH is then repaired by this one instead of leaving stale fields.
    const resendAll = job.lastError?.outcomeUnknown === true;
    if (kind === 'update' && !resendAll) {
      attributes = computeOutboundAttributes(claims, idp.claims, {
        onlyChangedLocalClaims: new Set(job.payload.changedClaims ?? []),
      });
    } else if (kind === 'deprovision') {
      attributes = [];
    }
    return {
      kind,
      entityType: 'USER',
      localId: job.entityId,
      username: job.entityName,
      tenantDomain: job.tenant,
      attributes,
      allAttributes,
      ...(remoteId ? { remoteId } : {}),
    };
  }

  private async call(
    job: ProvisioningJob,
    idp: IdentityProvider,
    configuration: ConnectorConfiguration,
    operation: ProvisioningOperation,
    calls: RemoteCallRecord[],
  ): Promise<ProvisioningResult> {
    const definition = this.idps.definitionOf(configuration.connectorType);
    const caps = definition.manifest.capabilities.users;
    const declared = operation.kind === 'create' ? caps.create : operation.kind === 'update' ? caps.update : caps.deprovision;
    if (!declared) throw notSupported(definition.manifest, operation.kind);
    if (operation.kind === 'update' && operation.attributes.length === 0) {
      return { outcome: 'unchanged', remoteId: operation.remoteId, note: 'no mapped attribute changed' };
    }
    const instance = this.instances.get(idp, configuration);
    return this.withDeadline(job, (signal) => instance.provision(operation, { record: (c) => calls.push(c), signal, assertLinkable: this.linkGuard(job) }));
  }

  /** Runs a connector call under the delivery deadline; the connector sees the abort signal. */
  private async withDeadline<T>(job: ProvisioningJob, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // A delivery may take several remote calls (token, lookup, write, freeze): each has its own timeout.
    const deadline = this.settings.requestTimeoutMs * 6;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new UpstreamUnavailableError(`${job.connectorType} operation did not finish within ${deadline} ms`, { outcomeUnknown: true }));
      }, deadline);
    });
    try {
      return await Promise.race([run(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A group operation with its members' remote ids on this target. A member whose own create is still
   * queued for this target makes the group job wait (retry) so membership never refers to a missing
   * account; members not provisioned there (e.g. outside provisioning roles) are left out.
   */
  private async buildGroupOperation(job: ProvisioningJob, remoteId: string | undefined): Promise<GroupProvisioningOperation> {
    const group = job.payload.group ?? { displayName: job.entityName, members: [], added: [], removed: [] };
    const ids = [...new Set([...group.members, ...group.added, ...group.removed].map((m) => m.localId))];
    const memberIds = [...new Set(group.members.map((m) => m.localId))];
    // Open member jobs are read before the identities: a member job that settles in between then has
    // its identity read, and one still open is seen as open (read the other way round, a job settling
    // in between was neither open nor provisioned, and the member was silently left out).
    const open = memberIds.length === 0 ? [] : await this.database.db
      .selectFrom('provisioning_jobs')
      .select('entity_id')
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('entity_type', '=', 'USER')
      .where('entity_id', 'in', memberIds)
      .where('state', 'in', ['pending', 'running', 'retrying'])
      .execute();
    const identities = ids.length === 0 ? [] : await this.database.db
      .selectFrom('provisioned_identities')
      .select(['entity_id', 'remote_id', 'state'])
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('entity_type', '=', 'USER')
      .where('entity_id', 'in', ids)
      .execute();
    const remoteOf = new Map(identities.filter((i) => i.remote_id && i.state === 'provisioned').map((i) => [i.entity_id, i.remote_id!] as const));
    // A removed member may already be deprovisioned (its own job ran first): still remove it by its id.
    const anyRemoteOf = new Map(identities.filter((i) => i.remote_id).map((i) => [i.entity_id, i.remote_id!] as const));
    const pending = new Set(open.map((o) => o.entity_id));
    if (group.members.some((m) => !remoteOf.has(m.localId) && pending.has(m.localId))) {
      throw new UpstreamUnavailableError('waiting for group members to be provisioned first', { remoteCode: 'MEMBERS_PENDING', details: { waitingForMembers: true } });
    }
    const withRemote = (list: Array<{ localId: string; username: string }>, ids: Map<string, string> = remoteOf) =>
      list.filter((m) => ids.has(m.localId)).map((m) => ({ localId: m.localId, username: m.username, remoteId: ids.get(m.localId) }));
    // Group jobs carry deltas; after a lost delta (an earlier job of this group failed or was
    // discarded, or this one's outcome is unknown) the remote membership is replaced as a whole.
    const previous = await this.database.db
      .selectFrom('provisioning_jobs')
      .select('state')
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('chain_key', '=', `group:${job.entityId}`)
      .where('id', '<', job.id)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const resync = job.lastError?.outcomeUnknown === true || previous?.state === 'failed' || previous?.state === 'discarded';
    const added = resync ? group.members : group.added;
    let kind: GroupProvisioningOperation['kind'] = job.operation === 'deprovision' ? 'delete' : job.operation;
    if (kind === 'update' && !remoteId) kind = 'create';
    if (kind === 'create' && remoteId) kind = 'update';
    return {
      kind,
      entityType: 'GROUP',
      localId: job.entityId,
      displayName: group.displayName,
      tenantDomain: job.tenant,
      members: withRemote(group.members),
      addedMembers: withRemote(added),
      removedMembers: withRemote(group.removed, anyRemoteOf),
      ...(resync ? { replaceMembers: true } : {}),
      ...(remoteId ? { remoteId } : {}),
    };
  }

  private async settle(
    job: ProvisioningJob,
    leaseOwner: string,
    operation: { kind: string } | undefined,
    result: ProvisioningResult | GroupProvisioningResult | undefined,
    failure: unknown,
    calls: RemoteCallRecord[],
    durationMs: number,
  ): Promise<DeliveryOutcome> {
    const now = Date.now();
    const error = failure === undefined ? undefined : toJobError(failure);
    const throttled = error?.kind === 'upstream-throttled';
    const pausedUntil = throttled ? now + Math.max((failure as { retryAfterMs?: number }).retryAfterMs ?? 0, this.settings.throttlePauseMs) : undefined;
    // Throttling is not a failure of this job: it waits for the pause and keeps its attempt budget.
    // A group waiting for its members' creates is not failing either: it waits without spending attempts.
    // Marked by this engine (details), never by a remote answer.
    const waiting = (failure as { details?: { waitingForMembers?: unknown } } | undefined)?.details?.waitingForMembers === true;
    const decision =
      failure === undefined
        ? undefined
        : throttled
          ? { retry: true as const, delayMs: pausedUntil! - now }
          : waiting
            ? { retry: true as const, delayMs: Math.min(this.settings.maxBackoffMs, this.settings.initialBackoffMs * 4) }
            : decideAfterFailure(failure, job.attempts, this.settings);
    const state: DeliveryOutcome['state'] = !error ? 'succeeded' : decision?.retry ? 'retrying' : 'failed';
    if (error && !isProvisioningError(failure)) {
      this.logger.error({ err: failure, jobId: job.id }, 'unexpected error while delivering a provisioning job');
    }
    const lastCall = calls.at(-1);
    let lost = false;
    let settledWith: number[] = [];
    await this.database.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('provisioning_jobs')
        .set({
          state,
          updated_at: now,
          lease_owner: null,
          lease_expires_at: null,
          last_error: error ? JSON.stringify(error) : null,
          next_attempt_at: decision?.retry ? now + decision.delayMs : job.nextAttemptAt,
          completed_at: state === 'retrying' ? null : now,
          ...(throttled || waiting ? { attempts: Math.max(0, job.attempts - 1) } : {}),
        })
        .where('id', '=', job.id)
        .where('lease_owner', '=', leaseOwner)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        // Our lease was taken over (we were too slow); the new owner records its own outcome.
        lost = true;
        return;
      }
      if (state !== 'retrying') {
        // Updates coalesced into this job settle with it.
        const followers = await trx
          .selectFrom('provisioning_jobs')
          .select('id')
          .where('coalesced_into', '=', job.id)
          .where('state', 'in', state === 'succeeded' ? ['pending', 'failed'] : ['pending'])
          .execute();
        settledWith = followers.map((f) => f.id);
        await trx
          .updateTable('provisioning_jobs')
          .set({ state, updated_at: now, completed_at: now, last_error: error ? JSON.stringify(error) : null })
          .where('coalesced_into', '=', job.id)
          .where('state', 'in', state === 'succeeded' ? ['pending', 'failed'] : ['pending'])
          .execute();
      }
      await trx
        .insertInto('provisioning_attempts')
        .values({
          job_id: job.id,
          tenant: job.tenant,
          idp_id: job.idpId,
          idp_name: job.idpName,
          connector_type: job.connectorType,
          entity_id: job.entityId,
          entity_name: job.entityName,
          operation: operation?.kind ?? job.operation,
          calls: JSON.stringify(calls),
          outcome: result ? result.outcome : state === 'retrying' ? 'retrying' : 'failed',
          http_status: error?.status ?? lastCall?.status ?? null,
          remote_code: error?.remoteCode ?? null,
          remote_message: error?.remoteMessage ?? error?.message ?? result?.note ?? null,
          remote_id: result?.remoteId ?? null,
          duration_ms: durationMs,
          at: now,
        })
        .execute();
      const existing = await this.identity(job, trx);
      const remoteId = result?.remoteId ?? existing?.remote_id ?? null;
      const identityState = result
        ? result.outcome === 'deprovisioned' || result.outcome === 'deleted' || operation?.kind === 'deprovision' || operation?.kind === 'delete'
          ? 'deprovisioned'
          : 'provisioned'
        : (existing?.state ?? 'failed');
      const values = {
        tenant: job.tenant,
        idp_id: job.idpId,
        connector_type: job.connectorType,
        entity_type: job.entityType,
        entity_id: job.entityId,
        entity_name: job.entityName,
        remote_id: remoteId,
        remote_name: result?.remoteName ?? existing?.remote_name ?? null,
        state: identityState,
        last_job_id: job.id,
        last_attempt_at: now,
        last_error: error ? JSON.stringify(error) : null,
        updated_at: now,
      };
      if (existing) {
        await trx
          .updateTable('provisioned_identities')
          .set(values)
          .where('idp_id', '=', job.idpId)
          .where('connector_type', '=', job.connectorType)
          .where('entity_id', '=', job.entityId)
          .execute();
      } else {
        await trx.insertInto('provisioned_identities').values(values).execute();
      }
    });
    const log = this.logger.child({ jobId: job.id, idp: job.idpName, connector: job.connectorType, user: job.entityName, op: operation?.kind ?? job.operation });
    if (state === 'succeeded') log.info({ outcome: result?.outcome, remoteId: result?.remoteId, durationMs }, 'provisioning job delivered');
    else log.warn({ state, attempts: job.attempts, error }, state === 'retrying' ? 'provisioning attempt failed; will retry' : 'provisioning job failed');
    return { jobId: job.id, state, result, error, durationMs, settledWith, lost, ...(pausedUntil !== undefined ? { pausedUntil } : {}) };
  }
}

/**
 * IdP role mappings (local role -> IdP role): with mappings, the role claim carries the mapped IdP roles
 * of the user's local roles, and unmapped local roles are not sent; without mappings, roles pass as they are.
 */
export function mapRoles(claims: Record<string, string>, mappings: ReadonlyArray<{ idpRole: string; localRole: string }>): Record<string, string> {
  const roles = claims[ROLE_CLAIM];
  if (mappings.length === 0 || roles === undefined) return claims;
  // In the order of the mappings: the first mapping is the preferred role for single-valued fields.
  const held = new Set(roles.split(',').map((r) => r.trim().toLowerCase()));
  const mapped = [...new Set(mappings.filter((m) => held.has(m.localRole.toLowerCase())).map((m) => m.idpRole))];
  const next = { ...claims };
  if (mapped.length > 0) next[ROLE_CLAIM] = mapped.join(',');
  else delete next[ROLE_CLAIM];
  return next;
}

function toJobError(error: unknown): JobError {
  if (isProvisioningError(error)) {
    const upstream = error as { status?: number; remoteCode?: string; remoteMessage?: string };
    return {
      kind: error.kind,
      message: error.message,
      ...(error.code ? { code: error.code } : {}),
      ...(upstream.status !== undefined ? { status: upstream.status } : {}),
      ...(upstream.remoteCode ? { remoteCode: upstream.remoteCode } : {}),
      ...(upstream.remoteMessage ? { remoteMessage: upstream.remoteMessage } : {}),
      ...((error as { outcomeUnknown?: boolean }).outcomeUnknown ? { outcomeUnknown: true } : {}),
    };
  }
  return { kind: 'internal', message: errorMessage(error) };
}
