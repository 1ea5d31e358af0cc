import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@provisioning/persistence';
import { testDialect } from '@provisioning/persistence/testing';
import { JobStore } from '../src/job-store';
import { openTestDatabase } from './support/engine';
import type { NewJob } from '../src/job-store';

/**
 * Planner statistics after bulk writes (PostgreSQL): a run's pages of jobs are written faster than
 * autovacuum analyses the table, and with an empty table's statistics every claim scanned the
 * target's backlog. The job store analyses each time the bulk-written jobs double.
 */
describe.skipIf(testDialect() !== 'postgres')('job statistics after bulk writes (PostgreSQL)', () => {
  let handle: DatabaseHandle;
  let store: JobStore;
  let serial = 0;

  beforeEach(async () => {
    handle = await openTestDatabase('job-stats-');
    store = new JobStore(handle);
  });
  afterEach(async () => {
    await handle.close();
  });

  /** Writes `n` jobs in one transaction, as a run's page does, then tells the store. */
  async function writePage(n: number): Promise<void> {
    const jobs: NewJob[] = Array.from({ length: n }, () => {
      serial += 1;
      return { tenant: 't', entity_type: 'USER', entity_id: `u${serial}`, entity_name: `user${serial}`, chain_key: `user${serial}`, operation: 'create', idp_id: 'idp', idp_name: 'SF', connector_type: 'salesforce', payload: '{}' };
    });
    await handle.db.transaction().execute((trx) => store.enqueueMany(trx, jobs));
    await store.afterBulkWrite(n);
  }
  /** What the planner believes the table holds (-1: never analysed). */
  const believedRows = async () =>
    Number((await sql<{ n: number }>`select reltuples as n from pg_class where relname = 'provisioning_jobs'`.execute(handle.db)).rows[0]!.n);

  it('analyses once 1,000 jobs were written in bulk, then each time they double', async () => {
    await writePage(600);
    expect(await believedRows()).toBe(-1);
    await writePage(600);
    expect(await believedRows()).toBe(1200);
    await writePage(600);
    expect(await believedRows()).toBe(1200);
    await writePage(600);
    expect(await believedRows()).toBe(2400);
  });
});
