import type { Kysely } from 'kysely';

/** Jobs absorbed into an earlier job of the same chain (coalesced updates) point at it. */
export const jobCoalescingMigration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('provisioning_jobs').addColumn('coalesced_into', 'bigint').execute();
    await db.schema.createIndex('jobs_coalesced_idx').on('provisioning_jobs').column('coalesced_into').execute();
  },
};
