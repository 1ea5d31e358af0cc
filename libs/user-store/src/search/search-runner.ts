import { sql } from 'kysely';
import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { Database } from '@provisioning/persistence';
import { TRUE } from './condition';
import type { Cond, Sql, Undecided } from './condition';
import type { SortKey } from './sort-sql';
import type { SqlDialect } from './sql-dialect';

type Db = Kysely<Database> | Transaction<Database>;

/** A search of one tenant's users or groups, translated to SQL. */
export interface SearchPlan {
  readonly table: 'users' | 'groups';
  readonly where: Cond;
  readonly sort?: SortKey;
  readonly descending: boolean;
  /** 0-based. */
  readonly offset: number;
  readonly limit: number;
}

/** The page: ids in order, and the total. */
export interface SearchResult {
  readonly total: number;
  readonly ids: string[];
}

/** Decides rows SQL could not: returns the ids of those that match. */
export type Decide<Row> = (rows: Row[]) => Promise<Iterable<string>>;

type Override = [id: string, missing: number, key: string | null];

/**
 * Runs a search: the rows SQL cannot decide (few, found through a partial index: see {@link Cond})
 * are read and decided by `decide`; sort keys SQL may compute differently from JavaScript are
 * recomputed for the rows concerned; then one statement selects the page (filter, sort, offset,
 * limit) with the total.
 */
