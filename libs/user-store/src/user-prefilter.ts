import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import type { SqlDialectName } from '@provisioning/persistence';

/**
 * A condition that narrows a scan of users in SQL before the exact SCIM filter runs in memory. It
 * must keep every user the exact filter would keep (a superset): comparisons are case-insensitive,
 * and anything it cannot express is `all`.
 */
export type UserPrefilter =
  | { kind: 'all' }
  | { kind: 'and' | 'or'; parts: UserPrefilter[] }
  | { kind: 'text'; path: string[]; op: 'eq' | 'co' | 'sw' | 'ew' | 'pr'; value?: string };

const SEGMENT = /^[A-Za-z][A-Za-z0-9_]*$/;

/** SQL (SQLite or PostgreSQL) for a prefilter over the `resource` JSON column. */
export function prefilterSql(filter: UserPrefilter, dialect: SqlDialectName = 'sqlite'): RawBuilder<boolean> {
  switch (filter.kind) {
    case 'all':
      return sql<boolean>`1 = 1`;
    case 'and':
    case 'or': {
      if (filter.parts.length === 0) return sql<boolean>`1 = 1`;
      const parts = filter.parts.map((p) => sql`(${prefilterSql(p, dialect)})`);
      return sql<boolean>`${sql.join(parts, sql.raw(filter.kind === 'and' ? ' and ' : ' or '))}`;
    }
    case 'text': {
      if (!filter.path.every((s) => SEGMENT.test(s))) return sql<boolean>`1 = 1`;
      const pg = dialect === 'postgres';
      const value = pg ? sql`(resource::jsonb #>> ${`{${filter.path.join(',')}}`})` : sql`json_extract(resource, ${`$.${filter.path.join('.')}`})`;
      const v = (filter.value ?? '').toLowerCase();
      // lower() may fold other characters than JavaScript does (SQLite folds ASCII only): a stored
      // value with characters beyond ASCII is always kept for the exact filter to decide.
      const nonAscii = pg ? sql`${value} ~ '[^ -~]'` : sql`${value} glob '*[^ -~]*'`;
      const keep = (test: RawBuilder<unknown>) => sql<boolean>`(${test}) or ${nonAscii}`;
      switch (filter.op) {
        case 'pr':
          return sql<boolean>`${value} is not null`;
        case 'eq':
          return keep(sql`lower(${value}) = ${v}`);
        case 'co':
          return keep(pg ? sql`strpos(lower(${value}), ${v}) > 0` : sql`instr(lower(${value}), ${v}) > 0`);
        case 'sw':
          return keep(pg ? sql`left(lower(${value}), ${v.length}) = ${v}` : sql`substr(lower(${value}), 1, ${v.length}) = ${v}`);
        case 'ew':
          if (v.length === 0) return sql<boolean>`${value} is not null`;
          return keep(pg ? sql`right(lower(${value}), ${v.length}) = ${v}` : sql`substr(lower(${value}), ${-v.length}) = ${v}`);
      }
    }
  }
}
