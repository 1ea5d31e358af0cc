import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * The queue of each target (IdP + connector type): queued jobs only (a partial index, so finished
 * history never enters it), ordered by when they are due. The worker claims per target from it, so a
 * target with a huge backlog of older due jobs cannot hide another target's new job (fair delivery).
 *
 * Queries use it only when they repeat its condition with literal states
 * (`state in ('pending', 'retrying')`, never bound parameters): SQLite and PostgreSQL both prove a
 * partial index usable from the query's own terms.
 */
export const jobQueuePerTargetMigration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createIndex('jobs_queued_target_idx')
      .on('provisioning_jobs')
      .columns(['idp_id', 'connector_type', 'next_attempt_at'])
      .where(sql<boolean>`state in ('pending', 'retrying')`)
      .execute();
  },
};
