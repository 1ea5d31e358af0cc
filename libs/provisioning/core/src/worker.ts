import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { ClusterSignals } from './cluster-signals';
import { JobDelivery } from './delivery';
import type { AttemptObserver, DeliveryOutcome } from './delivery';
import { FairShare } from './fair-share';
import type { Lane } from './fair-share';
import { JobStore, targetKey } from './job-store';
import type { JobRow, JobTarget } from './job-store';
import type { JobState, ProvisioningJob } from './jobs';
import type { CoreLogger } from './logger';
import type { ProvisioningSettings } from './settings';
import { CORE_LOGGER, PROVISIONING_SETTINGS } from './tokens';

type Waiter = { resolve: (state: JobState) => void };

/** How long a signal of new work waits for more before the worker claims (latency it may add). */
const GATHER_MS = 20;

/**
 * Delivers queued jobs. A job is claimed with a lease (owner + expiry) in the database: a worker that
 * dies leaves its jobs to be claimed again once the lease expires, and only the head of each
 * (IdP, connector, user) chain is claimable, so one user's operations reach each connector in commit
 * order. Different chains run concurrently up to `concurrency`, at most `targetConcurrency` of them
 * for one target, and free slots go round robin to tenants and their targets (fair delivery: a target
 * that hangs holds its own slots, never another target's).
 */
@injectable()
export class ProvisioningWorker {
  readonly owner = `worker-${randomUUID()}`;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** A wake that came while the loop was claiming (not waiting): the next wait is skipped. */
  #wakeMissed = false;
  /** Jobs in flight (a batch delivery's jobs share its promise). */
  readonly #inFlight = new Map<number, Promise<void>>();
  /** Deliveries in flight (a batch is one): what `concurrency` bounds. */
  #busy = 0;
  /** Deliveries in flight per target (targetKey). */
  readonly #targetLoad = new Map<string, number>();
  readonly #share = new FairShare();
  readonly #waiters = new Map<number, Waiter[]>();
  readonly #observers = new Set<AttemptObserver>();
  #unsubscribe: (() => void) | undefined;

  constructor(
    @inject(JobStore) private readonly store: JobStore,
    @inject(JobDelivery) private readonly delivery: JobDelivery,
    @inject(ClusterSignals) private readonly signals: ClusterSignals,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
    @inject(CORE_LOGGER) private readonly logger: CoreLogger,
  ) {
    // Waiters hear of jobs settled by any instance (blocking provisioning across a cluster).
    this.signals.onSettled((jobs) => {
      for (const { id, state } of jobs) this.notify(id, state);
    });
  }

  onAttempt(observer: AttemptObserver): void {
    this.#observers.add(observer);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    // New work from commits (here or on other instances) wakes the worker after a short gathering
    // window: a burst of commits costs one claim per window, not one per commit per instance.
    this.#unsubscribe = this.signals.onNewWork(() => this.wakeSoon());
    this.#loop = this.run();
    this.logger.info({ owner: this.owner, concurrency: this.settings.concurrency, targetConcurrency: this.settings.targetConcurrency }, 'provisioning worker started');
  }

  #soon: NodeJS.Timeout | undefined;

