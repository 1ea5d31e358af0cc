import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { CompiledQuery } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '@provisioning/persistence';
import type { Database, DatabaseHandle } from '@provisioning/persistence';
import { dueChainHeads, expiredLeases, targetsWithDueJobs } from '../src/claim-queries';

const NOW = 1_800_000_000_000;

/**
 * The claim's statements: what they return, and that SQLite answers them with index seeks (the
 * per-target queue index of migration 0005, the chain indexes), never by reading a target's backlog
 * or the job history.
 */
describe('claim queries', () => {
  let handle: DatabaseHandle;
  let logged: Kysely<Database>;
  let sqlite: SqliteDatabase.Database;
  const statements: CompiledQuery[] = [];

  beforeEach(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'claim-')), 'db.sqlite');
    handle = await openDatabase(`sqlite:${file}`);
    sqlite = new SqliteDatabase(file);
    statements.length = 0;
    logged = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), log: (event) => void statements.push(event.query) });
  });
  afterEach(async () => {
    await logged.destroy();
    await handle.close();
  });

  let serial = 0;
  async function job(tenant: string, idp: string, state: string, nextAttemptAt = NOW - 1_000, extra: { lease_expires_at?: number } = {}) {
    serial += 1;
    await handle.db
      .insertInto('provisioning_jobs')
      .values({
        tenant, entity_type: 'USER', entity_id: `u${serial}`, entity_name: `user${serial}`, chain_key: `user${serial}`, operation: 'create',
        idp_id: idp, idp_name: idp, connector_type: 'scim2', payload: '{}', state, attempts: 0, next_attempt_at: nextAttemptAt,
        lease_owner: state === 'running' ? 'someone' : null, lease_expires_at: extra.lease_expires_at ?? null, last_error: null,
        created_at: NOW, updated_at: NOW, completed_at: null,
      })
      .execute();
  }

  function plan(statement: CompiledQuery): string {
    return sqlite
      .prepare(`explain query plan ${statement.sql}`)
      .all(...(statement.parameters as unknown[]))
      .map((row) => (row as { detail: string }).detail)
      .join('\n');
  }

  it('finds every target with a due queued job, once, with its tenant', async () => {
    for (let i = 0; i < 50; i += 1) await job('one.com', 'busy', 'pending');
    await job('one.com', 'history', 'succeeded');
    await job('two.com', 'later', 'retrying', NOW + 60_000);
    await job('two.com', 'fresh', 'pending');
    await job('three.com', 'deleted-idp', 'retrying');
    const targets = await targetsWithDueJobs(logged, NOW);
    expect(targets).toEqual([
      { tenant: 'one.com', idpId: 'busy', connectorType: 'scim2' },
      { tenant: 'three.com', idpId: 'deleted-idp', connectorType: 'scim2' },
      { tenant: 'two.com', idpId: 'fresh', connectorType: 'scim2' },
    ]);
  });

  it('answers every claim statement with index seeks', async () => {
    for (let i = 0; i < 20; i += 1) await job('one.com', 'busy', i % 2 ? 'succeeded' : 'pending');
    await job('one.com', 'busy', 'running', NOW - 5_000, { lease_expires_at: NOW - 1 });
    await targetsWithDueJobs(logged, NOW);
    await dueChainHeads(logged, { tenant: 'one.com', idpId: 'busy', connectorType: 'scim2' }, NOW, 4, [7]);
    await expiredLeases(logged, NOW, [7]);
    const [targets, heads, expired] = statements.map(plan);
    // No full scan of the jobs (only of the CTE's own rows).
    for (const p of [targets, heads, expired]) expect(p).not.toMatch(/SCAN (provisioning_jobs|j|p)\b/);
    expect(targets).toContain('jobs_queued_target_idx');
    expect(heads).toMatch(/SEARCH j USING INDEX jobs_queued_target_idx \(idp_id=\? AND connector_type=\? AND next_attempt_at<\?\)/);
    expect(heads).not.toContain('TEMP B-TREE');
    expect(heads).toContain('jobs_chain_idx');
    expect(heads).toContain('jobs_chain_key_idx');
    expect(expired).toContain('jobs_state_due_idx (state=?)');
  });

  it('returns due chain heads of one target, longest due first, and expired leases', async () => {
    await job('one.com', 'a', 'pending', NOW - 10);
    await job('one.com', 'a', 'retrying', NOW - 500);
    await job('one.com', 'a', 'retrying', NOW + 500);
    await job('one.com', 'b', 'pending', NOW - 900);
    await job('one.com', 'a', 'running', NOW - 5_000, { lease_expires_at: NOW - 1 });
    await job('one.com', 'a', 'running', NOW - 5_000, { lease_expires_at: NOW + 1_000 });
    const heads = await dueChainHeads(handle.db, { tenant: 'one.com', idpId: 'a', connectorType: 'scim2' }, NOW, 10, []);
    expect(heads.map((h) => [h.state, h.next_attempt_at - NOW])).toEqual([
      ['retrying', -500],
      ['pending', -10],
    ]);
    expect((await expiredLeases(handle.db, NOW, [])).map((r) => r.lease_expires_at! - NOW)).toEqual([-1]);
  });
});
