import { inject, injectable } from 'inversify';
import type { Selectable } from 'kysely';
import type { ProvisionedIdentityTable } from '@provisioning/persistence';
import { notSupported } from '@provisioning/connector-kit';
import type { GroupProvisioningResult, ProvisioningOperation, ProvisioningResult, RemoteCallRecord } from '@provisioning/connector-kit';
import { errorMessage, isProvisioningError, UpstreamRejectedError, UpstreamUnavailableError, ValidationError } from '@provisioning/errors';
import { ConnectorInstances } from './connector-instances';
import { decideDelivery, stateAfter } from './delivery-policy';
import type { DeliveryAttempt, DeliveryDecision } from './delivery-policy';
import type { ConnectorConfiguration, IdentityProvider } from './identity-provider';
import { IdentityProviderService } from './identity-provider-service';
import { JobStore } from './job-store';
import type { Settlement } from './job-store';
import type { JobError, ProvisioningJob } from './jobs';
import type { CoreLogger } from './logger';
import { buildGroupOperation, buildUserOperation } from './operation-builder';
import type { ProvisioningSettings } from './settings';
import { CORE_LOGGER, PROVISIONING_SETTINGS } from './tokens';

/** How one delivery attempt ended, for metrics and waiters. */
export interface DeliveryOutcome {
  jobId: number;
  state: 'succeeded' | 'retrying' | 'failed' | 'held';
  decision: DeliveryDecision;
  result?: ProvisioningResult | GroupProvisioningResult;
  error?: JobError;
  durationMs: number;
  /** Set when the remote system throttled us: leave this target alone until then. */
  pausedUntil?: number;
  /** Jobs coalesced into this one that settled with it (their waiters are told too). */
  settledWith: number[];
  /** True when another worker had taken the job over: this outcome was not recorded. */
  lost: boolean;
}

/** Observer of attempts (metrics). */
export type AttemptObserver = (outcome: DeliveryOutcome, job: ProvisioningJob) => void;

/** What one attempt did before it is decided: the operation sent, the result or the failure, the calls. */
interface Attempted {
  attempt: DeliveryAttempt;
  operation?: { kind: string };
  result?: ProvisioningResult | GroupProvisioningResult;
  calls: RemoteCallRecord[];
}

/**
 * Delivers one leased job: builds the operation (the pure builder delivery and preview share) from
 * the job's claim snapshot and the IdP's configuration, calls the connector under a deadline, lets
 * the delivery policy decide what the attempt means, and has the job store record the attempt, the
 * job's new state and the provisioned identity in one transaction. A remote id is stored only when
 * the remote system returned one (WSO2 stored a random id after a failed create).
 */
@injectable()
export class JobDelivery {
  constructor(
    @inject(JobStore) private readonly store: JobStore,
    @inject(IdentityProviderService) private readonly idps: IdentityProviderService,
    @inject(ConnectorInstances) private readonly instances: ConnectorInstances,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
    @inject(CORE_LOGGER) private readonly logger: CoreLogger,
  ) {}

  async deliver(job: ProvisioningJob, leaseOwner: string): Promise<DeliveryOutcome> {
    const started = Date.now();
    const attempted = await this.attempt(job).catch((error: unknown): Attempted => ({ attempt: { kind: 'failed', error }, calls: [] }));
    const durationMs = Date.now() - started;
    const now = Date.now();
    const decision = decideDelivery(attempted.attempt, job.attempts, this.settings, now);
    return this.settle(job, leaseOwner, attempted, decision, durationMs, now);
  }

