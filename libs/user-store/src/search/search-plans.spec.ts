import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@provisioning/persistence';
import type { Database, DatabaseHandle } from '@provisioning/persistence';
import { ensureTestDatabase, testDatabaseUrl, testDialect } from '@provisioning/persistence/testing';
import { parseFilter, validateResource } from '@provisioning/scim';
import { UserRepository } from '../user-repository';
import { searchUsers } from './index';

const T = 'plans.example';

/**
 * The search's statements can use the indexes of migration 0011 (their expressions and partial
 * predicates are exactly the ones the search writes): checked on the test run's database with
 * EXPLAIN, PostgreSQL told to avoid sequential scans (a statement that cannot use an index then
 * still shows a sequential scan).
 */
describe('SCIM searches use the indexes', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let logged: Kysely<Database>;
  let explain: (statement: CompiledQuery) => Promise<string>;
  let close: () => Promise<void>;
  const statements: CompiledQuery[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'search-plans-'));
    const url = testDatabaseUrl(dir, dir);
    await ensureTestDatabase(url);
    handle = await openDatabase(url);
    const users = new UserRepository(handle);
    await handle.db.transaction().execute(async (trx) => {
      const people = [
        ...Array.from({ length: 40 }, (_, i) => ({ userName: `user${i}@example.com`, externalId: `ext-${i}`, name: { familyName: `Family${i}` } })),
        { userName: 'muller@example.com', name: { familyName: 'Müller' } },
        { userName: 'ölaf@example.com' },
        { userName: 'nul@example.com', title: 'a\u0000b' },
      ];
      for (const person of people) {
        const { resource } = validateResource({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...person }, 'User', { mode: 'create' });
        await users.insert(trx, { tenant: T, username: String(resource.userName), passwordHash: null, resource, claims: {}, roles: [] });
      }
    });
    const log = (event: { query: CompiledQuery }) => void statements.push(event.query);
    if (testDialect() === 'postgres') {
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      logged = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('analyze users');
      await client.query('set enable_seqscan = off');
      explain = async (statement) => (await client.query(`explain ${statement.sql}`, [...statement.parameters])).rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
      close = async () => {
        await client.end();
        await logged.destroy();
      };
    } else {
      const sqlite = new SqliteDatabase(join(dir, 'provisioning.db'));
      logged = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), log });
      explain = async (statement) =>
        sqlite
          .prepare(`explain query plan ${statement.sql}`)
          .all(...(statement.parameters as unknown[]))
          .map((row) => (row as { detail: string }).detail)
          .join('\n');
      close = () => logged.destroy();
    }
  }, 60_000);
  afterAll(async () => {
    await close?.();
    await handle?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The plans of a search's statements: the undecided rows' and the page's. */
  async function plans(query: { filter?: string; sortBy?: string }): Promise<{ undecided: string; page: string }> {
    statements.length = 0;
    await searchUsers(logged, testDialect(), T, { ...(query.filter ? { filter: parseFilter(query.filter) } : {}), ...(query.sortBy ? { sortBy: query.sortBy } : {}), startIndex: 1, count: 10, base: 'https://x/scim2' }, async (rows) =>
      rows.map((row) => row.id),
    );
    const find = async (prefix: string) => {
      const statement = statements.find((s) => s.sql.startsWith(prefix));
      return statement ? explain(statement) : '';
    };
    return { undecided: await find('select "users".*'), page: await find('select "users"."id" as id, count(*) over ()') };
  }

  it('finds a user by userName through the unique username key, undecided names through their partial index', async () => {
    const { undecided, page } = await plans({ filter: 'userName eq "USER7@example.com"' });
    // SQLite names the unique constraint's index itself.
    expect(page).toMatch(/users_tenant_username_uq|sqlite_autoindex_users_\d \(tenant=\? AND username_key=\?\)/);
    expect(undecided).toMatch(/users_username_idx/);
  });

  it('finds a user by externalId through its expression index, escaped resources through theirs', async () => {
    const { undecided, page } = await plans({ filter: 'externalId eq "ext-7"' });
    expect(page).toMatch(/users_external_id_idx/);
    expect(undecided).toMatch(/users_escaped_idx/);
  });

  it('reads the users whose text SQL cannot fold through the exotic users\' index', async () => {
    const { undecided } = await plans({ filter: 'name.familyName eq "MÜLLER"' });
    expect(undecided).toMatch(/users_exotic_idx/);
  });

  it('pages the plain list in creation order through its index', async () => {
    const { page } = await plans({});
    expect(page).toMatch(/users_tenant_created_idx/);
  });
});
