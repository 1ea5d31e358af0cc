import { inject, injectable } from 'inversify';
import { sql } from 'kysely';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { NotFoundError } from '@provisioning/errors';
import { DATABASE } from '@provisioning/persistence';
import type { Database, DatabaseHandle, ReconciliationItemTable, ReconciliationRunTable } from '@provisioning/persistence';
import { OPEN_JOB_STATES } from './jobs';
import { emptyCounts } from './runs';
import type { FieldDifference, Run, RunAction, RunCounts, RunItem, RunPhase, RunState, RunTrigger, Situation } from './runs';

type RunRow = Selectable<ReconciliationRunTable>;
export type NewRunItem = Omit<Insertable<ReconciliationItemTable>, 'id' | 'run_id' | 'fields'> & { fields: FieldDifference[] };

/** A run as its executor needs it. */
export interface RunRecord {
  id: string;
  tenant: string;
  idpId: string;
  idpName: string;
  connectorType: string;
  dryRun: boolean;
  trigger: RunTrigger;
  users: string[] | null;
  state: RunState;
  phase: RunPhase;
  cancelRequested: boolean;
  /** When the run first started (epoch ms). */
  startedAt: number;
}

/**
 * Every statement on `reconciliation_runs` and `reconciliation_items`. Runs are claimed like jobs:
 * a lease (owner + expiry) taken by a conditional UPDATE, so one instance executes a run and another
 * resumes it when the lease of a dead one expires.
 */
@injectable()
export class RunStore {
  constructor(@inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db(): Kysely<Database> {
    return this.database.db;
  }

  async create(
    run: { id: string; tenant: string; idpId: string; idpName: string; connectorType: string; dryRun: boolean; trigger: RunTrigger; users: string[] | null; requestedBy: string | null },
    now = Date.now(),
    db: Kysely<Database> | Transaction<Database> = this.db,
  ): Promise<void> {
    const counts = emptyCounts();
    await db
      .insertInto('reconciliation_runs')
      .values({
        id: run.id,
        tenant: run.tenant,
        idp_id: run.idpId,
        idp_name: run.idpName,
        connector_type: run.connectorType,
        dry_run: run.dryRun ? 1 : 0,
        trigger: run.trigger,
        users: run.users ? JSON.stringify(run.users) : null,
        state: 'queued',
        phase: 'plan',
        progress_total: 0,
        progress_done: 0,
        situations: JSON.stringify(counts.situations),
        actions: JSON.stringify(counts.actions),
        cancel_requested: 0,
        lease_owner: null,
        lease_expires_at: null,
        error: null,
        requested_by: run.requestedBy,
        created_at: now,
        started_at: null,
        finished_at: null,
        updated_at: now,
      })
      .execute();
  }

  async get(tenant: string, id: string): Promise<Run> {
    const row = await this.db.selectFrom('reconciliation_runs').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`reconciliation run ${id} not found`, { code: 'RUN-404' });
    return toRun(row);
  }

