import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type SqliteDatabase from 'better-sqlite3';
import { withStatementCache } from './database';
import { openDatabase, parseDatabaseUrl, redactUrl } from './index';
import { ensureTestDatabase, testDatabaseUrl, testDialect } from './testing';
import type { DatabaseHandle } from './index';

describe('openDatabase', () => {
  let dir: string;
  let handle: DatabaseHandle | undefined;
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file, applies migrations once, and keeps data across re-opens', async () => {
    dir = mkdtempSync(join(tmpdir(), 'persist-'));
    const url = `sqlite:${join(dir, 'nested', 'p.db')}`;
    handle = await openDatabase(url);
    await handle.db.insertInto('tenants').values({ domain: 'carbon.super', created_at: 1, active: 1 }).execute();
    await handle.close();
    handle = await openDatabase(url);
    const rows = await handle.db.selectFrom('tenants').selectAll().execute();
    expect(rows).toEqual([{ domain: 'carbon.super', created_at: 1, active: 1 }]);
  });

  it('gives jobs increasing ids (commit order), on the test run\'s database', async () => {
    dir = mkdtempSync(join(tmpdir(), 'persist-'));
    const url = testDatabaseUrl(dir, dir);
    await ensureTestDatabase(url);
    handle = await openDatabase(url);
    const base = {
      tenant: 't', entity_type: 'USER', entity_id: 'u', entity_name: 'n', operation: 'create', idp_id: 'i', idp_name: 'I',
      connector_type: 'salesforce', payload: '{}', state: 'pending', attempts: 0, next_attempt_at: 0, lease_owner: null,
      lease_expires_at: null, last_error: null, created_at: 0, updated_at: 0, completed_at: null,
    };
    const a = await handle.db.insertInto('provisioning_jobs').values(base).returning('id').executeTakeFirstOrThrow();
    const b = await handle.db.insertInto('provisioning_jobs').values(base).returning('id').executeTakeFirstOrThrow();
    expect(b.id).toBeGreaterThan(a.id);
  });

  // Several instances share PostgreSQL only; SQLite is the embedded single-instance store.
  it.skipIf(testDialect() !== 'postgres')('migrates once when several instances open one database at the same moment, and reads bigints as numbers', async () => {
    dir = mkdtempSync(join(tmpdir(), 'persist-'));
    const url = testDatabaseUrl(`${dir}-together`, dir);
    await ensureTestDatabase(url);
    const handles = await Promise.all([openDatabase(url), openDatabase(url), openDatabase(url)]);
    try {
      await handles[0]!.db.insertInto('tenants').values({ domain: 'x.example', created_at: 1_796_000_000_000, active: 1 }).execute();
      const rows = await handles[2]!.db.selectFrom('tenants').selectAll().execute();
      expect(rows).toEqual([{ domain: 'x.example', created_at: 1_796_000_000_000, active: 1 }]);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });

  it('never shows a database password', () => {
    expect(redactUrl('postgres://app:s3cret@db.example:5432/prov')).toBe('postgres://app:***@db.example:5432/prov');
  });

  it('rejects unknown URLs and names the value', () => {
    expect(() => parseDatabaseUrl('mysql://x', '/')).toThrow(/mysql:\/\/x/);
    expect(parseDatabaseUrl('sqlite:./d/p.db', '/base')).toEqual({ dialect: 'sqlite', target: '/base/d/p.db' });
  });
});

describe('withStatementCache', () => {
  it('prepares each SQL text once and evicts the least recently used beyond its size', () => {
    const prepared: string[] = [];
    const fake = { close: () => fake, prepare: (text: string) => (prepared.push(text), { text }) } as unknown as SqliteDatabase.Database;
    const cached = withStatementCache(fake, 2);
    const a = cached.prepare('select 1');
    expect(cached.prepare('select 1')).toBe(a);
    cached.prepare('select 2');
    cached.prepare('select 1'); // most recent again: "select 2" is now the eldest
    cached.prepare('select 3');
    cached.prepare('select 1');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3']);
    cached.prepare('select 2');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
  });
});