  /** A due-job check within {@link GATHER_MS}, shared by every request for one in the meantime. */
  private wakeSoon(): void {
    if (this.#soon) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      this.wake();
    }, GATHER_MS);
  }

  /** Runs a due-job check now instead of at the next poll. */
  wake(): void {
    if (this.#wake) this.#wake();
    else this.#wakeMissed = true;
  }

  /**
   * Stops claiming, waits up to `graceMs` for in-flight deliveries, then gives the rest back (their
   * leases are cleared so another worker, or this one after restart, picks them up at once).
   */
  async stop(graceMs = this.settings.requestTimeoutMs): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#unsubscribe?.();
    clearTimeout(this.#soon);
    this.wake();
    await this.#loop;
    const pending = [...this.#inFlight.values()];
    const grace = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    const finished = await Promise.race([Promise.allSettled(pending).then(() => 'done' as const), grace]);
    if (finished === 'timeout') {
      const ids = [...this.#inFlight.keys()];
      if (ids.length > 0) {
        await this.store.release(ids, this.owner);
        this.logger.warn({ jobs: ids }, 'released in-flight provisioning jobs at shutdown; they stay queued');
      }
    }
    this.logger.info({ owner: this.owner }, 'provisioning worker stopped');
  }

  /**
   * Resolves with each job's state once it is terminal (succeeded/failed) or after `timeoutMs`
   * (then with the state it has). Used by blocking provisioning.
   */
  async waitFor(jobIds: number[], timeoutMs: number): Promise<Map<number, JobState>> {
    const states = new Map<number, JobState>();
    const waits = jobIds.map(
      (id) =>
        new Promise<void>((resolve) => {
          const waiter: Waiter = {
            resolve: (state) => {
              states.set(id, state);
              resolve();
            },
          };
          this.#waiters.set(id, [...(this.#waiters.get(id) ?? []), waiter]);
        }),
    );
    // Jobs may have finished before we started listening, or their signal may be lost: read the
    // states now and then again every second.
    const check = async () => {
      const open = jobIds.filter((id) => !states.has(id));
      for (const [id, state] of await this.store.states(open)) if (state === 'succeeded' || state === 'failed' || state === 'discarded') this.notify(id, state);
    };
    await check();
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    const poll = setInterval(() => void check().catch(() => undefined), 1_000);
    await Promise.race([Promise.all(waits), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    clearInterval(poll);
    for (const id of jobIds) this.#waiters.delete(id);
    const unresolved = jobIds.filter((id) => !states.has(id));
    const current = await this.store.states(unresolved);
    for (const id of unresolved) states.set(id, current.get(id) ?? 'pending');
    return states;
  }

  private notify(id: number, state: JobState): void {
    const waiters = this.#waiters.get(id);
    if (!waiters) return;
    this.#waiters.delete(id);
    for (const w of waiters) w.resolve(state);
  }

  private async run(): Promise<void> {
    while (this.#running) {
      let claimed: ProvisioningJob[][] = [];
      // A commit or a finished delivery during this claim is not seen by it: look again at once.
      this.#wakeMissed = false;
      try {
        const free = this.settings.concurrency - this.#busy;
        if (free > 0) claimed = await this.claim(free);
      } catch (error) {
        this.logger.error({ err: error }, 'could not claim provisioning jobs');
      }
      for (const unit of claimed) this.launch(unit);
      if ((claimed.length === 0 || this.#busy >= this.settings.concurrency) && !this.#wakeMissed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.settings.pollIntervalMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    }
  }

  /** Delivers one claimed unit (one job, or a batch of one target's jobs) in one slot. */
  private launch(unit: ProvisioningJob[]): void {
    const first = unit[0]!;
    const ids = unit.map((j) => j.id);
    const target = targetKey(first.idpId, first.connectorType);
    this.#busy += 1;
    this.#targetLoad.set(target, (this.#targetLoad.get(target) ?? 0) + 1);
    const heartbeat = setInterval(() => void this.renewLease(ids), Math.max(1_000, Math.floor(this.settings.leaseMs / 3)));
    const task = this.delivery
      .deliverBatch(unit, this.owner)
      .then((outcomes: DeliveryOutcome[]) => {
        // One signal for the batch: a NOTIFY per job would queue thousands of round trips behind the claims.
        const settled: Array<{ id: number; state: JobState }> = [];
        for (const [i, outcome] of outcomes.entries()) settled.push(...this.report(outcome, unit[i]!));
        this.signals.settled(settled);
      })
      .catch((error: unknown) => this.logger.error({ err: error, jobIds: ids }, 'recording a provisioning attempt failed'))
      .finally(() => {
        clearInterval(heartbeat);
        for (const id of ids) this.#inFlight.delete(id);
        this.#busy -= 1;
        const load = (this.#targetLoad.get(target) ?? 1) - 1;
        if (load > 0) this.#targetLoad.set(target, load);
        else this.#targetLoad.delete(target);
        this.wake();
      });
    for (const id of ids) this.#inFlight.set(id, task);
  }

  /** Tells the observers of an attempt; returns the jobs it settled (for one signal per batch). */
  private report(outcome: DeliveryOutcome, job: ProvisioningJob): Array<{ id: number; state: JobState }> {
    if (outcome.lost) return [];
    for (const observer of this.#observers) {
      try {
        observer(outcome, job);
      } catch (error) {
        this.logger.warn({ err: error }, 'attempt observer failed');
      }
    }
    if (outcome.state === 'retrying') return [];
    const state = outcome.state;
    return [job.id, ...outcome.settledWith].map((id) => ({ id, state }));
  }

  private async renewLease(ids: readonly number[]): Promise<void> {
    await this.store
      .renewLease(ids, this.owner, Date.now() + this.settings.leaseMs)
      .catch((error: unknown) => this.logger.warn({ err: error, jobIds: ids }, 'lease renewal failed'));
  }

  /**
   * Claims up to `limit` due chain heads, shared fairly (see {@link FairShare}): the targets with a
   * due job are found first and each is read on its own (so one target's backlog of older due jobs
   * cannot hide another's new job); a target gets at most `targetConcurrency` slots minus what it
   * already has in flight, paused (throttled) targets get none, and tenants, then each tenant's
   * targets, take turns. Running jobs whose lease expired are taken over in their target's turn. The
   * conditional UPDATEs make each claim exclusive; they and the coalescing run in one transaction (one
   * commit, one fsync, however many jobs are claimed).
   */
  private async claim(limit: number): Promise<ProvisioningJob[][]> {
    const now = Date.now();
    const inFlight = [...this.#inFlight.keys()];
    const targetCap = Math.min(this.settings.targetConcurrency, this.settings.concurrency);
    const [due, expired, paused] = await Promise.all([this.store.claimableTargets(now), this.store.expiredLeases(now, inFlight), this.store.pausedTargets(now)]);
    const lanes = new Map<string, Lane & { target: JobTarget; due: boolean; takeOvers: JobRow[] }>();
    const laneOf = (target: JobTarget) => {
      const key = targetKey(target.idpId, target.connectorType);
      let lane = lanes.get(key);
      if (!lane) {
        const room = paused.has(key) ? 0 : targetCap - (this.#targetLoad.get(key) ?? 0);
        lane = { tenant: target.tenant, key, room, target, due: false, takeOvers: [] };
        lanes.set(key, lane);
      }
      return lane;
    };
    for (const target of due) laneOf(target).due = true;
    for (const row of expired) laneOf({ tenant: row.tenant, idpId: row.idp_id, connectorType: row.connector_type }).takeOvers.push(row);
    // A slot carries one job, or a batch of one target's user jobs when its connector has batches.
    const picked = await this.#share.pick([...lanes.values()], limit, async (lane, slots) => {
      const perSlot = this.batchLimit(lane.target.connectorType);
      const max = slots * perSlot;
      const heads = lane.due && lane.takeOvers.length < max ? await this.store.dueChainHeads(lane.target, now, max - lane.takeOvers.length, inFlight) : [];
      return units([...lane.takeOvers, ...heads].slice(0, max), perSlot).slice(0, slots);
    });
    const leased = await this.store.lease(picked.flat(), this.owner, now, this.settings.leaseMs, (jobId, absorbed) =>
      this.logger.debug({ jobId, absorbed }, 'coalesced pending updates into one job'),
    );
    const byId = new Map(leased.map((job) => [job.id, job] as const));
    return picked.map((unit) => unit.flatMap((row) => byId.get(row.id) ?? [])).filter((unit) => unit.length > 0);
  }

  private batchLimit(connectorType: string): number {
    try {
      return this.delivery.batchLimit(connectorType);
    } catch {
      return 1; // a connector type the server no longer offers: its jobs fail one by one
    }
  }
}

/** Candidates grouped into deliveries: user jobs in batches of `size`, group jobs alone (in order). */
function units(rows: readonly JobRow[], size: number): JobRow[][] {
  const result: JobRow[][] = [];
  let batch: JobRow[] = [];
  for (const row of rows) {
    if (row.entity_type !== 'USER' || size <= 1) {
      result.push([row]);
      continue;
    }
    batch.push(row);
    if (batch.length === size) {
      result.push(batch);
      batch = [];
    }
  }
  if (batch.length > 0) result.push(batch);
  return result;
}
