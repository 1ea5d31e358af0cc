import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { DescribedAccount, OutboundConnector, RemoteAccount } from '@provisioning/connector-kit';
import { errorMessage } from '@provisioning/errors';
import { DATABASE, isUniqueViolation } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { ClusterSignals } from './cluster-signals';
import { ConnectorInstances } from './connector-instances';
import type { ConnectorConfiguration, IdentityProvider } from './identity-provider';
import { IdentityProviderService } from './identity-provider-service';
import { JobStore } from './job-store';
import type { NewJob } from './job-store';
import type { JobOperation, JobPayload } from './jobs';
import type { LocalUser, LocalUserSource } from './local-users';
import type { CoreLogger } from './logger';
import { buildUserOperation, entitlementFields } from './operation-builder';
import { operationForTarget } from './outbox';
import { ResidentServiceProviderService } from './resident-service-provider';
import { RunStore } from './run-store';
import { RunTriggers } from './run-triggers';
import type { NewRunItem, RunRecord } from './run-store';
import { emptyCounts, judgeUser } from './runs';
import type { FieldDifference, RunCounts } from './runs';
import { isLocalOnly } from './settings';
import type { ProvisioningSettings } from './settings';
import { CORE_LOGGER, LOCAL_USERS, PROVISIONING_SETTINGS } from './tokens';

const LOCAL_PAGE = 1000;
const APPLY_PAGE = 500;
const SETTLE_CHECK_MS = 1000;
/** The pseudo-field an item shows when the account must be made active again. */
const ACTIVE = '(active)';

class RunCancelled extends Error {}
class LeaseLost extends Error {}

/**
 * Executes reconciliation runs, one at a time per instance, under a lease (like jobs: a run whose
 * executor died is resumed by whichever instance claims it next). Phases:
 * - plan: list the target's accounts (pages), read the tenant's users (pages), judge each user in
 *   the target's scope and each remaining account, and write the items. Nothing is written
 *   remotely, so a plan interrupted by a crash simply starts again. A dry run ends here.
 * - apply: for each item with an action, in pages: a job (create, update with every field and
 *   reactivation, deprovision) written in the same transaction that records it on the item, or, for
 *   a link, the identity recorded (then an update job when fields differ). Resuming continues with
 *   the items that have no job yet, so nothing is applied twice; the worker delivers the jobs (in
 *   batches where the connector has them) with the usual retries, ordering and ownership checks.
 * - settle: waits until the run's jobs are settled and copies their outcomes onto the items.
 */
