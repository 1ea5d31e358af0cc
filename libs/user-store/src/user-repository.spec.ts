import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { ensureTestDatabase, testDatabaseUrl } from '@provisioning/persistence/testing';
import { UserRepository } from './user-repository';

const T = 'claims.example';
const ROLE = 'http://wso2.org/claims/role';
const LASTNAME = 'http://wso2.org/claims/lastname';

/**
 * Every way provisioning reads a user's claims (whole users, and the claims-only pages and lookups of
 * reconciliation runs and impact previews) gives the same values: lists stay lists, and a row an
 * earlier version wrote (a multi-valued claim comma-joined) reads back as the list it meant.
 */
describe('stored claims', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let users: UserRepository;
  let current: string;
  let legacy: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'user-claims-'));
    const url = testDatabaseUrl(dir, dir);
    await ensureTestDatabase(url);
    handle = await openDatabase(url);
    users = new UserRepository(handle);
    await handle.db.transaction().execute(async (trx) => {
      const claims = { [ROLE]: ['Sales, EMEA', 'staff'], [LASTNAME]: 'Smith, Jr.' };
      current = (await users.insert(trx, { tenant: T, username: 'kim', passwordHash: null, resource: { userName: 'kim' }, claims, roles: [] })).id;
      legacy = (await users.insert(trx, { tenant: T, username: 'lee', passwordHash: null, resource: { userName: 'lee' }, claims: {}, roles: [] })).id;
    });
    // As the previous version stored it: the role claim one comma-joined text.
    await handle.db.updateTable('users').set({ claims: JSON.stringify({ [ROLE]: 'sales,staff', [LASTNAME]: 'Smith, Jr.' }) }).where('id', '=', legacy).execute();
  });

  afterAll(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a value with a comma as one value', async () => {
    const expected = { [ROLE]: ['Sales, EMEA', 'staff'], [LASTNAME]: 'Smith, Jr.' };
    expect((await users.getById(T, current)).claims).toEqual(expected);
    expect((await users.claimsOf(T, { ids: [current] }))[0]?.claims).toEqual(expected);
  });

  it('reads a comma-joined multi-valued claim of an earlier version as its list, by every reader', async () => {
    const expected = { [ROLE]: ['sales', 'staff'], [LASTNAME]: 'Smith, Jr.' };
    expect((await users.getById(T, legacy)).claims).toEqual(expected);
    expect((await users.claimsOf(T, { ids: [legacy] }))[0]?.claims).toEqual(expected);
    expect((await users.claimsOf(T, { usernames: ['lee'] }))[0]?.claims).toEqual(expected);
    const page = await users.claimsPage(T, undefined, 10);
    expect(page.find((u) => u.id === legacy)?.claims).toEqual(expected);
  });
});
