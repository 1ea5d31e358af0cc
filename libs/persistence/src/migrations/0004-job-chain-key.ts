import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect';
import { varchar } from './column-types';

/**
 * Jobs of one target are also ordered by the lower-cased username: a user deleted and created again
 * under the same name (a new local id) must not have its create overtake the old deprovision.
 */
export const jobChainKeyMigration = (dialect: SqlDialectName) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    const text = varchar(dialect);
    await db.schema.alterTable('provisioning_jobs').addColumn('chain_key', text(255)).execute();
    await sql`update provisioning_jobs set chain_key = lower(entity_name)`.execute(db);
    await db.schema.createIndex('jobs_chain_key_idx').on('provisioning_jobs').columns(['idp_id', 'connector_type', 'chain_key', 'id']).execute();
  },
});
