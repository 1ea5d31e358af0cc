import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect';
import { varchar } from './column-types';

/**
 * Reconciliation runs: a run (its target, trigger, state, phase, lease, counters) and its items (one
 * per local user in scope or remote account, with the situation, the differing fields, the action
 * and, once applied, the job that carries it out).
 */
export const reconciliationRunsMigration = (dialect: SqlDialectName) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    const text = varchar(dialect);
    await db.schema
      .createTable('reconciliation_runs')
      .addColumn('id', text(64), (c) => c.primaryKey())
      .addColumn('tenant', text(255), (c) => c.notNull())
      .addColumn('idp_id', text(64), (c) => c.notNull())
      .addColumn('idp_name', text(255), (c) => c.notNull())
      .addColumn('connector_type', text(64), (c) => c.notNull())
      .addColumn('dry_run', 'integer', (c) => c.notNull())
      .addColumn('trigger', text(32), (c) => c.notNull())
      .addColumn('users', 'text')
      .addColumn('state', text(16), (c) => c.notNull())
      .addColumn('phase', text(16), (c) => c.notNull())
      .addColumn('progress_total', 'integer', (c) => c.notNull())
      .addColumn('progress_done', 'integer', (c) => c.notNull())
      .addColumn('situations', 'text', (c) => c.notNull())
      .addColumn('actions', 'text', (c) => c.notNull())
      .addColumn('cancel_requested', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', text(128))
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('error', 'text')
      .addColumn('requested_by', text(255))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('runs_tenant_created_idx').on('reconciliation_runs').columns(['tenant', 'created_at']).execute();
    await db.schema.createIndex('runs_state_idx').on('reconciliation_runs').columns(['state', 'lease_expires_at']).execute();
    await db.schema
      .createTable('reconciliation_items')
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('run_id', text(64), (c) => c.notNull())
      .addColumn('entity_id', text(64))
      .addColumn('username', text(255))
      .addColumn('remote_id', text(255))
      .addColumn('remote_name', text(1024))
      .addColumn('situation', text(16), (c) => c.notNull())
      .addColumn('fields', 'text', (c) => c.notNull())
      .addColumn('action', text(16), (c) => c.notNull())
      .addColumn('job_id', 'bigint')
      .addColumn('outcome', text(32))
      .addColumn('note', 'text')
      .execute();
    await db.schema.createIndex('run_items_run_situation_idx').on('reconciliation_items').columns(['run_id', 'situation', 'id']).execute();
    await db.schema.createIndex('run_items_run_pending_idx').on('reconciliation_items').columns(['run_id', 'job_id', 'id']).execute();
  },
});
