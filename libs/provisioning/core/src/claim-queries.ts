import { sql } from 'kysely';
import type { Expression, Kysely, Selectable, SqlBool, Transaction } from 'kysely';
import type { Database, ProvisioningJobTable } from '@provisioning/persistence';
import { readPayload } from './jobs';
import type { JobPayload } from './jobs';

/**
 * The SQL of claiming, one function per statement, written for SQLite in SQL that PostgreSQL also
 * runs (a PostgreSQL claim may later fold `targetsWithDueJobs` + `dueChainHeads` into one LATERAL
 * query with SKIP LOCKED). Nothing here decides who is served: the worker's fair share does.
 */

export type JobRow = Selectable<ProvisioningJobTable>;
type Queryable = Kysely<Database> | Transaction<Database>;

/** A delivery target: one connector type of one IdP, which belongs to one tenant. */
export interface JobTarget {
  tenant: string;
  idpId: string;
  connectorType: string;
}

/** The map key of a target (also the worker's throttling pause key). */
export function targetKey(idpId: string, connectorType: string): string {
  return `${idpId}\0${connectorType}`;
}

/**
 * The targets that have a due queued job, with their tenant, in one statement. A loose index scan
 * (recursive CTE, the standard idiom on SQLite and PostgreSQL): each step is one seek on the chain
 * index's (idp_id, connector_type) prefix for the next IdP, then for each of its connector types, so
 * the cost follows the number of targets, never their jobs; "has a due job" is one seek per target on
 * jobs_queued_target_idx. Targets of deleted IdPs are included: their queued jobs must still be
 * claimed, to fail with "no longer exists".
 */
export async function targetsWithDueJobs(db: Queryable, now: number): Promise<JobTarget[]> {
  const result = await sql<{ tenant: string; idp_id: string; connector_type: string }>`
    with recursive
      idps(idp_id) as (
        select min(idp_id) from provisioning_jobs
        union all
        select (select min(j.idp_id) from provisioning_jobs j where j.idp_id > idps.idp_id) from idps where idps.idp_id is not null
      ),
      targets(idp_id, connector_type) as (
        select idps.idp_id, (select min(j.connector_type) from provisioning_jobs j where j.idp_id = idps.idp_id) from idps where idps.idp_id is not null
        union all
        select t.idp_id, (select min(j.connector_type) from provisioning_jobs j where j.idp_id = t.idp_id and j.connector_type > t.connector_type)
        from targets t where t.connector_type is not null
      )
    select
      (select j.tenant from provisioning_jobs j where j.idp_id = t.idp_id and j.connector_type = t.connector_type limit 1) as tenant,
      t.idp_id,
      t.connector_type
    from targets t
    where t.connector_type is not null
      and exists (
        select 1 from provisioning_jobs j
        where ${isQueued()} and j.idp_id = t.idp_id and j.connector_type = t.connector_type and j.next_attempt_at <= ${now}
      )`.execute(db);
  return result.rows.map((row) => ({ tenant: row.tenant, idpId: row.idp_id, connectorType: row.connector_type }));
}

/**
 * Queued (pending or retrying) jobs. Written with literal states, never bound parameters: only then
 * do SQLite and PostgreSQL prove that the partial index jobs_queued_target_idx (migration 0005)
 * covers the query.
 */