@injectable()
export class RunExecutor {
  readonly owner = `runs-${randomUUID()}`;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #current: Promise<void> | undefined;

  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(RunStore) private readonly runs: RunStore,
    @inject(JobStore) private readonly jobs: JobStore,
    @inject(IdentityProviderService) private readonly idps: IdentityProviderService,
    @inject(ConnectorInstances) private readonly instances: ConnectorInstances,
    @inject(ClusterSignals) private readonly signals: ClusterSignals,
    @inject(LOCAL_USERS) private readonly users: LocalUserSource,
    @inject(ResidentServiceProviderService) private readonly resident: ResidentServiceProviderService,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
    @inject(CORE_LOGGER) private readonly logger: CoreLogger,
    @inject(RunTriggers) private readonly triggers: RunTriggers,
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.loop();
  }

  /** A new run was queued: look now rather than at the next poll. */
  wake(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
    await this.#current?.catch(() => undefined);
  }

  private async loop(): Promise<void> {
    while (this.#running) {
      let run: RunRecord | undefined;
      await this.triggers.check().catch((error: unknown) => this.logger.error({ err: error }, 'could not check outbound targets for automatic reconciliation runs'));
      await this.schedule().catch((error: unknown) => this.logger.error({ err: error }, 'could not schedule reconciliation runs'));
      try {
        run = await this.runs.claim(this.owner, Date.now(), this.settings.leaseMs);
      } catch (error) {
        this.logger.error({ err: error }, 'could not claim a reconciliation run');
      }
      if (run) {
        this.#current = this.execute(run);
        await this.#current;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(this.settings.pollIntervalMs, 200));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #nextSchedule = 0;

  /**
   * `[provisioning] reconcile_interval_minutes`: once per interval an applied run (trigger
   * `schedule`) for every resident target that can list accounts and has no run under way. The run
   * id is derived from the target and the interval's number, so instances sharing a database
   * create it once between them (the second insert is a unique violation, and ignored).
   */
  private async schedule(now = Date.now()): Promise<void> {
    const interval = this.settings.reconcileIntervalMs;
    if (interval <= 0 || now < this.#nextSchedule) return;
    const slot = Math.floor(now / interval);
    this.#nextSchedule = (slot + 1) * interval;
    for (const tenant of await this.resident.tenantsWithTargets()) {
      for (const { idp, connector, definition } of await this.resident.enabledTargets(tenant)) {
        if (!definition.manifest.capabilities.listAccounts) continue;
        if (await this.runs.activeRun(idp.id, connector.connectorType)) continue;
        const id = `schedule-${slot}-${idp.id}-${connector.connectorType}`;
        await this.runs
          .create({ id, tenant, idpId: idp.id, idpName: idp.name, connectorType: connector.connectorType, dryRun: false, trigger: 'schedule', users: null, requestedBy: null }, now)
          .then(
            () => this.logger.info({ run: id, tenant, idp: idp.name, connector: connector.connectorType }, 'scheduled reconciliation run queued'),
            (error: unknown) => {
              if (!isUniqueViolation(error)) throw error;
            },
          );
      }
    }
  }

  /** Runs one claimed run to its end (or until the lease is lost or the instance stops). */
  async execute(run: RunRecord): Promise<void> {
    const log = this.logger.child({ run: run.id, idp: run.idpName, connector: run.connectorType });
    let lost = false;
    const heartbeat = setInterval(() => {
      void this.runs.renewLease(run.id, this.owner, Date.now() + this.settings.leaseMs).then((ok) => (lost ||= !ok), () => undefined);
    }, Math.max(1_000, Math.floor(this.settings.leaseMs / 3)));
    const check = async () => {
      if (lost) throw new LeaseLost();
      if (await this.runs.cancelRequested(run.id)) throw new RunCancelled();
    };
    try {
      log.info({ phase: run.phase, dryRun: run.dryRun, trigger: run.trigger }, 'reconciliation run started');
      if (run.phase === 'plan') {
        const counts = await this.plan(run, check);
        if (run.dryRun) {
          await this.runs.finish(run.id, this.owner, 'succeeded', null);
          log.info({ situations: counts.situations }, 'reconciliation dry run finished');
          return;
        }
        await this.runs.progress(run.id, this.owner, { phase: 'apply' });
        run.phase = 'apply';
      }
      if (run.phase === 'apply') {
        await this.apply(run, check);
        await this.runs.progress(run.id, this.owner, { phase: 'settle' });
        run.phase = 'settle';
      }
      await this.settle(run, check);
      log.info({}, 'reconciliation run finished');
    } catch (error) {
      if (error instanceof LeaseLost) {
        log.warn({}, 'another instance took the reconciliation run over');
      } else if (error instanceof RunCancelled) {
        await this.runs.finish(run.id, this.owner, 'cancelled', null);
        log.info({}, 'reconciliation run cancelled');
      } else {
        log.error({ err: error }, 'reconciliation run failed');
        await this.runs.finish(run.id, this.owner, 'failed', errorMessage(error)).catch(() => undefined);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async target(run: RunRecord): Promise<{ idp: IdentityProvider; connector: ConnectorConfiguration; instance: OutboundConnector }> {
    const idp = await this.idps.get(run.tenant, run.idpId);
    const connector = idp.connectors.find((c) => c.connectorType === run.connectorType);
    if (!connector) throw new Error(`identity provider "${idp.name}" no longer has a ${run.connectorType} connector`);
    const instance = this.instances.get(idp, connector);
    if (!instance.listAccounts || !instance.describeAccount) throw new Error(`the ${run.connectorType} connector cannot list accounts`);
    return { idp, connector, instance };
  }

  private async plan(run: RunRecord, check: () => Promise<void>): Promise<RunCounts> {
    const { idp, instance } = await this.target(run);
    await this.runs.clearItems(run.id);
    const counts = emptyCounts();

    // The target's accounts, by id and by name.
    const accounts: RemoteAccount[] = [];
    let cursor: string | undefined;
    do {
      await check();
      const page = await instance.listAccounts!({ fields: remoteFields(idp), ...(cursor ? { cursor } : {}) });
      accounts.push(...page.accounts);
      cursor = page.cursor;
    } while (cursor);
    const byId = new Map(accounts.map((a) => [a.remoteId, a] as const));
    // Unlinked accounts are matched by the connector's match key (the remote name unless configured).
    const keyOf = (a: { remoteName: string; matchKey?: string | null }) => (a.matchKey === undefined ? a.remoteName : a.matchKey)?.toLowerCase();
    const byName = new Map<string, RemoteAccount>();
    const ambiguous = new Set<string>();
    for (const a of accounts) {
      const k = keyOf(a);
      if (!k) continue;
      if (byName.has(k)) ambiguous.add(k);
      byName.set(k, a);
    }
    const identities = await this.jobs.identitiesOnTarget(run);
    const identityOf = new Map(identities.map((i) => [i.entity_id, i] as const));
    // Whose account it is: any identity of this target (a deprovisioned user's account is still
    // theirs: orphaned if active again); a conflict for linking only when provisioned (the guard's rule).
    const ownerOfRemote = new Map(identities.filter((i) => i.remote_id).map((i) => [i.remote_id!, i] as const));
    const managed = entitlementFields(idp.roles.mappings);
    const seen = new Set<string>();
    let done = 0;
    const total = accounts.length;
    await this.runs.progress(run.id, this.owner, { total, done });

    const judge = (user: LocalUser): NewRunItem | undefined => {
      if (isLocalOnly(this.settings, run.tenant, user.username)) return undefined;
      if (operationForTarget({ tenant: run.tenant, userId: user.id, username: user.username, operation: 'create', claims: user.claims }, idp.roles.outboundProvisioningRoles) !== 'create') return undefined;
      const desired: DescribedAccount = instance.describeAccount!(buildUserOperation({ operation: 'create', localId: user.id, username: user.username, tenant: run.tenant, claims: user.claims }, idp, undefined));
      const linkedId = identityOf.get(user.id)?.remote_id ?? undefined;
      const linked = linkedId ? byId.get(linkedId) : undefined;
      const key = keyOf(desired);
      const candidate = linked || !key ? undefined : byName.get(key);
      if (candidate && ambiguous.has(key!)) {
        // Email, say, is not unique in every target: never guess which account is theirs.
        counts.situations.unlinked += 1;
        return { entity_id: user.id, username: user.username, remote_id: null, remote_name: desired.remoteName, situation: 'unlinked', fields: [], action: 'none', note: `several accounts match "${key}"; none was linked` };
      }
      const found = candidate ? ownerOfRemote.get(candidate.remoteId) : undefined;
      const owner = found?.state === 'provisioned' ? found : undefined;
      const verdict = judgeUser(desired, linked, candidate, owner && owner.entity_id !== user.id ? owner.entity_name : undefined, managed);
      if (verdict.account) seen.add(verdict.account.remoteId);
      counts.situations[verdict.situation] += 1;
      return {
        entity_id: user.id,
        username: user.username,
        remote_id: verdict.account?.remoteId ?? null,
        remote_name: verdict.account?.remoteName ?? desired.remoteName,
        situation: verdict.situation,
        // Reactivation shows as the account's active flag differing.
        fields: verdict.reactivate ? [...verdict.fields, { field: ACTIVE, local: 'true', remote: 'false' }] : verdict.fields,
        action: verdict.action,
        note: verdict.note ?? null,
      };
    };

    if (run.users) {
      const users = await this.users.byNames(run.tenant, run.users);
      await this.runs.insertItems(run.id, users.flatMap((u) => judge(u) ?? []));
      done = users.length;
    } else {
      let after: string | undefined;
      for (;;) {
        await check();
        const page = await this.users.scan(run.tenant, after, LOCAL_PAGE);
        if (page.length === 0) break;
        after = page.at(-1)!.id;
        await this.runs.insertItems(run.id, page.flatMap((u) => judge(u) ?? []));
        done += page.length;
        await this.runs.progress(run.id, this.owner, { total: Math.max(total, done), done, counts });
      }
      // Accounts no user in scope matched: ours (provisioned or linked by this target) and still
      // active are orphaned; the others were never ours and stay untouched.
      const rest: NewRunItem[] = [];
      for (const account of accounts) {
        if (seen.has(account.remoteId)) continue;
        const owner = ownerOfRemote.get(account.remoteId);
        if (owner && !account.active) continue;
        const situation = owner ? 'orphaned' : 'unmanaged';
        counts.situations[situation] += 1;
        rest.push({
          entity_id: owner?.entity_id ?? null,
          username: owner?.entity_name ?? null,
          remote_id: account.remoteId,
          remote_name: account.remoteName,
          situation,
          fields: [],
          action: owner ? 'deprovision' : 'none',
          note: null,
        });
      }
      await this.runs.insertItems(run.id, rest);
    }
    await this.runs.progress(run.id, this.owner, { total: Math.max(total, done), done: Math.max(total, done), counts });
    return counts;
  }

  private async apply(run: RunRecord, check: () => Promise<void>): Promise<void> {
    const { idp } = await this.target(run);
    // The guard: a plan that deprovisions more than the threshold holds all of its deprovisions.
    const threshold = this.settings.deprovisionThreshold;
    const holdDeprovisions = threshold > 0 && (await this.runs.countActions(run.id, 'deprovision')) > threshold;
    let after = 0;
    for (;;) {
      await check();
      const items = await this.runs.itemsToApply(run.id, after, APPLY_PAGE);
      if (items.length === 0) break;
      after = items.at(-1)!.id;
      const users = new Map((await this.users.byIds(run.tenant, items.flatMap((i) => (i.entity_id && i.action !== 'deprovision' ? [i.entity_id] : [])))).map((u) => [u.id, u] as const));
      // Links first (no remote call: the identity is recorded), outside the jobs' transaction.
      const linkNotes = new Map<number, string>();
      for (const item of items) {
        if (item.action !== 'link') continue;
        const user = users.get(item.entity_id ?? '');
        if (!user) continue;
        const owner = await this.jobs.link({ tenant: run.tenant, idpId: run.idpId, connectorType: run.connectorType, entityId: user.id, entityName: user.username }, { remoteId: item.remote_id!, remoteName: item.remote_name! });
        if (owner) linkNotes.set(item.id, `the account belongs to local user "${owner}"; nothing was written to it`);
      }
      const outcomes: Array<{ itemId: number; outcome: string; note?: string }> = [];
      const newJobs: Array<{ itemId: number; job: NewJob }> = [];
      for (const item of items) {
        const user = item.entity_id ? users.get(item.entity_id) : undefined;
        const conflict = linkNotes.get(item.id);
        if (conflict) {
          outcomes.push({ itemId: item.id, outcome: 'conflict', note: conflict });
          continue;
        }
        const fields = JSON.parse(item.fields) as FieldDifference[];
        const reactivate = fields.some((f) => f.field === ACTIVE);
        const needsUpdate = item.action === 'update' || (item.action === 'link' && fields.length > 0);
        let operation: JobOperation | undefined = item.action === 'create' ? 'create' : item.action === 'deprovision' ? 'deprovision' : needsUpdate ? 'update' : undefined;
        if (!operation) {
          outcomes.push({ itemId: item.id, outcome: 'succeeded' }); // linked, nothing differs
          continue;
        }
        if (operation !== 'deprovision' && !user) {
          outcomes.push({ itemId: item.id, outcome: 'skipped', note: 'the local user was deleted meanwhile' });
          continue;
        }
        if (operation === 'update' && item.action === 'update' && !item.remote_id) operation = 'create';
        const payload: JobPayload = { claims: user?.claims ?? {}, ...(operation === 'update' ? { repair: { reactivate } } : {}) };
        const username = user?.username ?? item.username ?? item.remote_name ?? 'unknown';
        newJobs.push({
          itemId: item.id,
          job: {
            tenant: run.tenant,
            entity_type: 'USER',
            entity_id: user?.id ?? item.entity_id ?? `remote:${item.remote_id}`,
            entity_name: username,
            chain_key: username.toLowerCase(),
            operation,
            idp_id: idp.id,
            idp_name: idp.name,
            connector_type: run.connectorType,
            payload: JSON.stringify(payload),
          },
        });
      }
      // The page's jobs and the items that name them commit together: a resumed run never writes a job twice.
      await this.database.db.transaction().execute(async (trx) => {
        // What the plan saw may have moved on: a create or deprovision already on its way (a SCIM
        // change made while the run planned) is left to do its work rather than sent twice.
        const target = { idpId: run.idpId, connectorType: run.connectorType };
        const entityIds = newJobs.map((n) => n.job.entity_id);
        const unsettled = await this.jobs.unsettledOperations(trx, target, entityIds);
        const identities = await this.jobs.identitiesOf(target, entityIds, trx);
        for (let k = newJobs.length - 1; k >= 0; k -= 1) {
          const { itemId, job } = newJobs[k]!;
          const queued = job.operation !== 'update' && unsettled.get(job.entity_id)?.has(job.operation as JobOperation);
          // Provisioned since the run started (by the user's own create, say); an older identity
          // whose account was deleted in the target is what the run's create is for.
          const identity = identities.get(job.entity_id);
          const createdMeanwhile = job.operation === 'create' && identity?.state === 'provisioned' && identity.updated_at >= run.startedAt;
          if (!queued && !createdMeanwhile) continue;
          outcomes.push({ itemId, outcome: 'skipped', note: queued ? `a ${job.operation} of this user was already queued; it does the work` : 'the account was created meanwhile' });
          newJobs.splice(k, 1);
        }
        const jobIds = await this.jobs.enqueueMany(trx, newJobs.map((n) => n.job));
        if (holdDeprovisions) await this.jobs.hold(trx, jobIds.filter((_, k) => newJobs[k]!.job.operation === 'deprovision'));
        await this.runs.appliedJobs(trx, newJobs.map((n, k) => ({ itemId: n.itemId, jobId: jobIds[k]! })));
        for (const o of outcomes) await this.runs.applied(trx, o.itemId, { outcome: o.outcome, ...(o.note ? { note: o.note } : {}) });
      });
      await this.jobs.afterBulkWrite(newJobs.length);
      this.signals.newWork();
    }
  }

  private async settle(run: RunRecord, check: () => Promise<void>): Promise<void> {
    for (;;) {
      await check();
      if ((await this.runs.openJobs(run.id)) === 0) break;
      await new Promise((r) => setTimeout(r, SETTLE_CHECK_MS));
    }
    const actions = await this.runs.settleItems(run.id);
    const current = await this.runs.get(run.tenant, run.id);
    await this.runs.progress(run.id, this.owner, { counts: { situations: current.situations, actions } });
    await this.runs.finish(run.id, this.owner, 'succeeded', null);
  }
}

/** The remote fields an IdP's claim configuration writes (what a listing must read to compare). */
/** The fields a run lists: the mapped (or provisioning) claims and the fields role mappings name. */
function remoteFields(idp: Pick<IdentityProvider, 'claims' | 'roles'>): string[] {
  const config = idp.claims;
  const names = config.provisioningClaims.length > 0 ? config.provisioningClaims.map((p) => p.claim.uri) : config.mappings.map((m) => m.idpClaim);
  return [...new Set([...names, ...entitlementFields(idp.roles.mappings).keys()])];
}
