import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect';
import { varchar } from './column-types';

/**
 * State that several instances must share: a target paused after a rate limit (every instance leaves
 * it alone until then), and sign-in failure counters (a password guesser gains nothing by spreading
 * attempts over the instances behind a load balancer).
 */
export const clusterStateMigration = (dialect: SqlDialectName) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    const text = varchar(dialect);
    await db.schema
      .createTable('target_pauses')
      .addColumn('idp_id', text(64), (c) => c.notNull())
      .addColumn('connector_type', text(64), (c) => c.notNull())
      .addColumn('paused_until', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('target_pauses_pk', ['idp_id', 'connector_type'])
      .execute();
    await db.schema
      .createTable('sign_in_counters')
      .addColumn('scope', text(16), (c) => c.notNull())
      .addColumn('counter_key', text(1024), (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('window_ends', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('sign_in_counters_pk', ['scope', 'counter_key'])
      .execute();
    await db.schema.createIndex('sign_in_counters_window_idx').on('sign_in_counters').column('window_ends').execute();
  },
});