function isQueued(): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref('j.state')} in (${sql.lit('pending')}, ${sql.lit('retrying')})`;
}

/**
 * Only the head of a chain: the job is the earliest open job of its target for the same user (by id,
 * and by username across a delete and re-create). Written as a scalar `min()` per candidate rather
 * than NOT EXISTS: a correlated subquery is run per row with the row's key, a seek on the (idp,
 * connector, key, id) index that stops at the first open job, whereas an anti-join leaves the
 * planner free to scan a target's whole history per candidate (PostgreSQL does, on a table it has
 * not analysed yet). A job with no chain key (written before migration 0004) passes that check.
 */
function isChainHead(db: Queryable, key: 'entity_id' | 'chain_key'): Expression<SqlBool> {
  const earliestOpen = db
    .selectFrom('provisioning_jobs as p')
    .select((eb) => eb.fn.min<number>('p.id').as('first'))
    // Correlated with the outer `j` (typed as raw references: the builder is made outside the query).
    .where('p.idp_id', '=', sql.ref<string>('j.idp_id'))
    .where('p.connector_type', '=', sql.ref<string>('j.connector_type'))
    .where(`p.${key}`, '=', sql.ref<string>(`j.${key}`))
    // A held deprovision keeps its place: the user's later jobs wait until an administrator decides.
    .where(sql<SqlBool>`${sql.ref('p.state')} in (${sql.lit('pending')}, ${sql.lit('running')}, ${sql.lit('retrying')}, ${sql.lit('held')})`);
  return sql<SqlBool>`coalesce((${earliestOpen}), ${sql.ref('j.id')}) = ${sql.ref('j.id')}`;
}

/**
 * Not absorbed into an earlier job. `coalesce(...)` rather than `is null`: keeps SQLite off the
 * coalesced_into index, which nearly every (finished) job matches.
 */
function isNotCoalesced(): Expression<SqlBool> {
  return sql<SqlBool>`coalesce(${sql.ref('j.coalesced_into')}, 0) = 0`;
}

/**
 * Up to `limit` due chain heads of one target, the longest-due first (a retry that keeps failing
 * moves back by its backoff, so it does not hold the front). A range seek on
 * jobs_queued_target_idx, in its order (no sort): the cost follows the rows read until `limit` heads
 * are found, never the size of the target's backlog or history.
 */
export async function dueChainHeads(db: Queryable, target: JobTarget, now: number, limit: number, exclude: readonly number[]): Promise<JobRow[]> {
  return db
    .selectFrom('provisioning_jobs as j')
    .selectAll('j')
    .where(isQueued())
    .where('j.idp_id', '=', target.idpId)
    .where('j.connector_type', '=', target.connectorType)
    .where('j.next_attempt_at', '<=', now)
    .where(isNotCoalesced())
    .where(isChainHead(db, 'entity_id'))
    .where(isChainHead(db, 'chain_key'))
    .where('j.id', 'not in', [0, ...exclude])
    .orderBy('j.next_attempt_at')
    .orderBy('j.id')
    .limit(limit)
    .execute();
}

/**
 * Running jobs whose lease expired (their worker died or stalled), of every target: they are taken
 * over. Few rows (at most the jobs in flight across instances), read on the (state, next_attempt_at) index.
 */
export async function expiredLeases(db: Queryable, now: number, exclude: readonly number[]): Promise<JobRow[]> {
  return db
    .selectFrom('provisioning_jobs as j')
    .selectAll('j')
    .where('j.state', '=', 'running')
    .where('j.lease_expires_at', '<', now)
    .where(isNotCoalesced())
    .where(isChainHead(db, 'entity_id'))
    .where(isChainHead(db, 'chain_key'))
    .where('j.id', 'not in', [0, ...exclude])
    .orderBy('j.id')
    .execute();
}

/**
 * Leases one job by a conditional UPDATE: it succeeds only if the row is still as it was read (no
 * other worker claimed it meanwhile) and, for a take-over, its lease is still expired (not just renewed).
 */
export async function leaseJob(trx: Transaction<Database>, row: JobRow, owner: string, now: number, leaseMs: number): Promise<boolean> {
  const result = await trx
    .updateTable('provisioning_jobs')
    .set({ state: 'running', lease_owner: owner, lease_expires_at: now + leaseMs, attempts: row.attempts + 1, updated_at: now })
    .where('id', '=', row.id)
    .where('state', '=', row.state)
    .where('updated_at', '=', row.updated_at)
    .where((eb) => (row.state === 'running' ? eb('lease_expires_at', '<', now) : eb.lit(true)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Coalescing: pending updates queued right behind a claimed create or update of the same chain are
 * absorbed into it (`coalesced_into`), so one remote call carries the latest values; they settle with
 * it. Returns the head's (merged) payload and the absorbed job ids.
 */
export async function absorbFollowers(trx: Transaction<Database>, head: JobRow, now: number): Promise<{ payload: JobPayload; absorbed: number[] }> {
  const next = await trx
    .selectFrom('provisioning_jobs')
    .select(['id', 'operation', 'state', 'payload', 'coalesced_into'])
    .where('idp_id', '=', head.idp_id)
    .where('connector_type', '=', head.connector_type)
    .where('entity_id', '=', head.entity_id)
    .where('id', '>', head.id)
    .where('state', 'in', ['pending', 'retrying', 'running'])
    .orderBy('id')
    .execute();
  const absorbed: number[] = [];
  const payload = readPayload(head.payload);
  const changed = new Set(payload.changedClaims ?? []);
  for (const job of next) {
    if (job.coalesced_into === head.id) continue;
    if (job.operation !== 'update' || job.state !== 'pending' || job.coalesced_into !== null) break;
    const follower = readPayload(job.payload);
    payload.claims = follower.claims;
    for (const c of follower.changedClaims ?? []) changed.add(c);
    // A run's repair absorbed (or absorbing) keeps sending everything, and reactivating if either asks.
    if (follower.repair) payload.repair = { reactivate: follower.repair.reactivate || payload.repair?.reactivate === true };
    absorbed.push(job.id);
  }
  if (absorbed.length === 0) return { payload, absorbed };
  if (payload.changedClaims !== undefined) payload.changedClaims = [...changed].sort();
  await trx.updateTable('provisioning_jobs').set({ payload: JSON.stringify(payload) }).where('id', '=', head.id).execute();
  await trx.updateTable('provisioning_jobs').set({ coalesced_into: head.id, updated_at: now }).where('id', 'in', absorbed).execute();
  return { payload, absorbed };
}