  async list(tenant: string, query: { idp?: string; state?: RunState; limit?: number }): Promise<Run[]> {
    let q = this.db.selectFrom('reconciliation_runs').selectAll().where('tenant', '=', tenant);
    if (query.idp) q = q.where('idp_name', '=', query.idp);
    if (query.state) q = q.where('state', '=', query.state);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit ?? 100).execute();
    return rows.map(toRun);
  }

  /** Whether a run of this target is queued or running (one at a time per target). */
  /** A queued (not yet started) applied run of the target: it will plan with the configuration as it is then. */
  async queuedAppliedRun(idpId: string, connectorType: string, db: Kysely<Database> | Transaction<Database> = this.db): Promise<string | undefined> {
    const row = await db
      .selectFrom('reconciliation_runs')
      .select('id')
      .where('idp_id', '=', idpId)
      .where('connector_type', '=', connectorType)
      .where('state', '=', 'queued')
      .where('dry_run', '=', 0)
      .executeTakeFirst();
    return row?.id;
  }

  async activeRun(idpId: string, connectorType: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('reconciliation_runs')
      .select('id')
      .where('idp_id', '=', idpId)
      .where('connector_type', '=', connectorType)
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return row?.id;
  }

  async items(tenant: string, id: string, query: { situation?: Situation; startIndex: number; count: number }): Promise<{ total: number; items: RunItem[] }> {
    await this.get(tenant, id);
    let q = this.db.selectFrom('reconciliation_items').where('run_id', '=', id);
    if (query.situation) q = q.where('situation', '=', query.situation);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = query.count === 0 ? [] : await q.selectAll().orderBy('id').offset(query.startIndex - 1).limit(query.count).execute();
    return { total, items: rows.map(toItem) };
  }

  async requestCancel(tenant: string, id: string, now = Date.now()): Promise<Run> {
    await this.get(tenant, id);
    await this.db.updateTable('reconciliation_runs').set({ cancel_requested: 1, updated_at: now }).where('id', '=', id).where('state', 'in', ['queued', 'running']).execute();
    // A queued run nobody executes yet ends at once.
    await this.db.updateTable('reconciliation_runs').set({ state: 'cancelled', phase: 'done', finished_at: now, updated_at: now }).where('id', '=', id).where('state', '=', 'queued').execute();
    return this.get(tenant, id);
  }

  // --- execution ------------------------------------------------------------------------------

  /**
   * Takes the oldest queued run whose target has no run under way, or a running one whose
   * executor's lease expired (it resumes).
   */
  async claim(owner: string, now: number, leaseMs: number): Promise<RunRecord | undefined> {
    const candidates = await this.db
      .selectFrom('reconciliation_runs')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([
            eb('state', '=', 'queued'),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('reconciliation_runs as other')
                  .select('other.id')
                  .whereRef('other.idp_id', '=', 'reconciliation_runs.idp_id')
                  .whereRef('other.connector_type', '=', 'reconciliation_runs.connector_type')
                  .where('other.state', '=', 'running')
                  .where('other.lease_expires_at', '>=', now),
              ),
            ),
          ]),
          eb.and([eb('state', '=', 'running'), eb('lease_expires_at', '<', now)]),
        ]),
      )
      .orderBy('created_at')
      .limit(5)
      .execute();
    for (const row of candidates) {
      // One run at a time per target: a queued run waits while another of its target runs.
      const taken = await this.db
        .updateTable('reconciliation_runs')
        .set({ state: 'running', lease_owner: owner, lease_expires_at: now + leaseMs, started_at: row.started_at ?? now, updated_at: now })
        .where('id', '=', row.id)
        .where('state', '=', row.state)
        .where('updated_at', '=', row.updated_at)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('reconciliation_runs as other')
                .select('other.id')
                .where('other.idp_id', '=', row.idp_id)
                .where('other.connector_type', '=', row.connector_type)
                .where('other.state', '=', 'running')
                .where('other.id', '<>', row.id)
                .where('other.lease_expires_at', '>=', now),
            ),
          ),
        )
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) return toRecord({ ...row, state: 'running', started_at: row.started_at ?? now });
    }
    return undefined;
  }

  /** Extends the lease; false when another executor took the run over (this one must stop). */
  async renewLease(id: string, owner: string, until: number): Promise<boolean> {
    const result = await this.db.updateTable('reconciliation_runs').set({ lease_expires_at: until }).where('id', '=', id).where('lease_owner', '=', owner).where('state', '=', 'running').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async cancelRequested(id: string): Promise<boolean> {
    const row = await this.db.selectFrom('reconciliation_runs').select('cancel_requested').where('id', '=', id).executeTakeFirst();
    return row?.cancel_requested === 1;
  }

  async progress(id: string, owner: string, update: { phase?: RunPhase; total?: number; done?: number; counts?: RunCounts }, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('reconciliation_runs')
      .set({
        updated_at: now,
        ...(update.phase ? { phase: update.phase } : {}),
        ...(update.total !== undefined ? { progress_total: update.total } : {}),
        ...(update.done !== undefined ? { progress_done: update.done } : {}),
        ...(update.counts ? { situations: JSON.stringify(update.counts.situations), actions: JSON.stringify(update.counts.actions) } : {}),
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async finish(id: string, owner: string, state: 'succeeded' | 'failed' | 'cancelled', error: string | null, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('reconciliation_runs')
      .set({ state, phase: 'done', error, finished_at: now, updated_at: now, lease_owner: null, lease_expires_at: null })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** A plan starts (or restarts after a crash) from nothing: its items are written again. */
  async clearItems(runId: string): Promise<void> {
    await this.db.deleteFrom('reconciliation_items').where('run_id', '=', runId).execute();
  }

  async insertItems(runId: string, items: readonly NewRunItem[]): Promise<void> {
    // 12 values per row: well within SQLite's and PostgreSQL's bound parameters per statement.
    for (let i = 0; i < items.length; i += 500) {
      const rows = items.slice(i, i + 500).map((item) => ({ ...item, run_id: runId, fields: JSON.stringify(item.fields) }));
      await this.db.insertInto('reconciliation_items').values(rows).execute();
    }
  }

  /** Items still to apply (an action, no job yet), in order. */
  async itemsToApply(runId: string, afterId: number, limit: number): Promise<Array<Selectable<ReconciliationItemTable>>> {
    return this.db
      .selectFrom('reconciliation_items')
      .selectAll()
      .where('run_id', '=', runId)
      .where('job_id', 'is', null)
      .where('outcome', 'is', null)
      .where('action', '!=', 'none')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Records what applying an item did, in the caller's transaction (with the job it wrote). */
  async applied(trx: Transaction<Database>, itemId: number, result: { jobId?: number; outcome?: string; note?: string }): Promise<void> {
    await trx
      .updateTable('reconciliation_items')
      .set({ ...(result.jobId !== undefined ? { job_id: result.jobId } : {}), ...(result.outcome ? { outcome: result.outcome } : {}), ...(result.note ? { note: result.note } : {}) })
      .where('id', '=', itemId)
      .execute();
  }

  /** Records the jobs written for items (item id -> job id), in the caller's transaction, in one statement per 500. */
  async appliedJobs(trx: Transaction<Database>, jobs: ReadonlyArray<{ itemId: number; jobId: number }>): Promise<void> {
    for (let i = 0; i < jobs.length; i += 500) {
      const slice = jobs.slice(i, i + 500);
      await trx
        .updateTable('reconciliation_items')
        .set({ job_id: sql<number>`case id ${sql.join(slice.map(({ itemId, jobId }) => sql`when ${itemId} then cast(${jobId} as bigint)`), sql` `)} end` })
        .where('id', 'in', slice.map((j) => j.itemId))
        .execute();
    }
  }

  /** How many of the run's items have this action. */
  async countActions(runId: string, action: RunAction): Promise<number> {
    const row = await this.db.selectFrom('reconciliation_items').select((eb) => eb.fn.countAll<number>().as('n')).where('run_id', '=', runId).where('action', '=', action).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** How many of the run's jobs are still open. */
  async openJobs(runId: string): Promise<number> {
    const row = await this.db
      .selectFrom('reconciliation_items as i')
      .innerJoin('provisioning_jobs as j', 'j.id', 'i.job_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('i.run_id', '=', runId)
      .where('j.state', 'in', [...OPEN_JOB_STATES])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Copies each applied item's job state into its outcome, and counts what the run did: actions by
   * kind (those carried out or under way), and `failed` for items whose job failed.
   */
  async settleItems(runId: string): Promise<RunCounts['actions']> {
    await this.db
      .updateTable('reconciliation_items')
      .set((eb) => ({ outcome: eb.selectFrom('provisioning_jobs as j').select('j.state').whereRef('j.id', '=', 'reconciliation_items.job_id') }))
      .where('run_id', '=', runId)
      .where('job_id', 'is not', null)
      .execute();
    const rows = await this.db
      .selectFrom('reconciliation_items')
      .select(['action', 'outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .where('run_id', '=', runId)
      .where('action', '!=', 'none')
      .groupBy(['action', 'outcome'])
      .execute();
    const actions = emptyCounts().actions;
    for (const row of rows) {
      const n = Number(row.n);
      if (row.outcome === 'failed') actions.failed += n;
      else if (row.outcome === 'held') actions.held += n;
      else if (row.outcome !== null && row.outcome !== 'conflict' && row.outcome !== 'skipped') actions[row.action as Exclude<RunAction, 'none'>] += n;
    }
    return actions;
  }
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    idpId: row.idp_id,
    idpName: row.idp_name,
    connectorType: row.connector_type,
    dryRun: row.dry_run === 1,
    trigger: row.trigger as RunTrigger,
    users: row.users ? (JSON.parse(row.users) as string[]) : null,
    state: row.state as RunState,
    phase: row.phase as RunPhase,
    cancelRequested: row.cancel_requested === 1,
    startedAt: row.started_at ?? row.created_at,
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function toRun(row: RunRow): Run {
  return {
    id: row.id,
    idp: row.idp_name,
    connector: row.connector_type,
    dryRun: row.dry_run === 1,
    trigger: row.trigger as RunTrigger,
    users: row.users ? (JSON.parse(row.users) as string[]) : null,
    state: row.state as RunState,
    phase: row.phase as RunPhase,
    progress: { total: row.progress_total, done: row.progress_done },
    situations: JSON.parse(row.situations) as RunCounts['situations'],
    actions: JSON.parse(row.actions) as RunCounts['actions'],
    requestedBy: row.requested_by,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    error: row.error,
  };
}

function toItem(row: Selectable<ReconciliationItemTable>): RunItem {
  return {
    user: row.username,
    remoteId: row.remote_id,
    remoteUsername: row.remote_name,
    situation: row.situation as Situation,
    fields: JSON.parse(row.fields) as FieldDifference[],
    action: row.action as RunAction,
    outcome: row.outcome,
    note: row.note,
  };
}
