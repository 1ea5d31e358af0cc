import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { SqlDialectName } from '../dialect';

/** Which database the tests run on: `PROVISIONING_TEST_DATABASE=postgres`, else SQLite. */
export function testDialect(): SqlDialectName {
  return process.env.PROVISIONING_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
}

/** Where the PostgreSQL test databases are created (default: the local server, trust auth). */
function adminUrl(): string {
  return process.env.PROVISIONING_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/**
 * The database URL of a test: a SQLite file in `dir`, or on PostgreSQL a database named after `key`
 * (`pt_` + a digest, so any key is a valid name; the same key names the same database, which lets a
 * test restart a server on its data). Call {@link ensureTestDatabase} before opening it.
 */
export function testDatabaseUrl(key: string, dir: string): string {
  if (testDialect() === 'sqlite') return `sqlite:${join(dir, 'provisioning.db')}`;
  const name = `pt_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates the PostgreSQL database of a test URL unless it exists (nothing to do for SQLite). */
export async function ensureTestDatabase(url: string): Promise<void> {
  if (!url.startsWith('postgres')) return;
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      try {
        await client.query(`create database "${name}"`);
        // The test run's global teardown drops what its tests created (see vitest.temp-dir.ts).
        const log = process.env.PROVISIONING_TEST_DATABASE_LOG;
        if (log) appendFileSync(log, `${name}\n`);
      } catch (error) {
        // Another process created it at the same moment.
        if (!['42P04', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
      }
    }
  } finally {
    await client.end();
  }
}
