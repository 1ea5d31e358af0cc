import { inject, injectable } from 'inversify';
import { sql } from 'kysely';
import type { ExpressionBuilder, Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { ConflictError, NotFoundError } from '@provisioning/errors';
import { DATABASE } from '@provisioning/persistence';
import type { Database, DatabaseHandle, ProvisionedIdentityTable, ProvisioningAttemptTable, ProvisioningJobTable } from '@provisioning/persistence';
import { absorbFollowers, dueChainHeads, expiredLeases, leaseJob, targetKey, targetsWithDueJobs } from './claim-queries';
import type { JobRow, JobTarget } from './claim-queries';
import type { GroupMemberFacts } from './operation-builder';
import { OPEN_JOB_STATES, toJob } from './jobs';
import type { JobError, JobOperation, JobPayload, JobState, ProvisioningJob } from './jobs';

type Db = Kysely<Database> | Transaction<Database>;

/** Bulk-written jobs before the first statistics refresh (PostgreSQL). */
const ANALYZE_FIRST_AFTER = 1_000;

/** A new job, as the outbox writes it. */
export type NewJob = Pick<
  Insertable<ProvisioningJobTable>,
  'tenant' | 'entity_type' | 'entity_id' | 'entity_name' | 'chain_key' | 'operation' | 'idp_id' | 'idp_name' | 'connector_type' | 'payload'
>;

/** How a delivery settles its job (computed by the delivery policy). */
export interface Settlement {
  state: 'succeeded' | 'retrying' | 'failed' | 'held';
  error?: JobError;
  /** When a retrying job is due again. */
  nextAttemptAt?: number;
  /** Throttled or blocked: the attempt is given back. */
  giveBackAttempt: boolean;
  attempt: Omit<Insertable<ProvisioningAttemptTable>, 'job_id' | 'tenant' | 'idp_id' | 'idp_name' | 'connector_type' | 'entity_id' | 'entity_name' | 'at'>;
  /** The provisioned identity after this attempt (undefined: leave it as it is, only recording the attempt). */
  identity: { remoteId: string | null; remoteName: string | null; state: string } | ((existing: Selectable<ProvisionedIdentityTable> | undefined) => { remoteId: string | null; remoteName: string | null; state: string });
}

export interface JobListQuery {
  state?: JobState;
  user?: string;
  idp?: string;
  limit?: number;
}

/**
 * The one owner of the job tables: `provisioning_jobs`, `provisioning_attempts`,
 * `provisioned_identities` and `target_pauses`. Every statement on them lives here (and in
 * `claim-queries.ts`, the claim's statements), so the outbox, the worker, delivery, the operator API
 * and metrics speak to one store whose SQL can differ by dialect where it must: the claim locks its
 * candidates with `FOR UPDATE SKIP LOCKED` on PostgreSQL (instances never wait for each other's
 * claims), and identities are upserted.
 */
@injectable()
export class JobStore {
  /** Disabled and paused targets change rarely: read at most once a second (pauses set here apply at once). */
  #disabled: { at: number; keys: Promise<Set<string>> } | undefined;
  #paused: { at: number; rows: Promise<Map<string, number>> } | undefined;

  /** Jobs written in bulk since the statistics were last refreshed, and how many were there then. */
  #writtenSinceAnalyze = 0;
  #analyzeAfter = ANALYZE_FIRST_AFTER;
  #analyzing: Promise<void> | undefined;

  constructor(@inject(DATABASE) private readonly database: DatabaseHandle) {}

  /**
   * Call after committing a bulk write of jobs (a run's page). On PostgreSQL, refreshes the job and
   * identity tables' planner statistics each time the bulk-written jobs double (1k, 2k, 4k, ...: a
   * handful of ANALYZE runs, each a fixed-size sample, for any backlog). A backlog written faster than
   * autovacuum looks leaves the planner with an almost empty table's statistics, and it then
   * seeks chain heads on a prefix of the wrong index: every claim scans the target's whole backlog
   * (a 20k-user initial sync took 98 s instead of 24). SQLite's planner needs no statistics here.
   */
  async afterBulkWrite(jobs: number): Promise<void> {
    if (this.database.dialect !== 'postgres' || jobs <= 0) return;
    this.#writtenSinceAnalyze += jobs;
    if (this.#writtenSinceAnalyze < this.#analyzeAfter || this.#analyzing) return;
    this.#analyzeAfter = this.#writtenSinceAnalyze * 2;
    this.#analyzing = sql`analyze provisioning_jobs, provisioned_identities`
      .execute(this.db)
      .then(() => undefined)
      .finally(() => {
        this.#analyzing = undefined;
      });
    await this.#analyzing;
  }

  private get db(): Kysely<Database> {
    return this.database.db;
  }

  // --- writing jobs (inside the caller's transaction: the outbox) -------------------------------

  /** A new pending job, due now, in the caller's transaction. */
  async enqueue(trx: Transaction<Database>, job: NewJob, now = Date.now()): Promise<number> {
    const row = await trx
      .insertInto('provisioning_jobs')
      .values({
        ...job,
        state: 'pending',
        attempts: 0,
        next_attempt_at: now,
        lease_owner: null,
        lease_expires_at: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        completed_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** New pending jobs in one statement (a run's page), in the caller's transaction; ids in the given order. */
  async enqueueMany(trx: Transaction<Database>, jobs: readonly NewJob[], now = Date.now()): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < jobs.length; i += 500) {
      const slice = jobs.slice(i, i + 500);
      const rows = await trx
        .insertInto('provisioning_jobs')
        .values(slice.map((job) => ({ ...job, state: 'pending', attempts: 0, next_attempt_at: now, lease_owner: null, lease_expires_at: null, last_error: null, created_at: now, updated_at: now, completed_at: null })))
        .returning(['id', 'entity_id'])
        .execute();
      // RETURNING follows the VALUES order on both databases; matched by entity as well, to be sure.
      const byEntity = new Map(rows.map((r) => [r.entity_id, r.id] as const));
      ids.push(...slice.map((job, k) => (rows[k]?.entity_id === job.entity_id ? rows[k]!.id : byEntity.get(job.entity_id)!)));
    }
    return ids;
  }

  /** Holds just-written deprovisions for an administrator (a run whose plan crosses the guard's threshold). */
  async hold(trx: Transaction<Database>, ids: readonly number[], now = Date.now()): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      await trx
        .updateTable('provisioning_jobs')
        .set({ state: 'held', updated_at: now, last_error: JSON.stringify({ kind: 'held', message: 'held by the deprovisioning guard: the run planned more deprovisions than the threshold; an administrator approves or rejects them' }) })
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
    }
  }

  // --- claiming -----------------------------------------------------------------------------

  /**
   * Targets with a due queued job, except targets whose connector or IdP is disabled: their jobs wait
   * unclaimed until it is enabled again. Targets of deleted IdPs are included: their jobs must still
   * be claimed, to fail visibly. (Paused targets are the worker's to skip: {@link pausedTargets}.)
   */
  async claimableTargets(now: number): Promise<JobTarget[]> {
    const [due, disabled] = await Promise.all([targetsWithDueJobs(this.db, now), this.disabledTargets()]);
    return due.filter((t) => !disabled.has(targetKey(t.idpId, t.connectorType)));
  }

  async expiredLeases(now: number, exclude: readonly number[]): Promise<JobRow[]> {
    return expiredLeases(this.db, now, exclude);
  }

  async dueChainHeads(target: JobTarget, now: number, limit: number, exclude: readonly number[]): Promise<JobRow[]> {
    return dueChainHeads(this.db, target, now, limit, exclude);
  }

  /**
   * Leases the picked candidates in one transaction (one commit however many): on PostgreSQL the
   * candidates are locked first with `FOR UPDATE SKIP LOCKED`, so an instance skips what another
   * instance is claiming at this moment instead of waiting for it; the conditional UPDATE then makes
   * every claim exclusive on both dialects. Pending updates right behind a leased create or update are
   * coalesced into it. Two candidates of one chain are never leased together.
   */
  async lease(candidates: readonly JobRow[], owner: string, now: number, leaseMs: number, onCoalesced?: (jobId: number, absorbed: number[]) => void): Promise<ProvisioningJob[]> {
    if (candidates.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      // Two candidates of one chain are never leased together.
      const distinct: JobRow[] = [];
      for (const row of candidates) {
        if (distinct.some((c) => c.idp_id === row.idp_id && c.connector_type === row.connector_type && (c.entity_id === row.entity_id || (c.chain_key !== null && c.chain_key === row.chain_key)))) continue;
        distinct.push(row);
      }
      let rows = distinct;
      let locked = false;
      if (this.database.dialect === 'postgres') {
        // Locked rows still as they were read are ours to lease in one statement (nobody can change
        // them before this transaction ends); rows another instance is claiming are skipped.
        const current = await trx
          .selectFrom('provisioning_jobs')
          .select(['id', 'state', 'updated_at'])
          .where('id', 'in', distinct.map((c) => c.id))
          .forUpdate()
          .skipLocked()
          .execute();
        const unchanged = new Set(current.filter((c) => distinct.some((d) => d.id === c.id && d.state === c.state && d.updated_at === c.updated_at)).map((c) => c.id));
        rows = distinct.filter((c) => unchanged.has(c.id) && (c.state !== 'running' || (c.lease_expires_at ?? 0) < now));
        locked = true;
        for (let i = 0; i < rows.length; i += 500) {
          await trx
            .updateTable('provisioning_jobs')
            .set((eb) => ({ state: 'running', lease_owner: owner, lease_expires_at: now + leaseMs, attempts: eb('attempts', '+', 1), updated_at: now }))
            .where('id', 'in', rows.slice(i, i + 500).map((r) => r.id))
            .execute();
        }
      }
      const claimed: ProvisioningJob[] = [];
      // Which candidates have a later open job of their own (a possible follower to coalesce): one
      // query for all of them, instead of one per leased job.
      const byTarget = new Map<string, JobRow[]>();
      for (const r of rows) {
        if (r.operation === 'deprovision' || r.entity_type === 'GROUP') continue;
        const key = targetKey(r.idp_id, r.connector_type);
        byTarget.set(key, [...(byTarget.get(key) ?? []), r]);
      }
      const withLater = new Set<string>();
      for (const group of byTarget.values()) {
        for (let i = 0; i < group.length; i += 500) {
          const slice = group.slice(i, i + 500);
          const later = await trx
            .selectFrom('provisioning_jobs')
            .select('entity_id')
            .where('idp_id', '=', slice[0]!.idp_id)
            .where('connector_type', '=', slice[0]!.connector_type)
            .where('entity_id', 'in', slice.map((r) => r.entity_id))
            .where('state', '=', 'pending')
            .where('operation', '=', 'update')
            .where('id', '>', Math.min(...slice.map((r) => r.id)))
            .execute();
          for (const l of later) withLater.add(targetKey(slice[0]!.idp_id, slice[0]!.connector_type) + l.entity_id);
        }
      }
      for (const row of rows) {
        if (!locked && !(await leaseJob(trx, row, owner, now, leaseMs))) continue;
        let payload: JobPayload | undefined;
        if (row.operation !== 'deprovision' && row.entity_type !== 'GROUP' && withLater.has(targetKey(row.idp_id, row.connector_type) + row.entity_id)) {
          const coalesced = await absorbFollowers(trx, row, now);
          if (coalesced.absorbed.length > 0) onCoalesced?.(row.id, coalesced.absorbed);
          payload = coalesced.payload;
        }
        claimed.push(toJob({ ...row, state: 'running', lease_owner: owner, attempts: row.attempts + 1 }, payload));
      }
      return claimed;
    });
  }

  async renewLease(ids: number | readonly number[], owner: string, until: number): Promise<void> {
    const list = typeof ids === 'number' ? [ids] : [...ids];
    if (list.length === 0) return;
    await this.db.updateTable('provisioning_jobs').set({ lease_expires_at: until }).where('id', 'in', list).where('lease_owner', '=', owner).execute();
  }

  /** Gives leased jobs back (shutdown): due again at once, for any instance. */
  async release(ids: readonly number[], owner: string, now = Date.now()): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('provisioning_jobs')
      .set({ state: 'retrying', lease_owner: null, lease_expires_at: null, next_attempt_at: now, updated_at: now })
      .where('id', 'in', [...ids])
      .where('lease_owner', '=', owner)
      .execute();
  }

  // --- the deprovisioning guard (cluster-wide) -------------------------------------------------

  /**
   * Takes one deprovision from the target's budget: true while fewer than `threshold` were sent in
   * the current window (which starts with the first deprovision and lasts `windowMs`), false once
   * the threshold is reached. One atomic upsert, so instances sharing the database share the budget.
   */
  async reserveDeprovision(target: { idpId: string; connectorType: string }, threshold: number, windowMs: number, now = Date.now()): Promise<boolean> {
    const expired = now - windowMs;
    const row = await this.db
      .insertInto('deprovision_budgets')
      .values({ idp_id: target.idpId, connector_type: target.connectorType, window_start: now, count: 1 })
      .onConflict((oc) =>
        oc
          .columns(['idp_id', 'connector_type'])
          .doUpdateSet((eb) => ({
            count: eb.case().when('deprovision_budgets.window_start', '<', expired).then(1).else(eb('deprovision_budgets.count', '+', 1)).end(),
            window_start: eb.case().when('deprovision_budgets.window_start', '<', expired).then(now).else(eb.ref('deprovision_budgets.window_start')).end(),
          }))
          .where((eb) => eb.or([eb('deprovision_budgets.window_start', '<', expired), eb('deprovision_budgets.count', '<', threshold)])),
      )
      .returning('count')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A target's held deprovisions, oldest first. */
  async held(tenant: string, target: { idpId: string; connectorType: string }): Promise<ProvisioningJob[]> {
    const rows = await this.db
      .selectFrom('provisioning_jobs')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('idp_id', '=', target.idpId)
      .where('connector_type', '=', target.connectorType)
      .where('state', '=', 'held')
      .orderBy('id')
      .execute();
    return rows.map((row) => toJob(row));
  }

  /**
   * An administrator's decision on held deprovisions, recorded on each job's log with who made it:
   * approved ones are queued again (and pass the guard), rejected ones are discarded (the remote
   * accounts stay as they are). Only jobs still held are touched.
   */
  async decideHeld(jobs: readonly ProvisioningJob[], decision: 'approve' | 'reject', by: string, now = Date.now()): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      let count = 0;
      for (const job of jobs) {
        const payload: JobPayload = decision === 'approve' ? { ...job.payload, approvedBy: by } : job.payload;
        const updated = await trx
          .updateTable('provisioning_jobs')
          .set({
            state: decision === 'approve' ? 'pending' : 'discarded',
            payload: JSON.stringify(payload),
            next_attempt_at: now,
            updated_at: now,
            completed_at: decision === 'approve' ? null : now,
            last_error: null,
          })
          .where('id', '=', job.id)
          .where('state', '=', 'held')
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) continue;
        count += 1;
        await trx
          .insertInto('provisioning_attempts')
          .values({
            ...attemptOf(job, now),
            operation: job.operation,
            calls: '[]',
            outcome: decision === 'approve' ? 'held-approved' : 'held-rejected',
            http_status: null,
            remote_code: null,
            remote_message: `${decision === 'approve' ? 'approved' : 'rejected'} by ${by}`,
            remote_id: null,
            duration_ms: 0,
          })
          .execute();
      }
      return count;
    });
  }

  // --- pauses (cluster-wide) ------------------------------------------------------------------

  /** Leaves a target alone until `until`, on every instance (a later pause wins over an earlier one). */
  async pause(idpId: string, connectorType: string, until: number): Promise<void> {
    const key = targetKey(idpId, connectorType);
    const cached = this.#paused;
    if (cached) void cached.rows.then((rows) => rows.set(key, Math.max(rows.get(key) ?? 0, until)));
    await this.db
      .insertInto('target_pauses')
      .values({ idp_id: idpId, connector_type: connectorType, paused_until: until })
      .onConflict((oc) =>
        oc.columns(['idp_id', 'connector_type']).doUpdateSet({
          // The later of the stored and the new pause (SQLite's two-argument max(), PostgreSQL's greatest()).
          paused_until: (eb) => eb.fn<number>(this.database.dialect === 'postgres' ? 'greatest' : 'max', [eb.ref('target_pauses.paused_until'), eb.ref('excluded.paused_until')]),
        }),
      )
      .execute();
  }

  async pausedTargets(now: number): Promise<Set<string>> {
    if (!this.#paused || now - this.#paused.at > 1_000) {
      const rows = this.db
        .selectFrom('target_pauses')
        .select(['idp_id', 'connector_type', 'paused_until'])
        .where('paused_until', '>', now)
        .execute()
        .then((list) => new Map(list.map((r) => [targetKey(r.idp_id, r.connector_type), r.paused_until] as const)));
      this.#paused = { at: now, rows };
      rows.catch(() => (this.#paused = undefined));
    }
    const rows = await this.#paused.rows;
    return new Set([...rows].filter(([, until]) => until > now).map(([key]) => key));
  }

  private async disabledTargets(): Promise<Set<string>> {
    const now = Date.now();
    if (!this.#disabled || now - this.#disabled.at > 1_000) {
      const keys = this.readDisabledTargets();
      this.#disabled = { at: now, keys };
      keys.catch(() => (this.#disabled = undefined));
    }
    return this.#disabled.keys;
  }

  private async readDisabledTargets(): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('idp_connectors as c')
      .innerJoin('identity_providers as i', 'i.id', 'c.idp_id')
      .select(['c.idp_id', 'c.connector_type'])
      .where((eb) => eb.or([eb('c.enabled', '=', 0), eb('i.enabled', '=', 0)]))
      .execute();
    return new Set(rows.map((r) => targetKey(r.idp_id, r.connector_type)));
  }

  // --- what delivery reads ---------------------------------------------------------------------

  async identity(job: Pick<ProvisioningJob, 'idpId' | 'connectorType' | 'entityId'>, db: Db = this.db): Promise<Selectable<ProvisionedIdentityTable> | undefined> {
    return db
      .selectFrom('provisioned_identities')
      .selectAll()
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('entity_id', '=', job.entityId)
      .executeTakeFirst();
  }

  /** The provisioned identities of several entities on one target, by entity id (one query). */
  async identitiesOf(target: Pick<ProvisioningJob, 'idpId' | 'connectorType'>, entityIds: readonly string[], db: Db = this.db): Promise<Map<string, Selectable<ProvisionedIdentityTable>>> {
    if (entityIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('provisioned_identities')
      .selectAll()
      .where('idp_id', '=', target.idpId)
      .where('connector_type', '=', target.connectorType)
      .where('entity_id', 'in', [...entityIds])
      .execute();
    return new Map(rows.map((r) => [r.entity_id, r] as const));
  }

  /**
   * The operations of jobs not yet settled (open or held) for these entities on one target: a run
   * leaves a user to the create or deprovision already on its way (one query per run page).
   */
  async unsettledOperations(db: Db, target: { idpId: string; connectorType: string }, entityIds: readonly string[]): Promise<Map<string, Set<JobOperation>>> {
    const out = new Map<string, Set<JobOperation>>();
    if (entityIds.length === 0) return out;
    const rows = await db
      .selectFrom('provisioning_jobs')
      .select(['entity_id', 'operation'])
      .where('idp_id', '=', target.idpId)
      .where('connector_type', '=', target.connectorType)
      .where('entity_id', 'in', [...entityIds])
      .where('state', 'in', [...OPEN_JOB_STATES, 'held'])
      .execute();
    for (const row of rows) {
      const operations = out.get(row.entity_id) ?? new Set<JobOperation>();
      operations.add(row.operation as JobOperation);
      out.set(row.entity_id, operations);
    }
    return out;
  }

  /** Every user identity recorded on one target (reconciliation reads them once per run). */
  async identitiesOnTarget(target: { idpId: string; connectorType: string }): Promise<Array<Pick<Selectable<ProvisionedIdentityTable>, 'entity_id' | 'entity_name' | 'remote_id' | 'remote_name' | 'state'>>> {
    return this.db
      .selectFrom('provisioned_identities')
      .select(['entity_id', 'entity_name', 'remote_id', 'remote_name', 'state'])
      .where('idp_id', '=', target.idpId)
      .where('connector_type', '=', target.connectorType)
      .where('entity_type', '=', 'USER')
      .execute();
  }

  /**
   * Records that a local user owns a remote account found by reconciliation (a link without a remote
   * call), once no other local user owns it or claims its name (idempotent: linking again is a
   * no-op). Returns the other owner's name instead when there is one.
   */
  async link(entity: { tenant: string; idpId: string; connectorType: string; entityId: string; entityName: string }, remote: { remoteId: string; remoteName: string }, now = Date.now()): Promise<string | undefined> {
    const job = { ...entity, entityType: 'USER' as const };
    const owner = (await this.ownerOf(job, remote.remoteId)) ?? (await this.claimRemoteName(job, remote.remoteName, now));
    if (owner) return owner;
    const values = {
      tenant: entity.tenant,
      idp_id: entity.idpId,
      connector_type: entity.connectorType,
      entity_type: 'USER',
      entity_id: entity.entityId,
      entity_name: entity.entityName,
      remote_id: remote.remoteId,
      remote_name: remote.remoteName,
      state: 'provisioned',
      last_job_id: null,
      last_attempt_at: now,
      last_error: null,
      updated_at: now,
    };
    await this.db
      .insertInto('provisioned_identities')
      .values(values)
      .onConflict((oc) => oc.columns(['idp_id', 'connector_type', 'entity_id']).doUpdateSet(values))
      .execute();
    return undefined;
  }

  /** The other local entity provisioned to this remote id on this target, if any. */
  async ownerOf(job: Pick<ProvisioningJob, 'idpId' | 'connectorType' | 'entityId' | 'entityType'>, remoteId: string): Promise<string | undefined> {
    const owner = await this.db
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

  /**
   * Claims a remote account name on the job's target for the job's entity before a connector creates
   * or adopts the account. Returns the other local entity's name when that entity still holds the
   * name (its identity on this target is provisioned under it, or it has a create or update in
   * flight there, whose account may exist remotely before its identity is recorded); otherwise the
   * claim is (or becomes) this entity's. The insert decides races: of two deliveries claiming one
   * name at once, whichever inserts second finds the first's open job and is refused.
   */
  async claimRemoteName(job: Pick<ProvisioningJob, 'idpId' | 'connectorType' | 'entityId' | 'entityType' | 'entityName'>, remoteName: string, now = Date.now()): Promise<string | undefined> {
    const key = { idp_id: job.idpId, connector_type: job.connectorType, entity_type: job.entityType, name_key: remoteName.toLowerCase() };
    const mine = { entity_id: job.entityId, entity_name: job.entityName, claimed_at: now };
    const claimed = (eb: ExpressionBuilder<Database, 'remote_name_claims'>) =>
      eb.and([eb('idp_id', '=', key.idp_id), eb('connector_type', '=', key.connector_type), eb('entity_type', '=', key.entity_type), eb('name_key', '=', key.name_key)]);
    for (let round = 0; round < 3; round++) {
      await this.db.insertInto('remote_name_claims').values({ ...key, ...mine }).onConflict((oc) => oc.doNothing()).execute();
      const holder = await this.db.selectFrom('remote_name_claims').select(['entity_id', 'entity_name']).where(claimed).executeTakeFirst();
      if (!holder) continue; // released in between: claim again
      if (holder.entity_id === job.entityId) return undefined;
      if (await this.holdsName(job, holder.entity_id, key.name_key)) return holder.entity_name;
      const taken = await this.db.updateTable('remote_name_claims').set(mine).where(claimed).where('entity_id', '=', holder.entity_id).executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) return undefined;
    }
    return 'another local entity';
  }

  /**
   * {@link claimRemoteName} for the creates of one batch at once (one insert and one read for all of
   * them; only names another entity holds are looked at one by one). Returns, per entity id, the
   * other holder's name when refused.
   */
  async claimRemoteNames(jobs: ReadonlyArray<{ job: Pick<ProvisioningJob, 'idpId' | 'connectorType' | 'entityId' | 'entityType' | 'entityName'>; remoteName: string }>, now = Date.now()): Promise<Map<string, string>> {
    const refused = new Map<string, string>();
    if (jobs.length === 0) return refused;
    const { idpId, connectorType, entityType } = jobs[0]!.job;
    for (let i = 0; i < jobs.length; i += 500) {
      const slice = jobs.slice(i, i + 500);
      await this.db
        .insertInto('remote_name_claims')
        .values(slice.map(({ job, remoteName }) => ({ idp_id: idpId, connector_type: connectorType, entity_type: entityType, name_key: remoteName.toLowerCase(), entity_id: job.entityId, entity_name: job.entityName, claimed_at: now })))
        .onConflict((oc) => oc.doNothing())
        .execute();
      const holders = await this.db
        .selectFrom('remote_name_claims')
        .select(['name_key', 'entity_id'])
        .where('idp_id', '=', idpId)
        .where('connector_type', '=', connectorType)
        .where('entity_type', '=', entityType)
        .where('name_key', 'in', slice.map((j) => j.remoteName.toLowerCase()))
        .execute();
      const holderOf = new Map(holders.map((h) => [h.name_key, h.entity_id] as const));
      for (const { job, remoteName } of slice) {
        if (holderOf.get(remoteName.toLowerCase()) === job.entityId) continue;
        const owner = await this.claimRemoteName(job, remoteName, now);
        if (owner) refused.set(job.entityId, owner);
      }
    }
    return refused;
  }

  /** Whether an entity still holds a remote name on a job's target (see claimRemoteName). */
  private async holdsName(job: Pick<ProvisioningJob, 'idpId' | 'connectorType'>, entityId: string, nameKey: string): Promise<boolean> {
    const provisioned = await this.db
      .selectFrom('provisioned_identities')
      .select('entity_id')
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('entity_id', '=', entityId)
      .where('state', '=', 'provisioned')
      .where(sql<string>`lower(remote_name)`, '=', nameKey)
      .executeTakeFirst();
    if (provisioned) return true;
    const inFlight = await this.db
      .selectFrom('provisioning_jobs')
      .select('id')
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('entity_id', '=', entityId)
      .where('state', 'in', [...OPEN_JOB_STATES])
      .where('operation', 'in', ['create', 'update'])
      .executeTakeFirst();
    return inFlight !== undefined;
  }

  /**
   * What a group job needs to know about its members on its target. Open member jobs are read before
   * the identities: a member job that settles in between then has its identity read, and one still
   * open is seen as open (read the other way round, a job settling in between would be neither).
   */
  async groupMemberFacts(job: ProvisioningJob): Promise<GroupMemberFacts> {
    const group = job.payload.group ?? { displayName: job.entityName, members: [], added: [], removed: [] };
    const memberIds = [...new Set(group.members.map((m) => m.localId))];
    const ids = [...new Set([...group.members, ...group.added, ...group.removed].map((m) => m.localId))];
    const open = memberIds.length === 0 ? [] : await this.db
      .selectFrom('provisioning_jobs')
      .select('entity_id')
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('entity_type', '=', 'USER')
      .where('entity_id', 'in', memberIds)
      .where('state', 'in', [...OPEN_JOB_STATES])
      .execute();
    const identities = ids.length === 0 ? [] : await this.db
      .selectFrom('provisioned_identities')
      .select(['entity_id', 'remote_id', 'state'])
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('entity_type', '=', 'USER')
      .where('entity_id', 'in', ids)
      .execute();
    const previous = await this.db
      .selectFrom('provisioning_jobs')
      .select('state')
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where('chain_key', '=', `group:${job.entityId}`)
      .where('id', '<', job.id)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return {
      provisioned: new Map(identities.filter((i) => i.remote_id && i.state === 'provisioned').map((i) => [i.entity_id, i.remote_id!] as const)),
      known: new Map(identities.filter((i) => i.remote_id).map((i) => [i.entity_id, i.remote_id!] as const)),
      pending: new Set(open.map((o) => o.entity_id)),
      ...(previous ? { previousState: previous.state as JobState } : {}),
    };
  }

  // --- settling --------------------------------------------------------------------------------

  /**
   * Records an attempt in one transaction: the job's new state (only while this owner still holds
   * the lease; otherwise another worker took it over and records its own outcome: `lost`), the jobs
   * coalesced into it settling with it, the attempt's log row, and the provisioned identity (upserted).
   */
  async settle(job: ProvisioningJob, owner: string, settlement: Settlement, now = Date.now()): Promise<{ lost: boolean; settledWith: number[] }> {
    return this.db.transaction().execute((trx) => this.settleIn(trx, job, owner, settlement, now));
  }

  /**
   * Settles the jobs of one batch delivery in one transaction (one commit for the whole batch), with
   * a handful of statements however many jobs: jobs that settle alike are updated together (the
   * lease owner checked per row, so a job another worker took over is reported lost), their
   * coalesced followers with them, the attempts inserted and the identities upserted in one
   * statement each. Entries whose identity must be read first are settled one by one.
   */
  async settleMany(entries: ReadonlyArray<{ job: ProvisioningJob; settlement: Settlement }>, owner: string, now = Date.now()): Promise<Array<{ lost: boolean; settledWith: number[] }>> {
    return this.db.transaction().execute(async (trx) => {
      if (entries.some((e) => typeof e.settlement.identity === 'function')) {
        const results: Array<{ lost: boolean; settledWith: number[] }> = [];
        for (const { job, settlement } of entries) results.push(await this.settleIn(trx, job, owner, settlement, now));
        return results;
      }
      const kept = new Set<number>();
      const settledWith = new Map<number, number[]>();
      const groups = new Map<string, Array<{ job: ProvisioningJob; settlement: Settlement }>>();
      for (const entry of entries) {
        const { state, error, nextAttemptAt, giveBackAttempt } = entry.settlement;
        const key = JSON.stringify([state, error ?? null, nextAttemptAt ?? null, giveBackAttempt]);
        groups.set(key, [...(groups.get(key) ?? []), entry]);
      }
      for (const group of groups.values()) {
        const { state, error, nextAttemptAt, giveBackAttempt } = group[0]!.settlement;
        const lastError = error ? JSON.stringify(error) : null;
        for (let i = 0; i < group.length; i += 500) {
          const ids = group.slice(i, i + 500).map((e) => e.job.id);
          const updated = await trx
            .updateTable('provisioning_jobs')
            .set((eb) => ({
              state,
              updated_at: now,
              lease_owner: null,
              lease_expires_at: null,
              last_error: lastError,
              completed_at: state === 'retrying' || state === 'held' ? null : now,
              ...(nextAttemptAt !== undefined ? { next_attempt_at: nextAttemptAt } : {}),
              ...(giveBackAttempt ? { attempts: eb.case().when('attempts', '>', 0).then(eb('attempts', '-', 1)).else(0).end() } : {}),
            }))
            .where('id', 'in', ids)
            .where('lease_owner', '=', owner)
            .returning('id')
            .execute();
          const mine = updated.map((u) => u.id);
          for (const id of mine) kept.add(id);
          if (state === 'retrying' || state === 'held' || mine.length === 0) continue;
          const from = state === 'succeeded' ? ['pending', 'failed'] : ['pending'];
          const followers = await trx.selectFrom('provisioning_jobs').select(['id', 'coalesced_into']).where('coalesced_into', 'in', mine).where('state', 'in', from).execute();
          if (followers.length === 0) continue;
          for (const f of followers) settledWith.set(f.coalesced_into!, [...(settledWith.get(f.coalesced_into!) ?? []), f.id]);
          await trx.updateTable('provisioning_jobs').set({ state, updated_at: now, completed_at: now, last_error: lastError }).where('id', 'in', followers.map((f) => f.id)).execute();
        }
      }
      const settled = entries.filter((e) => kept.has(e.job.id));
      for (let i = 0; i < settled.length; i += 200) {
        const slice = settled.slice(i, i + 200);
        await trx
          .insertInto('provisioning_attempts')
          .values(slice.map(({ job, settlement }) => ({ ...settlement.attempt, ...attemptOf(job, now) })))
          .execute();
        await trx
          .insertInto('provisioned_identities')
          .values(
            slice.map(({ job, settlement }) =>
              identityRow(job, settlement.identity as IdentityAfter, settlement.error ? JSON.stringify(settlement.error) : null, now),
            ),
          )
          .onConflict((oc) =>
            oc.columns(['idp_id', 'connector_type', 'entity_id']).doUpdateSet((eb) => ({
              tenant: eb.ref('excluded.tenant'),
              entity_type: eb.ref('excluded.entity_type'),
              entity_name: eb.ref('excluded.entity_name'),
              remote_id: eb.ref('excluded.remote_id'),
              remote_name: eb.ref('excluded.remote_name'),
              state: eb.ref('excluded.state'),
              last_job_id: eb.ref('excluded.last_job_id'),
              last_attempt_at: eb.ref('excluded.last_attempt_at'),
              last_error: eb.ref('excluded.last_error'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
      const released = settled.filter(({ job, settlement }) => job.operation === 'deprovision' && settlement.state === 'succeeded');
      if (released.length > 0) {
        const { idpId, connectorType } = released[0]!.job;
        await trx.deleteFrom('remote_name_claims').where('idp_id', '=', idpId).where('connector_type', '=', connectorType).where('entity_id', 'in', released.map((r) => r.job.entityId)).execute();
      }
      return entries.map(({ job }) => (kept.has(job.id) ? { lost: false, settledWith: settledWith.get(job.id) ?? [] } : { lost: true, settledWith: [] }));
    });
  }

  private async settleIn(trx: Transaction<Database>, job: ProvisioningJob, owner: string, settlement: Settlement, now: number): Promise<{ lost: boolean; settledWith: number[] }> {
    const { state, error } = settlement;
    const lastError = error ? JSON.stringify(error) : null;
    const updated = await trx
      .updateTable('provisioning_jobs')
      .set({
        state,
        updated_at: now,
        lease_owner: null,
        lease_expires_at: null,
        last_error: lastError,
        next_attempt_at: settlement.nextAttemptAt ?? job.nextAttemptAt,
        completed_at: state === 'retrying' || state === 'held' ? null : now,
        ...(settlement.giveBackAttempt ? { attempts: Math.max(0, job.attempts - 1) } : {}),
      })
      .where('id', '=', job.id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return { lost: true, settledWith: [] };
    let settledWith: number[] = [];
    if (state !== 'retrying' && state !== 'held') {
      const from = state === 'succeeded' ? ['pending', 'failed'] : ['pending'];
      const followers = await trx.selectFrom('provisioning_jobs').select('id').where('coalesced_into', '=', job.id).where('state', 'in', from).execute();
      settledWith = followers.map((f) => f.id);
      if (settledWith.length > 0) {
        await trx.updateTable('provisioning_jobs').set({ state, updated_at: now, completed_at: now, last_error: lastError }).where('id', 'in', settledWith).execute();
      }
    }
    await trx
      .insertInto('provisioning_attempts')
      .values({ ...settlement.attempt, ...attemptOf(job, now) })
      .execute();
    const existing = typeof settlement.identity === 'function' ? await this.identity(job, trx) : undefined;
    const next = typeof settlement.identity === 'function' ? settlement.identity(existing) : settlement.identity;
    const values = identityRow(job, next, lastError, now);
    await trx
      .insertInto('provisioned_identities')
      .values(values)
      .onConflict((oc) => oc.columns(['idp_id', 'connector_type', 'entity_id']).doUpdateSet(values))
      .execute();
    if (job.operation === 'deprovision' && state === 'succeeded') {
      // A deprovisioned entity no longer holds its remote name: another may create or adopt it.
      await trx.deleteFrom('remote_name_claims').where('idp_id', '=', job.idpId).where('connector_type', '=', job.connectorType).where('entity_id', '=', job.entityId).execute();
    }
    return { lost: false, settledWith };
  }

  /** Current states of jobs (for waiters). */
  async states(ids: readonly number[]): Promise<Map<number, JobState>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('provisioning_jobs').select(['id', 'state']).where('id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.id, r.state as JobState] as const));
  }

  // --- the operator's view ---------------------------------------------------------------------

  async list(tenant: string, query: JobListQuery): Promise<ProvisioningJob[]> {
    let q = this.db.selectFrom('provisioning_jobs').selectAll().where('tenant', '=', tenant);
    if (query.state) q = q.where('state', '=', query.state);
    if (query.user) q = q.where('entity_name', '=', query.user);
    if (query.idp) q = q.where('idp_name', '=', query.idp);
    const rows = await q.orderBy('id', 'desc').limit(Math.min(query.limit ?? 100, 1000)).execute();
    return rows.map((row) => toJob(row));
  }

  async get(tenant: string, id: number): Promise<ProvisioningJob> {
    const row = await this.db.selectFrom('provisioning_jobs').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`Provisioning job ${id} does not exist`);
    return toJob(row);
  }

  /** The latest job of the same chain after this one that still counts (not discarded or coalesced). */
  async laterInChain(job: ProvisioningJob): Promise<number | undefined> {
    const later = await this.db
      .selectFrom('provisioning_jobs')
      .select(['id'])
      .where('tenant', '=', job.tenant)
      .where('idp_id', '=', job.idpId)
      .where('connector_type', '=', job.connectorType)
      .where((eb) => eb.or([eb('entity_id', '=', job.entityId), eb('chain_key', '=', job.entityName.toLowerCase())]))
      .where('id', '>', job.id)
      .where('state', '!=', 'discarded')
      .where('coalesced_into', 'is', null)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return later?.id;
  }

  /** A failed or discarded job back to the queue with a fresh attempt budget (conditional on its state). */
  async requeue(id: number, from: JobState, now = Date.now()): Promise<void> {
    const result = await this.db
      .updateTable('provisioning_jobs')
      .set({ state: 'pending', attempts: 0, next_attempt_at: now, completed_at: null, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', from)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new ConflictError(`Job ${id} changed meanwhile; look again`);
  }

  /** Discards a job and the pending or failed jobs coalesced into it (conditional on its state). */
  async discard(id: number, from: JobState, now = Date.now()): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('provisioning_jobs').set({ state: 'discarded', completed_at: now, updated_at: now }).where('id', '=', id).where('state', '=', from).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new ConflictError(`Job ${id} changed meanwhile; look again`);
      await trx
        .updateTable('provisioning_jobs')
        .set({ state: 'discarded', completed_at: now, updated_at: now })
        .where('coalesced_into', '=', id)
        .where('state', 'in', ['pending', 'failed'])
        .execute();
    });
  }

  /** A user's provisioned identities (with their IdP's current name) and open jobs, by username. */
  async userStatus(tenant: string, username: string) {
    const identities = await this.db
      .selectFrom('provisioned_identities as p')
      .innerJoin('identity_providers as i', 'i.id', 'p.idp_id')
      .select(['i.name as idp', 'p.connector_type', 'p.remote_id', 'p.state', 'p.last_attempt_at', 'p.last_error'])
      .where('p.tenant', '=', tenant)
      .where('p.entity_name', '=', username)
      .execute();
    const open = await this.db
      .selectFrom('provisioning_jobs')
      .select(['idp_name', 'connector_type', 'state'])
      .where('tenant', '=', tenant)
      .where('entity_name', '=', username)
      .where('state', 'in', [...OPEN_JOB_STATES])
      .execute();
    return { identities, open };
  }

  async attempts(tenant: string, query: { user?: string; idp?: string; limit?: number }): Promise<Array<Selectable<ProvisioningAttemptTable>>> {
    let q = this.db.selectFrom('provisioning_attempts').selectAll().where('tenant', '=', tenant);
    if (query.user) q = q.where('entity_name', '=', query.user);
    if (query.idp) q = q.where('idp_name', '=', query.idp);
    return q.orderBy('id', 'desc').limit(Math.min(query.limit ?? 100, 1000)).execute();
  }

  /** Jobs by state, across the cluster (metrics). */
  async countByState(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('provisioning_jobs')
      .select(['state', sql<number>`count(*)`.as('n')])
      .groupBy('state')
      .execute();
    return new Map(rows.map((r) => [r.state, Number(r.n)] as const));
  }
}

export { targetKey };
export type { JobRow, JobTarget, JobPayload };

type IdentityAfter = { remoteId: string | null; remoteName: string | null; state: string };

/** The provisioned-identity row a settled job leaves. */
function identityRow(job: ProvisioningJob, next: IdentityAfter, lastError: string | null, now: number) {
  return {
    tenant: job.tenant,
    idp_id: job.idpId,
    connector_type: job.connectorType,
    entity_type: job.entityType,
    entity_id: job.entityId,
    entity_name: job.entityName,
    remote_id: next.remoteId,
    remote_name: next.remoteName,
    state: next.state,
    last_job_id: job.id,
    last_attempt_at: now,
    last_error: lastError,
    updated_at: now,
  };
}

/** The columns of an attempt row that come from its job. */
function attemptOf(job: ProvisioningJob, at: number) {
  return {
    job_id: job.id,
    tenant: job.tenant,
    idp_id: job.idpId,
    idp_name: job.idpName,
    connector_type: job.connectorType,
    entity_id: job.entityId,
    entity_name: job.entityName,
    at,
  };
}