  private async attempt(job: ProvisioningJob): Promise<Attempted> {
    const calls: RemoteCallRecord[] = [];
    const target = await this.target(job);
    if (target === 'disabled') return { attempt: { kind: 'blocked', reason: 'target-disabled' }, calls };
    const { idp, connector } = target;
    if (!(await this.passesGuard(job))) return { attempt: { kind: 'held' }, calls };
    const remoteId = (await this.store.identity(job))?.remote_id ?? undefined;
    const outcomeUnknown = job.lastError?.outcomeUnknown === true;
    let operation: { kind: string } | undefined;
    try {
      if (job.entityType === 'GROUP') {
        const group = job.payload.group ?? { displayName: job.entityName, members: [], added: [], removed: [] };
        const built = buildGroupOperation(
          { operation: job.operation, localId: job.entityId, tenant: job.tenant, group, outcomeUnknown },
          await this.store.groupMemberFacts(job),
          remoteId,
        );
        if (built.kind === 'waiting-for-members') return { attempt: { kind: 'blocked', reason: 'members-pending' }, calls };
        const groupOperation = built.operation;
        operation = groupOperation;
        const result = await this.withDeadline(job, (signal) => {
          const instance = this.instances.get(idp, connector);
          const manifest = this.idps.definitionOf(connector.connectorType).manifest;
          if (!manifest.capabilities.groups || !instance.provisionGroup) throw notSupported(manifest, 'groups');
          return instance.provisionGroup(groupOperation, { record: (c) => calls.push(c), signal, assertLinkable: this.linkGuard(job) });
        });
        await this.assertNotOwnedByAnother(job, result);
        return { attempt: { kind: 'delivered' }, operation, result, calls };
      }
      const userOperation = userOperationOf(job, idp, remoteId);
      operation = userOperation;
      const result = await this.call(job, idp, connector, userOperation, calls);
      await this.assertNotOwnedByAnother(job, result);
      return { attempt: { kind: 'delivered' }, operation, result, calls };
    } catch (error) {
      return { attempt: { kind: 'failed', error }, ...(operation ? { operation } : {}), calls };
    }
  }

  /**
   * The deprovisioning guard: a user deprovision takes one from its target's budget first; once the
   * threshold is reached within the window it is held for an administrator (approved ones pass).
   */
  private async passesGuard(job: ProvisioningJob): Promise<boolean> {
    const { deprovisionThreshold, deprovisionWindowMs } = this.settings;
    if (deprovisionThreshold <= 0 || job.entityType !== 'USER' || job.operation !== 'deprovision' || job.payload.approvedBy) return true;
    return this.store.reserveDeprovision(job, deprovisionThreshold, deprovisionWindowMs);
  }

  /** The job's IdP and connector; a deleted one is a failure, a disabled one makes the job wait. */
  private async target(job: ProvisioningJob): Promise<{ idp: IdentityProvider; connector: ConnectorConfiguration } | 'disabled'> {
    const idp = await this.idps.get(job.tenant, job.idpId).catch((error: unknown) => {
      if (isProvisioningError(error) && error.kind === 'not-found') return undefined;
      throw error;
    });
    if (!idp) throw new ValidationError(`identity provider "${job.idpName}" no longer exists`);
    const connector = idp.connectors.find((c) => c.connectorType === job.connectorType);
    if (!connector) throw new ValidationError(`identity provider "${idp.name}" no longer has a ${job.connectorType} connector`);
    // Maintenance, not failure: queued work waits (without spending attempts) until it is enabled again.
    if (!connector.isEnabled || !idp.isEnabled) return 'disabled';
    return { idp, connector };
  }

