import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect';
import { varchar } from './column-types';

/**
 * The deprovisioning guard's counters: deprovisions sent to a target in its current window, one row
 * per target, incremented atomically by whichever instance sends one (cluster-wide).
 */
export const deprovisionGuardMigration = (dialect: SqlDialectName) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    const text = varchar(dialect);
    await db.schema
      .createTable('deprovision_budgets')
      .addColumn('idp_id', text(64), (c) => c.notNull())
      .addColumn('connector_type', text(64), (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('deprovision_budgets_pk', ['idp_id', 'connector_type'])
      .execute();
  },
});