export async function runSearch<Row>(db: Db, d: SqlDialect, tenant: string, plan: SearchPlan, decide: Decide<Row>): Promise<SearchResult> {
  const { table, sort } = plan;
  const t = (name: string) => sql.ref(`${table}.${name}`);
  const byTenant = sql`${t('tenant')} = ${tenant}`;
  // PostgreSQL parses the resource once per row, and only when the statement reads it.
  const from = (parts: Sql[], index?: Sql) => {
    const doc = d.name === 'postgres' && parts.some((part) => part.compile(db).sql.includes(`${table}_doc.`));
    return sql`${sql.table(table)}${index ?? sql``}${doc ? d.docLateral(table) : sql``}`;
  };
  /** The rows of the tenant `condition` selects, restricted to where undecided rows can be. */
  const among = (undecided: Undecided | undefined, parts: Sql[]) => {
    if (table !== 'users' || undecided === undefined || undecided === 'anywhere') return sql`${from(parts)} where ${byTenant}`;
    const { condition, index } = d.undecided(undecided);
    return sql`${from(parts, index)} where ${byTenant} and ${condition}`;
  };
  /**
   * Reads rows through a partial index of users: PostgreSQL cannot estimate how few rows one holds
   * and would rather scan the table, so it is told not to (for this statement's transaction only).
   */
  const throughIndex = async <R>(undecided: Undecided | undefined, statement: Sql): Promise<R[]> => {
    const run = (on: Db) => (statement as RawBuilder<R>).execute(on);
    if (d.name !== 'postgres' || table !== 'users' || undecided === undefined || undecided === 'anywhere' || db.isTransaction) return (await run(db)).rows;
    return db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return (await run(trx)).rows;
    });
  };
  /**
   * Whether the tenant has any such rows: mostly it has none, and PostgreSQL, which cannot estimate a
   * partial index's size, would otherwise start parallel workers to read an empty one.
   */
  const any = async (undecided: Undecided | undefined) => {
    if (table !== 'users' || undecided === undefined || undecided === 'anywhere') return true;
    const { condition, index } = d.undecided(undecided);
    // A count, which PostgreSQL answers from the partial index (`limit 1` would make it scan the table).
    const found = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}${index} where ${byTenant} and ${condition}`.execute(db);
    return Number(found.rows[0]?.n ?? 0) > 0;
  };

  let where = plan.where.sure;
  let pre = plan.where.pre;
  if (plan.where.maybe !== undefined && (await any(plan.where.undecided))) {
    // A cheap necessary condition first (its own conjunct: PostgreSQL checks it before parsing).
    const open = plan.where.openPre ? sql`${plan.where.openPre} and (${plan.where.maybe} and not ${plan.where.sure})` : sql`(${plan.where.maybe} and not ${plan.where.sure})`;
    const rows = await throughIndex<Row>(plan.where.undecided, sql`select ${sql.table(table)}.* from ${among(plan.where.undecided, [open])} and ${open}`);
    const matched = [...(await decide(rows))];
    if (matched.length > 0) {
      const decided = sql`${t('id')} in ${d.stringsOf(JSON.stringify(matched))}`;
      where = sql`(${where} or ${decided})`;
      if (pre) pre = sql`(${pre} or ${decided})`;
    }
  }
  // The precondition first (its own conjunct: PostgreSQL checks it before parsing the resource).
  if (pre) where = sql`(${pre} and ${where})`;

  if (plan.limit <= 0) return { total: await count(), ids: [] };
  // Creation order: through its index for a plain page; for a filter (whose total reads every match
  // anyway) by scanning and sorting the matches, not by visiting the whole tenant in index order.
  const created = plan.where === TRUE ? t('created_at') : sql`${t('created_at')} + 0`;
  const page = sort
    ? await sortedPage(sort)
    : await sql<{ id: string; total: number }>`select ${t('id')} as id, count(*) over () as total from ${from([where])} where ${byTenant} and ${where} order by ${created}, ${t('id')} limit ${plan.limit} offset ${plan.offset}`.execute(db);
  if (page.rows.length === 0) return { total: plan.offset > 0 ? await count() : 0, ids: [] };
  return { total: Number(page.rows[0]!.total), ids: page.rows.map((row) => row.id) };

  async function count(): Promise<number> {
    const result = await sql<{ total: number }>`select count(*) as total from ${from([where])} where ${byTenant} and ${where}`.execute(db);
    return Number(result.rows[0]?.total ?? 0);
  }

  /**
   * Sorted (RFC 7644 3.4.2.3): missing values last ascending and first descending, ties in creation
   * order. Rows whose key JavaScript computes differently are sorted with JavaScript's key: they
   * join the others through a `union all` (a join on a JSON parameter would read it for every row).
   */
  async function sortedPage(key: SortKey) {
    const missingOf = key.missing ? sql`(case when ${key.missing} then 1 else 0 end)` : sql`0`;
    const overrides = key.check && (await any(key.check.undecided)) ? await sortOverrides(key, missingOf) : [];
    const direction = sql.raw(plan.descending ? 'desc' : 'asc');
    const present = sql`(case when m = 1 then null else k end)`;
    const order = sql`order by m ${direction}, ${key.numeric ? present : d.ordered(present)} ${direction}, c, id limit ${plan.limit} offset ${plan.offset}`;
    const rows = (extra: Sql) =>
      sql`select ${t('id')} as id, ${missingOf} as m, ${key.key} as k, ${t('created_at')} as c from ${from([where, key.key, missingOf])} where ${byTenant} and ${where}${extra}`;
    if (overrides.length === 0) return sql<{ id: string; total: number }>`select id, count(*) over () as total from (${rows(sql``)}) as sorted ${order}`.execute(db);
    const json = JSON.stringify(overrides);
    return sql<{ id: string; total: number }>`select id, count(*) over () as total from (${rows(sql` and ${t('id')} not in (select i from ${d.sortOverrides(json)} as o)`)} union all select ${t('id')} as id, o.m as m, o.k as k, ${t('created_at')} as c from ${d.sortOverrides(json)} as o join ${sql.table(table)} on ${t('id')} = o.i where ${byTenant}) as sorted ${order}`.execute(db);
  }

  /** [id, missing, key] for the rows whose JavaScript key differs from SQL's. */
  async function sortOverrides(key: SortKey, missingOf: Sql): Promise<Override[]> {
    const check = key.check!;
    const parts = [where, check.where, check.raw, key.key, missingOf];
    const rows = await throughIndex<{ id: string; raw: unknown; k: string | null; m: number; resource: string | null }>(
      check.undecided,
      sql`select ${t('id')} as id, ${check.raw} as raw, ${key.key} as k, ${missingOf} as m, case when ${d.escaped(table)} then ${t('resource')} end as resource from ${among(check.undecided, parts)} and ${where} and ${check.where}`,
    );
    const out: Override[] = [];
    for (const row of rows) {
      const raw = row.resource !== null && check.fromResource ? check.fromResource(JSON.parse(row.resource) as Record<string, unknown>) : row.raw;
      const jsKey = check.key(raw);
      const jsMissing = jsKey === undefined ? 1 : 0;
      if (jsMissing !== Number(row.m) || (jsKey !== undefined && jsKey !== row.k)) out.push([row.id, jsMissing, jsKey ?? null]);
    }
    return out;
  }
}