  /**
   * The ownership check connectors call before creating a remote account (with its name) and before
   * writing to one they found by lookup (linking after DUPLICATE_USERNAME, deprovisioning without a
   * stored id): a name claimed by another local entity, or an account that already belongs to
   * another one, is never written (two local users with the same email would otherwise share,
   * overwrite and deprovision one remote account).
   */
  private linkGuard(job: ProvisioningJob): (remote: { remoteId?: string; remoteName?: string }) => Promise<void> {
    return async ({ remoteId, remoteName }) => {
      const owner =
        (remoteId ? await this.store.ownerOf(job, remoteId) : undefined) ??
        (remoteName ? await this.store.claimRemoteName(job, remoteName) : undefined);
      if (owner) {
        const what = remoteId ? `The remote account ${remoteId}${remoteName ? ` (${remoteName})` : ''}` : `The remote name "${remoteName}"`;
        throw new UpstreamRejectedError(
          `${what} already belongs to local ${job.entityType === 'GROUP' ? 'group' : 'user'} "${owner}"; nothing was written to it. Give them distinct remote ${job.entityType === 'GROUP' ? 'names' : 'usernames'}`,
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
    if (operation.kind === 'update' && operation.attributes.length === 0 && !operation.reactivate) {
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

  private async settle(job: ProvisioningJob, leaseOwner: string, attempted: Attempted, decision: DeliveryDecision, durationMs: number, now: number): Promise<DeliveryOutcome> {
    if (decision.kind === 'pause') await this.store.pause(job.idpId, job.connectorType, decision.until);
    const settled = this.settlementOf(job, attempted, decision, durationMs);
    const stored = await this.store.settle(job, leaseOwner, settled.settlement, now);
    return this.outcomeOf(job, attempted, decision, durationMs, settled, stored);
  }

  /**
   * Delivers the leased jobs of one target together: one `provisionBatch` call for what the
   * connector can batch (an outcome per job), each outcome decided by the same policy as a single
   * delivery, and every job settled in one transaction.
   */
  async deliverBatch(jobs: readonly ProvisioningJob[], leaseOwner: string): Promise<DeliveryOutcome[]> {
    if (jobs.length === 1) return [await this.deliver(jobs[0]!, leaseOwner)];
    const started = Date.now();
    const identities = new Map<string, Selectable<ProvisionedIdentityTable>>();
    const attempts = await this.attemptBatch(jobs, identities).catch((error: unknown): Attempted[] => jobs.map(() => ({ attempt: { kind: 'failed', error }, calls: [] })));
    const durationMs = Date.now() - started;
    const now = Date.now();
    const decisions = jobs.map((job, i) => decideDelivery(attempts[i]!.attempt, job.attempts, this.settings, now));
    const pausedUntil = Math.max(0, ...decisions.map((d) => (d.kind === 'pause' ? d.until : 0)));
    if (pausedUntil > 0) await this.store.pause(jobs[0]!.idpId, jobs[0]!.connectorType, pausedUntil);
    // Identities were read for the whole batch before the call (each job's chain is leased to us).
    const settled = jobs.map((job, i) => this.settlementOf(job, attempts[i]!, decisions[i]!, durationMs, identities.get(job.entityId) ?? null));
    const stored = await this.store.settleMany(jobs.map((job, i) => ({ job, settlement: settled[i]!.settlement })), leaseOwner, now);
    return jobs.map((job, i) => this.outcomeOf(job, attempts[i]!, decisions[i]!, durationMs, settled[i]!, stored[i]!));
  }

  /** How many jobs of this connector type one delivery may carry (1 when it has no batch operation). */
  batchLimit(connectorType: string): number {
    const batch = this.idps.definitionOf(connectorType).manifest.capabilities.batch;
    return batch ? Math.max(1, Math.min(batch.maxOperations, this.settings.batchSize)) : 1;
  }

  /** One attempt per job of a batch (user jobs of one target), in the jobs' order. */
  private async attemptBatch(jobs: readonly ProvisioningJob[], identitiesOut: Map<string, Selectable<ProvisionedIdentityTable>>): Promise<Attempted[]> {
    const first = jobs[0]!;
    const target = await this.target(first);
    if (target === 'disabled') return jobs.map(() => ({ attempt: { kind: 'blocked', reason: 'target-disabled' }, calls: [] }));
    const { idp, connector } = target;
    const definition = this.idps.definitionOf(connector.connectorType);
    const caps = definition.manifest.capabilities.users;
    const identities = await this.store.identitiesOf(first, jobs.map((j) => j.entityId));
    for (const [id, row] of identities) identitiesOut.set(id, row);
    const attempts: Array<Attempted | undefined> = jobs.map(() => undefined);
    const calls: RemoteCallRecord[][] = jobs.map(() => []);
    const sent: Array<{ index: number; operation: ProvisioningOperation }> = [];
    for (const [index, job] of jobs.entries()) {
      try {
        if (job.entityType !== 'USER') throw new ValidationError('only user jobs are delivered in batches');
        if (!(await this.passesGuard(job))) {
          attempts[index] = { attempt: { kind: 'held' }, calls: [] };
          continue;
        }
        const operation = userOperationOf(job, idp, identities.get(job.entityId)?.remote_id ?? undefined);
        const declared = operation.kind === 'create' ? caps.create : operation.kind === 'update' ? caps.update : caps.deprovision;
        if (!declared) throw notSupported(definition.manifest, operation.kind);
        if (operation.kind === 'update' && operation.attributes.length === 0 && !operation.reactivate) {
          attempts[index] = { attempt: { kind: 'delivered' }, operation, result: { outcome: 'unchanged', ...(operation.remoteId ? { remoteId: operation.remoteId } : {}), note: 'no mapped attribute changed' }, calls: [] };
        } else sent.push({ index, operation });
      } catch (error) {
        attempts[index] = { attempt: { kind: 'failed', error }, calls: [] };
      }
    }
    if (sent.length > 0) {
      const instance = this.instances.get(idp, connector);
      if (!instance.provisionBatch) throw notSupported(definition.manifest, 'batches');
      const provisionBatch = instance.provisionBatch.bind(instance);
      // The creates' names claimed together up front (the connector's own claim per create then
      // finds them claimed); a create whose name another user holds is not sent at all.
      const claimed = new Map<number, string>();
      if (instance.describeAccount) {
        const creates = sent.filter((s) => s.operation.kind === 'create').map((s) => ({ ...s, remoteName: instance.describeAccount!(s.operation).remoteName }));
        const refused = await this.store.claimRemoteNames(creates.map((c) => ({ job: jobs[c.index]!, remoteName: c.remoteName })));
        for (const c of creates) {
          const owner = refused.get(jobs[c.index]!.entityId);
          if (owner) attempts[c.index] = { attempt: { kind: 'failed', error: nameInUse(c.remoteName, owner) }, operation: c.operation, calls: [] };
          else claimed.set(c.index, c.remoteName.toLowerCase());
        }
        sent.splice(0, sent.length, ...sent.filter((s) => attempts[s.index] === undefined));
      }
      const outcomes = await this.withDeadline(first, (signal) =>
        provisionBatch(
          sent.map((s) => s.operation),
          {
            signal,
            record: (i, call) => calls[sent[i]!.index]!.push(call),
            assertLinkable: async (i, remote) => {
              const index = sent[i]!.index;
              if (!remote.remoteId && remote.remoteName && claimed.get(index) === remote.remoteName.toLowerCase()) return;
              await this.linkGuard(jobs[index]!)(remote);
            },
          },
        ),
      ).catch((error: unknown) => sent.map(() => ({ ok: false as const, error })));
      for (const [i, { index, operation }] of sent.entries()) {
        const outcome = outcomes[i] ?? { ok: false as const, error: new UpstreamUnavailableError('the connector returned no outcome for this operation', { outcomeUnknown: true }) };
        if (!outcome.ok) {
          attempts[index] = { attempt: { kind: 'failed', error: outcome.error }, operation, calls: calls[index]! };
          continue;
        }
        try {
          await this.assertNotOwnedByAnother(jobs[index]!, outcome.result);
          attempts[index] = { attempt: { kind: 'delivered' }, operation, result: outcome.result, calls: calls[index]! };
        } catch (error) {
          attempts[index] = { attempt: { kind: 'failed', error }, operation, calls: calls[index]! };
        }
      }
    }
    return attempts.map((a) => a ?? { attempt: { kind: 'failed', error: new UpstreamUnavailableError('not attempted') }, calls: [] });
  }

  /** The job store's record of an attempt: the job's next state, the attempt's log row, the identity. */
  /**
   * `known`: the job's identity as read before the attempt (batches: null = none), so settling
   * needs no read of it; undefined: read it in the settling transaction.
   */
  private settlementOf(
    job: ProvisioningJob,
    attempted: Attempted,
    decision: DeliveryDecision,
    durationMs: number,
    known?: Selectable<ProvisionedIdentityTable> | null,
  ): { settlement: Settlement; state: DeliveryOutcome['state']; error?: JobError } {
    const { attempt, operation, result, calls } = attempted;
    const failure = attempt.kind === 'failed' ? attempt.error : undefined;
    const error =
      attempt.kind === 'failed'
        ? toJobError(failure)
        : attempt.kind === 'blocked'
          ? blockedError(attempt.reason)
          : attempt.kind === 'held'
            ? heldError(this.settings)
            : undefined;
    if (failure !== undefined && !isProvisioningError(failure)) {
      this.logger.error({ err: failure, jobId: job.id }, 'unexpected error while delivering a provisioning job');
    }
    const state = stateAfter(decision);
    const lastCall = calls.at(-1);
    const deprovisioned = (kind: string | undefined) => kind === 'deprovision' || kind === 'delete';
    const next = (existing: Selectable<ProvisionedIdentityTable> | undefined) => ({
      remoteId: result?.remoteId ?? existing?.remote_id ?? null,
      remoteName: result?.remoteName ?? existing?.remote_name ?? null,
      state: result ? (result.outcome === 'deprovisioned' || result.outcome === 'deleted' || deprovisioned(operation?.kind) ? 'deprovisioned' : 'provisioned') : (existing?.state ?? 'failed'),
    });
    const settlement: Settlement = {
      state,
      ...(error ? { error } : {}),
      ...(decision.kind === 'retry' || decision.kind === 'wait' ? { nextAttemptAt: decision.at } : decision.kind === 'pause' ? { nextAttemptAt: decision.until } : {}),
      giveBackAttempt: decision.kind === 'pause' || decision.kind === 'wait' || decision.kind === 'hold',
      attempt: {
        operation: operation?.kind ?? job.operation,
        calls: JSON.stringify(calls),
        outcome: result ? result.outcome : attempt.kind === 'blocked' ? 'waiting' : attempt.kind === 'held' ? 'held' : state === 'retrying' ? 'retrying' : 'failed',
        http_status: error?.status ?? lastCall?.status ?? null,
        remote_code: error?.remoteCode ?? null,
        remote_message: error?.remoteMessage ?? error?.message ?? result?.note ?? null,
        remote_id: result?.remoteId ?? null,
        duration_ms: durationMs,
      },
      identity: known === undefined ? next : next(known ?? undefined),
    };
    return { settlement, state, ...(error ? { error } : {}) };
  }

  private outcomeOf(
    job: ProvisioningJob,
    attempted: Attempted,
    decision: DeliveryDecision,
    durationMs: number,
    settled: { state: DeliveryOutcome['state']; error?: JobError },
    stored: { lost: boolean; settledWith: number[] },
  ): DeliveryOutcome {
    const { attempt, operation, result } = attempted;
    const { state, error } = settled;
    const log = this.logger.child({ jobId: job.id, idp: job.idpName, connector: job.connectorType, user: job.entityName, op: operation?.kind ?? job.operation });
    if (state === 'succeeded') log.info({ outcome: result?.outcome, remoteId: result?.remoteId, durationMs }, 'provisioning job delivered');
    else if (attempt.kind === 'blocked') log.debug({ reason: attempt.reason }, 'provisioning job waits');
    else if (attempt.kind === 'held') log.warn({}, 'deprovision held by the deprovisioning guard');
    else log.warn({ state, attempts: job.attempts, error }, state === 'retrying' ? 'provisioning attempt failed; will retry' : 'provisioning job failed');
    return {
      jobId: job.id,
      state,
      decision,
      ...(result ? { result } : {}),
      ...(error ? { error } : {}),
      durationMs,
      settledWith: stored.settledWith,
      lost: stored.lost,
      ...(decision.kind === 'pause' ? { pausedUntil: decision.until } : {}),
    };
  }
}

function nameInUse(remoteName: string, owner: string): UpstreamRejectedError {
  return new UpstreamRejectedError(`The remote name "${remoteName}" already belongs to local user "${owner}"; nothing was written to it. Give them distinct remote usernames`, {
    remoteCode: 'REMOTE_ACCOUNT_IN_USE',
  });
}

/** A user job's connector operation (an attempt after an unknown outcome re-sends every attribute). */
function userOperationOf(job: ProvisioningJob, idp: IdentityProvider, remoteId: string | undefined): ProvisioningOperation {
  return buildUserOperation(
    {
      operation: job.operation,
      localId: job.entityId,
      username: job.entityName,
      tenant: job.tenant,
      claims: job.payload.claims,
      ...(job.payload.changedClaims ? { changedClaims: job.payload.changedClaims } : {}),
      resendAll: job.lastError?.outcomeUnknown === true || job.payload.repair !== undefined,
      ...(job.payload.repair?.reactivate ? { reactivate: true } : {}),
    },
    idp,
    remoteId,
  );
}

function heldError(settings: ProvisioningSettings): JobError {
  return {
    kind: 'held',
    message: `held by the deprovisioning guard: ${settings.deprovisionThreshold} deprovisions were already sent to this target within ${Math.round(settings.deprovisionWindowMs / 60_000)} minutes; an administrator approves or rejects held deprovisions`,
  };
}

/** What an operator sees for a job that waits (not an error of the remote system). */
function blockedError(reason: 'target-disabled' | 'members-pending'): JobError {
  return reason === 'target-disabled'
    ? { kind: 'waiting', message: 'the connector or its identity provider is disabled; the job waits until it is enabled' }
    : { kind: 'waiting', message: 'waiting for group members to be provisioned first' };
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
