import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { sql } from 'kysely';
import { DATABASE } from '@provisioning/persistence';
import type { Database, DatabaseHandle } from '@provisioning/persistence';
import type { Transaction } from 'kysely';
import { JobDelivery } from './delivery';
import type { AttemptObserver, DeliveryOutcome } from './delivery';
import { toJob } from './jobs';
import type { JobPayload, JobState, ProvisioningJob } from './jobs';
import type { CoreLogger } from './logger';
import { ProvisioningOutbox } from './outbox';
import type { ProvisioningSettings } from './settings';
import { CORE_LOGGER, PROVISIONING_SETTINGS } from './tokens';

type Waiter = { resolve: (state: JobState) => void };

/**
 * Delivers queued jobs. A job is claimed with a lease (owner + expiry) in the database: a worker that
 * dies leaves its jobs to be claimed again once the lease expires, and only the head of each
 * (IdP, connector, user) chain is claimable, so one user's operations reach each connector in commit
 * order. Different chains run concurrently up to `concurrency`.
 */
@injectable()
export class ProvisioningWorker {
  readonly owner = `worker-${randomUUID()}`;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  readonly #inFlight = new Map<number, Promise<void>>();
  readonly #waiters = new Map<number, Waiter[]>();
  readonly #observers = new Set<AttemptObserver>();
  readonly #pauses = new Map<string, number>();
  #unsubscribe: (() => void) | undefined;

  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(JobDelivery) private readonly delivery: JobDelivery,
    @inject(ProvisioningOutbox) private readonly outbox: ProvisioningOutbox,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
    @inject(CORE_LOGGER) private readonly logger: CoreLogger,
  ) {}

  onAttempt(observer: AttemptObserver): void {
    this.#observers.add(observer);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.outbox.onCommitted(() => this.wake());
    this.#loop = this.run();
    this.logger.info({ owner: this.owner, concurrency: this.settings.concurrency }, 'provisioning worker started');
  }

  /** Runs a due-job check now instead of at the next poll. */
  wake(): void {
    this.#wake?.();
  }

  /**
   * Stops claiming, waits up to `graceMs` for in-flight deliveries, then gives the rest back (their
   * leases are cleared so another worker, or this one after restart, picks them up at once).
   */
  async stop(graceMs = this.settings.requestTimeoutMs): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#unsubscribe?.();
    this.wake();
    await this.#loop;
    const pending = [...this.#inFlight.values()];
    const grace = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    const finished = await Promise.race([Promise.allSettled(pending).then(() => 'done' as const), grace]);
    if (finished === 'timeout') {
      const ids = [...this.#inFlight.keys()];
      if (ids.length > 0) {
        await this.database.db
          .updateTable('provisioning_jobs')
          .set({ state: 'retrying', lease_owner: null, lease_expires_at: null, next_attempt_at: Date.now(), updated_at: Date.now() })
          .where('id', 'in', ids)
          .where('lease_owner', '=', this.owner)
          .execute();
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
    // Jobs may have finished before we started listening.
    const rows = await this.database.db.selectFrom('provisioning_jobs').select(['id', 'state']).where('id', 'in', jobIds).execute();
    for (const row of rows) if (row.state === 'succeeded' || row.state === 'failed' || row.state === 'discarded') this.notify(row.id, row.state as JobState);
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waits), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    for (const id of jobIds) {
      this.#waiters.delete(id);
      if (!states.has(id)) {
        const row = await this.database.db.selectFrom('provisioning_jobs').select('state').where('id', '=', id).executeTakeFirst();
        states.set(id, (row?.state ?? 'pending') as JobState);
      }
    }
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
      let claimed: ProvisioningJob[] = [];
      try {
        const free = this.settings.concurrency - this.#inFlight.size;
        if (free > 0) claimed = await this.claim(free);
      } catch (error) {
        this.logger.error({ err: error }, 'could not claim provisioning jobs');
      }
      for (const job of claimed) this.launch(job);
      if (claimed.length === 0 || this.#inFlight.size >= this.settings.concurrency) {
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

  private launch(job: ProvisioningJob): void {
    const heartbeat = setInterval(() => void this.renewLease(job.id), Math.max(1_000, Math.floor(this.settings.leaseMs / 3)));
    const task = this.delivery
      .deliver(job, this.owner)
      .then((outcome: DeliveryOutcome) => {
        if (outcome.lost) return;
        if (outcome.pausedUntil !== undefined) this.pause(job.idpId, job.connectorType, outcome.pausedUntil);
        if (outcome.state !== 'retrying') {
          this.notify(job.id, outcome.state);
          for (const id of outcome.settledWith) this.notify(id, outcome.state);
        }
        for (const observer of this.#observers) {
          try {
            observer(outcome, job);
          } catch (error) {
            this.logger.warn({ err: error }, 'attempt observer failed');
          }
        }
      })
      .catch((error: unknown) => this.logger.error({ err: error, jobId: job.id }, 'recording a provisioning attempt failed'))
      .finally(() => {
        clearInterval(heartbeat);
        this.#inFlight.delete(job.id);
        this.wake();
      });
    this.#inFlight.set(job.id, task);
  }

  private async renewLease(id: number): Promise<void> {
    await this.database.db
      .updateTable('provisioning_jobs')
      .set({ lease_expires_at: Date.now() + this.settings.leaseMs })
      .where('id', '=', id)
      .where('lease_owner', '=', this.owner)
      .execute()
      .catch((error: unknown) => this.logger.warn({ err: error, jobId: id }, 'lease renewal failed'));
  }

  /** Claims up to `limit` due chain heads; the conditional UPDATE makes a claim exclusive. */
  private async claim(limit: number): Promise<ProvisioningJob[]> {
    const now = Date.now();
    const db = this.database.db;
    const paused = this.pausedTargets(now);
    const blocker = (key: 'entity_id' | 'chain_key') =>
      db
        .selectFrom('provisioning_jobs as p')
        .select(sql<number>`1`.as('one'))
        // Correlated with the outer `j` (typed as raw references: the builder is made outside the query).
        .where('p.idp_id', '=', sql.ref<string>('j.idp_id'))
        .where('p.connector_type', '=', sql.ref<string>('j.connector_type'))
        .where(`p.${key}`, '=', sql.ref<string>(`j.${key}`))
        .where('p.id', '!=', sql.ref<number>('j.id'))
        .where((eb) =>
          eb.or([
            eb.and([eb('p.id', '<', sql.ref<number>('j.id')), eb('p.state', 'in', ['pending', 'running', 'retrying'])]),
            eb.and([eb('p.state', '=', 'running'), eb('p.lease_expires_at', '>=', now)]),
          ]),
        );
    const candidates = await db
      .selectFrom('provisioning_jobs as j')
      .selectAll('j')
      .where((eb) =>
        eb.or([
          eb.and([eb('j.state', 'in', ['pending', 'retrying']), eb('j.next_attempt_at', '<=', now)]),
          eb.and([eb('j.state', '=', 'running'), eb('j.lease_expires_at', '<', now)]),
        ]),
      )
      // Only the head of a chain: no earlier open job, and no job running, for the same target and
      // the same user (by id, or by username across a delete and re-create). Two NOT EXISTS, one per
      // key, so each uses its (idp, connector, key, id) index instead of scanning the target's jobs.
      .where(({ not, exists }) => not(exists(blocker('entity_id'))))
      .where(({ not, exists }) => not(exists(blocker('chain_key'))))
      // `coalesce(...)` rather than `is null`: keeps SQLite on the (state, next_attempt_at) index
      // instead of the coalesced_into index, which nearly every (finished) job matches.
      .where(sql<boolean>`coalesce(${sql.ref('j.coalesced_into')}, 0) = 0`)
      .where('j.id', 'not in', [0, ...this.#inFlight.keys()])
      .where((eb) =>
        paused.length === 0
          ? eb.lit(true)
          : eb.not(eb.or(paused.map(([idp, type]) => eb.and([eb('j.idp_id', '=', idp), eb('j.connector_type', '=', type)])))),
      )
      .orderBy('j.id')
      .limit(limit * 4)
      .execute();
    if (candidates.length === 0) return [];
    // One transaction for the whole batch: one commit (fsync) however many jobs are claimed.
    return db.transaction().execute(async (trx) => {
      const claimed: ProvisioningJob[] = [];
      for (const row of candidates) {
        if (claimed.length >= limit) break;
        if (claimed.some((c) => c.idpId === row.idp_id && c.connectorType === row.connector_type && (c.entityId === row.entity_id || c.entityName.toLowerCase() === row.chain_key))) continue;
        const result = await trx
          .updateTable('provisioning_jobs')
          .set({ state: 'running', lease_owner: this.owner, lease_expires_at: now + this.settings.leaseMs, attempts: row.attempts + 1, updated_at: now })
          .where('id', '=', row.id)
          .where('state', '=', row.state)
          .where('updated_at', '=', row.updated_at)
          // A running job is taken over only while its lease is still expired (not just renewed).
          .where((eb) => (row.state === 'running' ? eb('lease_expires_at', '<', now) : eb.lit(true)))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) {
          const payload =
            row.operation === 'deprovision' || row.entity_type === 'GROUP'
              ? row.payload
              : await this.absorbFollowers(trx, row.id, row.idp_id, row.connector_type, row.entity_id, row.payload);
          claimed.push(toJob({ ...row, payload, state: 'running', lease_owner: this.owner, attempts: row.attempts + 1 }));
        }
      }
      return claimed;
    });
  }

  /**
   * Coalescing: pending updates queued right behind a claimed create or update of the same chain are
   * absorbed into it, so one remote call carries the latest values. They settle with that job.
   */
  private async absorbFollowers(
    trx: Transaction<Database>,
    headId: number,
    idpId: string,
    connectorType: string,
    entityId: string,
    headPayload: string,
  ): Promise<string> {
    const next = await trx
      .selectFrom('provisioning_jobs')
      .select(['id', 'operation', 'state', 'payload', 'coalesced_into'])
      .where('idp_id', '=', idpId)
      .where('connector_type', '=', connectorType)
      .where('entity_id', '=', entityId)
      .where('id', '>', headId)
      .where('state', 'in', ['pending', 'retrying', 'running'])
      .orderBy('id')
      .execute();
    const absorbed: number[] = [];
    const payload = JSON.parse(headPayload) as JobPayload;
    const changed = new Set(payload.changedClaims ?? []);
    for (const job of next) {
      if (job.coalesced_into === headId) continue;
      if (job.operation !== 'update' || job.state !== 'pending' || job.coalesced_into !== null) break;
      const follower = JSON.parse(job.payload) as JobPayload;
      payload.claims = follower.claims;
      for (const c of follower.changedClaims ?? []) changed.add(c);
      absorbed.push(job.id);
    }
    if (absorbed.length === 0) return headPayload;
    if (payload.changedClaims !== undefined) payload.changedClaims = [...changed].sort();
    const merged = JSON.stringify(payload);
    await trx.updateTable('provisioning_jobs').set({ payload: merged }).where('id', '=', headId).execute();
    await trx.updateTable('provisioning_jobs').set({ coalesced_into: headId, updated_at: Date.now() }).where('id', 'in', absorbed).execute();
    this.logger.debug({ jobId: headId, absorbed }, 'coalesced pending updates into one job');
    return merged;
  }

  /** A connector that reported a rate limit is left alone until its pause ends. */
  pause(idpId: string, connectorType: string, untilMs: number): void {
    const key = `${idpId}\0${connectorType}`;
    if ((this.#pauses.get(key) ?? 0) < untilMs) this.#pauses.set(key, untilMs);
  }

  private pausedTargets(now: number): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [key, until] of this.#pauses) {
      if (until <= now) this.#pauses.delete(key);
      else out.push(key.split('\0') as [string, string]);
    }
    return out;
  }
}
