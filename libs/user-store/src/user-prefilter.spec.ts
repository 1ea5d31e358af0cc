import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { UserRepository } from './user-repository';
import type { UserPrefilter } from './user-prefilter';

/** The SQL prefilter narrows scans on a real SQLite database and never drops a possible match. */
describe('UserRepository.all with a prefilter', () => {
  let database: DatabaseHandle;
  let users: UserRepository;

  beforeAll(async () => {
    database = await openDatabase('sqlite::memory:');
    users = new UserRepository(database);
    const names = ['Alice', 'bob', '\u212Aelvin', 'Dave'];
    for (const [i, displayName] of names.entries()) {
      await database.db.transaction().execute((trx) =>
        users.insert(trx, { tenant: 't', username: `u${i}`, passwordHash: null, resource: { userName: `u${i}`, displayName, name: { familyName: `F${i}` } }, claims: {}, roles: [] }),
      );
    }
  });
  afterAll(async () => database.close());

  const names = async (prefilter: UserPrefilter) => (await users.all('t', { claims: false, prefilter })).map((u) => String(u.resource.displayName)).sort();

  it.each<[UserPrefilter, string[]]>([
    [{ kind: 'text', path: ['displayName'], op: 'eq', value: 'ALICE' }, ['Alice', '\u212Aelvin']],
    [{ kind: 'text', path: ['displayName'], op: 'sw', value: 'b' }, ['bob', '\u212Aelvin']],
    [{ kind: 'text', path: ['displayName'], op: 'ew', value: 'VE' }, ['\u212Aelvin', 'Dave']],
    [{ kind: 'text', path: ['name', 'familyName'], op: 'co', value: 'f3' }, ['Dave']],
    [{ kind: 'or', parts: [{ kind: 'text', path: ['displayName'], op: 'eq', value: 'bob' }, { kind: 'text', path: ['displayName'], op: 'eq', value: 'dave' }] }, ['bob', '\u212Aelvin', 'Dave']],
    [{ kind: 'text', path: ['title'], op: 'pr' }, []],
    [{ kind: 'all' }, ['Alice', 'bob', '\u212Aelvin', 'Dave']],
  ])('%j', async (prefilter, expected) => {
    expect(await names(prefilter)).toEqual([...expected].sort());
  });

  it('keeps a non-ASCII value that JavaScript folds to the ASCII filter value (Kelvin sign)', async () => {
    expect(await names({ kind: 'text', path: ['displayName'], op: 'eq', value: 'kelvin' })).toEqual(['\u212Aelvin']);
  });
});
