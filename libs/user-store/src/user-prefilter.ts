import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';

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

/** SQLite SQL for a prefilter over the `resource` JSON column. */
export function prefilterSql(filter: UserPrefilter): RawBuilder<boolean> {
  switch (filter.kind) {
    case 'all':
      return sql<boolean>`1 = 1`;
    case 'and':
    case 'or': {
      if (filter.parts.length === 0) return sql<boolean>`1 = 1`;
      const parts = filter.parts.map((p) => sql`(${prefilterSql(p)})`);
      return sql<boolean>`${sql.join(parts, sql.raw(filter.kind === 'and' ? ' and ' : ' or '))}`;
    }
    case 'text': {
      if (!filter.path.every((s) => SEGMENT.test(s))) return sql<boolean>`1 = 1`;
      const value = sql`json_extract(resource, ${`$.${filter.path.join('.')}`})`;
      const v = (filter.value ?? '').toLowerCase();
      // SQLite's lower() folds ASCII only: a stored value with other characters (which may fold to
      // ASCII in JavaScript, like the Kelvin sign) is always kept for the exact filter to decide.
      const nonAscii = sql`${value} glob '*[^ -~]*'`;
      const keep = (test: RawBuilder<unknown>) => sql<boolean>`(${test}) or ${nonAscii}`;
      switch (filter.op) {
        case 'pr':
          return sql<boolean>`${value} is not null`;
        case 'eq':
          return keep(sql`lower(${value}) = ${v}`);
        case 'co':
          return keep(sql`instr(lower(${value}), ${v}) > 0`);
        case 'sw':
          return keep(sql`substr(lower(${value}), 1, ${v.length}) = ${v}`);
        case 'ew':
          return v.length === 0 ? sql<boolean>`${value} is not null` : keep(sql`substr(lower(${value}), ${-v.length}) = ${v}`);
      }
    }
  }
}
