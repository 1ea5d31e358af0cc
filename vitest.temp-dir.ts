import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Vitest global setup: the tests of one project run with TMPDIR pointing at a directory of their
 * own, removed when they finish, so the data directories, SQLite files and keys that tests and the
 * server processes they start write under `os.tmpdir()` do not pile up in /tmp; the PostgreSQL
 * databases they created (listed by `ensureTestDatabase` in PROVISIONING_TEST_DATABASE_LOG) are
 * dropped too.
 */
export default function setup(): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'provisioning-tests-'));
  const log = join(dir, 'postgres-databases.txt');
  process.env.TMPDIR = dir;
  process.env.PROVISIONING_TEST_DATABASE_LOG = log;
  return async () => {
    const names = existsSync(log) ? [...new Set(readFileSync(log, 'utf8').split('\n').filter((n) => /^pt_[0-9a-f]+$/.test(n)))] : [];
    if (names.length > 0) {
      const client = new pg.Client({ connectionString: process.env.PROVISIONING_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
      try {
        await client.connect();
        for (const name of names) await client.query(`drop database if exists "${name}" with (force)`);
      } catch (error) {
        console.warn(`could not drop the test databases: ${(error as Error).message}`);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
