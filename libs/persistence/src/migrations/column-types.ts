import type { SqlDialectName } from '../dialect';

/**
 * String columns: `varchar(n)` on SQLite (where the length is documentation only), `text` on
 * PostgreSQL, which would enforce the length and fail a write with an engine error; lengths are
 * the application's to check, with messages a client can act on.
 */
export function varchar(dialect: SqlDialectName): (length: number) => 'text' | `varchar(${number})` {
  return (length) => (dialect === 'postgres' ? 'text' : `varchar(${length})`);
}
