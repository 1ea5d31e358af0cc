import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect';
import { varchar } from './column-types';

/**
 * Which local entity may create or adopt the remote account with a given name on a target. A
 * connector claims the name before its first write, so two local users who map to one remote
 * username cannot both write to it, even when their deliveries run at the same moment on two
 * instances (the second is refused before it writes anything).
 */
export const remoteNameClaimsMigration = (dialect: SqlDialectName) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    const text = varchar(dialect);
    await db.schema
      .createTable('remote_name_claims')
      .addColumn('idp_id', text(64), (c) => c.notNull())
      .addColumn('connector_type', text(64), (c) => c.notNull())
      .addColumn('entity_type', text(16), (c) => c.notNull())
      .addColumn('name_key', text(1024), (c) => c.notNull())
      .addColumn('entity_id', text(64), (c) => c.notNull())
      .addColumn('entity_name', text(255), (c) => c.notNull())
      .addColumn('claimed_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('remote_name_claims_pk', ['idp_id', 'connector_type', 'entity_type', 'name_key'])
      .execute();
    await db.schema.createIndex('remote_name_claims_entity_idx').on('remote_name_claims').columns(['entity_id']).execute();
  },
});
