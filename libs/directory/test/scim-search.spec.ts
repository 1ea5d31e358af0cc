import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { ensureTestDatabase, testDatabaseUrl } from '@provisioning/persistence/testing';
import { compileFilter, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, parseFilter, sortResources, validateResource } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import { GroupRepository, UserRepository } from '@provisioning/user-store';
import type { StoredGroup, StoredUser } from '@provisioning/user-store';
import { GroupQueries } from '../src/group-queries';
import type { ListQuery, ResourcePage } from '../src/list-query';
import { pageOf } from '../src/list-query';
import { groupResource, userResource } from '../src/scim-resources';
import { UserQueries } from '../src/user-queries';

/**
 * SCIM lists answered in SQL give exactly what the in-memory engine gives (`compileFilter` and
 * `sortResources` over every SCIM representation, then the page), on the test run's database: users
 * with multi-valued emails, phones and addresses, names beyond ASCII (folding that SQL's lower()
 * does not do, the Kelvin sign, dotted I, final sigma, full-width and astral characters), NUL and
 * unpaired surrogates in stored values, booleans, nested groups, ties in creation time.
 */
const T = 'search.example';
const ASCII_TENANT = 'ascii.example';
const BASE = 'https://scim.example/scim2';
const EXT = ENTERPRISE_USER_SCHEMA;

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN = ['Alice', 'bob', 'Émile', 'ÉLODIE', 'Zoë', 'Ödön', 'İlker', 'Σοφία', 'ΟΔΥΣΣΕΑΣ', 'Иван', '\u212Aelvin', 'ｔａｒｏ', 'Dave', 'dave', 'Eve', '🙂Smile', 'e\u0301lise', 'Quinn', '', 'Ǆemal'];
const FAMILY = ['Adams', 'adams', 'Brown', 'Müller', 'MÜLLER', 'Øster', 'Smith', 'Ñúñez', 'Clark', 'ＶＩＰ', "O'Neil", 'Zed', '\uE000Private', '𝒜lpha', 'KELVIN'];
const TITLES = ['Engineer', 'engineer', 'Manager', '', 'Ärztin', 'CEO'];
const TYPES = ['work', 'home', 'other', 'Work'];
const PHONE_TYPES = ['mobile', 'work', 'fax'];
const CITIES = ['Berlin', 'berlin', 'München', 'Paris', 'İzmir'];

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!;
}

/** The i-th user of the data set; `ascii` keeps every value ASCII. */
function person(i: number, rnd: () => number, ascii: boolean): Record<string, unknown> {
  const clean = (text: string) => (ascii ? text.normalize('NFD').replace(/[^\x20-\x7e]/g, '') || 'x' : text);
  const given = clean(pick(rnd, GIVEN));
  const family = clean(pick(rnd, FAMILY));
  const user: Record<string, unknown> = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: `${given || 'user'}.${family}${i}@${pick(rnd, ['Example.com', 'example.org', 'EXAMPLE.net'])}`,
  };
  const name: Record<string, unknown> = {};
  if (rnd() < 0.8) name.givenName = given;
  if (rnd() < 0.8) name.familyName = family;
  if (rnd() < 0.3) name.formatted = `${given} ${family}`;
  if (Object.keys(name).length > 0) user.name = name;
  if (rnd() < 0.6) user.displayName = clean(`${given} ${family}`.trim());
  if (rnd() < 0.3) user.nickName = clean(pick(rnd, ['Bobby', 'ｔａｒｏ', 'kel', 'Σίσυφος', 'zed']));
  if (rnd() < 0.7) user.title = clean(pick(rnd, TITLES));
  if (rnd() < 0.3) user.userType = pick(rnd, ['Employee', 'Contractor', 'employee']);
  if (rnd() < 0.8) user.active = rnd() < 0.6;
  if (rnd() < 0.5) user.externalId = `ext-${i}${rnd() < 0.3 ? 'A' : 'a'}`;
  const primary = Math.floor(rnd() * 4);
  const emails = Array.from({ length: Math.floor(rnd() * 4) }, (_, k) => ({
    value: `${k === 0 ? given || 'mail' : 'alt'}${i}.${k}@${pick(rnd, ['Example.com', 'mail.org', 'post.de'])}`,
    type: pick(rnd, TYPES),
    ...(rnd() < 0.3 ? { display: `Mail ${k}` } : {}),
    ...(k === primary ? { primary: true } : rnd() < 0.2 ? { primary: false } : {}),
  }));
  if (emails.length > 0) user.emails = emails.map((e) => ({ ...e, value: clean(e.value) }));
  const phones = Array.from({ length: Math.floor(rnd() * 3) }, (_, k) => ({ value: `+${1 + k}-555-${String(i).padStart(4, '0')}`, type: pick(rnd, PHONE_TYPES) }));
  if (phones.length > 0) user.phoneNumbers = phones;
  if (rnd() < 0.3) user.addresses = [{ type: pick(rnd, ['work', 'home']), locality: clean(pick(rnd, CITIES)), postalCode: String(10000 + i), country: pick(rnd, ['DE', 'FR', 'de']) }];
  if (rnd() < 0.2) user.roles = [{ value: pick(rnd, ['admin', 'Admin', 'reader']) }];
  if (rnd() < 0.1) user.x509Certificates = [{ value: pick(rnd, ['TUlJQ', 'dGVzdA==', 'TUlJQQ==']) }];
  if (rnd() < 0.5) {
    user[EXT] = {
      employeeNumber: String(Math.floor(rnd() * 500)),
      ...(rnd() < 0.5 ? { department: pick(rnd, ['R&D', 'r&d', 'Sales', 'Vertrieb']) } : {}),
      ...(rnd() < 0.3 ? { manager: { value: `mgr-${Math.floor(rnd() * 5)}` } } : {}),
    };
  }
  return user;
}

interface Fixture {
  database: DatabaseHandle;
  users: UserRepository;
  groups: GroupRepository;
  userQueries: UserQueries;
  groupQueries: GroupQueries;
  stored: StoredUser[];
  groupIds: Map<string, string>;
  t0: string;
  t1: string;
}

async function seed(database: DatabaseHandle): Promise<Fixture> {
  const users = new UserRepository(database);
  const groups = new GroupRepository(database);
  const rnd = random(7);
  const stored: StoredUser[] = [];
  const t0 = new Date(Date.now() - 1000).toISOString();
  for (const [tenant, count, ascii] of [[T, 240, false], [ASCII_TENANT, 60, true], ['other.example', 10, false]] as const) {
    // Batches in one transaction: many users share a creation millisecond (ties keep id order).
    for (let start = 0; start < count; start += 40) {
      await database.db.transaction().execute(async (trx) => {
        for (let i = start; i < Math.min(count, start + 40); i += 1) {
          const { resource } = validateResource(person(i, rnd, ascii), 'User', { mode: 'create' });
          const user = await users.insert(trx, { tenant, username: String(resource.userName), passwordHash: null, resource, claims: {}, roles: [] });
          if (tenant === T) stored.push(user);
        }
      });
    }
  }
  // Values SQL cannot read like JavaScript: NUL and an unpaired surrogate in stored text.
  await database.db.transaction().execute(async (trx) => {
    for (const [i, resource] of [
      [900, { title: 'a\u0000b', displayName: 'Nul Person' }],
      [901, { displayName: 'x\ud800y', nickName: 'Lone' }],
      [902, { title: 'Say "Hi" \\ back', displayName: 'Tab\there', active: false }],
    ] as const) {
      const { resource: valid } = validateResource({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `escaped${i}@example.com`, ...resource }, 'User', { mode: 'create' });
      stored.push(await users.insert(trx, { tenant: T, username: String(valid.userName), passwordHash: null, resource: valid, claims: {}, roles: [] }));
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 15));
  const t1 = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 15));
  // Some users change later (lastModified, version).
  for (const user of stored.filter((_, i) => i % 7 === 3)) {
    await database.db.transaction().execute((trx) => users.update(trx, { ...user, resource: { ...user.resource, nickName: `changed${user.id.slice(0, 4)}` } }));
  }
  const member = (i: number) => ({ id: stored[i]!.id, type: 'User' as const });
  const groupIds = new Map<string, string>();
  const group = async (displayName: string, members: Array<{ id: string; type: 'User' | 'Group' }>, externalId?: string) => {
    const created = await database.db.transaction().execute((trx) =>
      groups.insert(trx, { tenant: T, displayName, resource: { schemas: [GROUP_SCHEMA], ...(externalId ? { externalId } : {}) }, members }),
    );
    groupIds.set(displayName, created.id);
    return created.id;
  };
  const deep = await group('Deep Team', [member(1), member(2), member(3)], 'g-deep');
  const leads = await group('Leads', [member(4), member(5), { id: deep, type: 'Group' }], 'G-Leads');
  await group('Engineering', [member(5), member(6), member(7), member(8), { id: leads, type: 'Group' }], 'g-eng');
  await group('Ärzte', [member(9), member(10), member(11)]);
  await group('ＶＩＰ', [member(12), member(1)]);
  await group('Σύλλογος', [member(13)]);
  await group('sales', Array.from({ length: 30 }, (_, k) => member(20 + k)), 'g-sales');
  await group('Empty', []);
  await group('Lonely', [member(241)]);
  return { database, users, groups, userQueries: new UserQueries(users, groups), groupQueries: new GroupQueries(groups, users), stored, groupIds, t0, t1 };
}

describe('SCIM lists in SQL equal the in-memory engine', () => {
  let dir: string;
  let f: Fixture;
  let userResources: (tenant: string) => Promise<ScimResource[]>;
  let groupResources: () => Promise<ScimResource[]>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scim-search-'));
    const url = testDatabaseUrl(dir, dir);
    await ensureTestDatabase(url);
    f = await seed(await openDatabase(url));
    userResources = async (tenant) => {
      const rows = await f.database.db.selectFrom('users').select('id').where('tenant', '=', tenant).orderBy('created_at').orderBy('id').execute();
      const memberships = await f.groups.membershipIndex(tenant);
      const all = await Promise.all(rows.map((row) => f.users.getById(tenant, row.id)));
      return all.map((user) => userResource(user, memberships(user.id), BASE));
    };
    groupResources = async () => {
      const rows = await f.database.db.selectFrom('groups').select('id').where('tenant', '=', T).orderBy('created_at').orderBy('id').execute();
      const all: StoredGroup[] = await Promise.all(rows.map((row) => f.groups.getById(T, row.id)));
      const names = new Map<string, string>();
      for (const g of all) {
        for (const m of g.members) {
          const name = m.type === 'User' ? (await f.users.findById(T, m.id))?.username : (await f.groups.findById(T, m.id))?.displayName;
          if (name) names.set(m.id, name);
        }
      }
      return all.map((g) => groupResource(g, BASE, names));
    };
  }, 120_000);
  afterAll(async () => {
    await f?.database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function expected(resources: ScimResource[], type: 'User' | 'Group', query: ListQuery): ResourcePage {
    const filtered = query.filter ? resources.filter(compileFilter(parseFilter(query.filter), type)) : resources;
    return pageOf(sortResources(filtered, query.sortBy, query.sortOrder, type), query);
  }

  async function compareUsers(query: ListQuery, tenant = T): Promise<ResourcePage> {
    const actual = await f.userQueries.list(tenant, query, BASE);
    const want = expected(await userResources(tenant), 'User', query);
    const label = JSON.stringify(query);
    expect(actual.resources.map((r) => r.id), label).toEqual(want.resources.map((r) => r.id));
    expect(actual.total, label).toBe(want.total);
    expect(actual.startIndex, label).toBe(want.startIndex);
    expect(actual.resources, label).toEqual(want.resources);
    return actual;
  }

  const user = (i: number) => f.stored[i]!;
  const iso = (millis: number) => new Date(millis).toISOString();

  // Value-independent filters; those naming data values are built in the test below.
  const FILTERS = [
    'userName sw "a"',
    'userName sw "É"',
    'userName sw "é"',
    'USERNAME co "EXAMPLE"',
    'userName ew ".COM"',
    'userName gt "m"',
    'userName lt "c"',
    'userName ge "é"',
    'userName le "ｔ"',
    'userName ne "nobody"',
    'userName pr',
    'userName eq "kelvin.adams0@example.com"',
    'userName co "σ"',
    'userName co "ς"',
    'userName co "i̇"',
    'userName sw "k"',
    'name.familyName eq "müller"',
    'name.familyName eq "MÜLLER"',
    'Name.FamilyName eq "adams"',
    'name.familyName co "ll"',
    'name.familyName sw "ø"',
    'name.familyName ew "S"',
    'name.familyName gt "M"',
    'name.familyName lt "𝒜"',
    'name.familyName gt "\uE000"',
    'name.familyName le "ｖｉｐ"',
    'name.givenName eq "émile"',
    'name.givenName eq "ΟΔΥΣΣΕΑΣ"',
    'name.givenName eq "οδυσσεας"',
    'name.givenName eq "οδυσσεαςx"',
    'name.givenName sw "οδυσσεα"',
    'name.givenName eq "kelvin"',
    'name.givenName eq "i̇lker"',
    'name.givenName eq "élise"',
    'name.givenName eq ""',
    'name.givenName ne ""',
    'name.givenName pr',
    'name pr',
    'not (name pr)',
    'name.familyName eq null',
    'name.familyName ne null',
    'name.familyName ne "adams"',
    'name[givenName sw "A" or familyName eq "brown"]',
    'name[not (familyName pr)]',
    'displayName co "x"',
    'displayName pr',
    'displayName lt "Ω"',
    'nickName ge "ｔ"',
    'nickName eq "σίσυφος"',
    'title eq ""',
    'title pr',
    'title ne "Engineer"',
    'title eq "engineer"',
    'title co "a"',
    'title eq "ärztin"',
    'userType eq "EMPLOYEE"',
    'active eq true',
    'active eq false',
    'active ne true',
    'not (active eq true)',
    'active pr',
    'active eq null',
    'emails co "@example"',
    'emails.value ew ".ORG"',
    'emails.value gt "m"',
    'emails[type eq "work"]',
    'emails[type eq "WORK" and value co "a"]',
    'emails[primary eq true]',
    'emails[primary eq true and type eq "home"]',
    'emails[not (type eq "work")]',
    'emails.type eq "other"',
    'emails.type ne "work"',
    'emails.primary eq false',
    'emails.primary eq true',
    'emails pr',
    'not (emails pr)',
    'emails.display pr',
    'emails ne "x@y"',
    'emails eq null',
    'EMAILS[TYPE eq "work"]',
    'phoneNumbers[type eq "mobile"]',
    'phoneNumbers.value sw "+1"',
    'phoneNumbers.value co "555-001"',
    'phoneNumbers.type ne "mobile"',
    'phoneNumbers pr',
    'addresses[type eq "work" and locality eq "berlin"]',
    'addresses.country eq "DE"',
    'addresses.postalCode sw "1001"',
    'addresses.locality eq "i̇zmir"',
    'addresses pr',
    'roles[value eq "admin"]',
    'roles.value eq "ADMIN"',
    'x509Certificates.value eq "TUlJQ"',
    'x509Certificates.value eq "tuljq"',
    'x509Certificates pr',
    'groups.display eq "engineering"',
    'groups.display eq "ärzte"',
    'groups.display eq "ÄRZTE"',
    'groups.display eq "ｖｉｐ"',
    'groups.display eq "σύλλογος"',
    'groups.display co "ea"',
    'groups.display sw "E"',
    'groups.display gt "m"',
    'groups.display ne "sales"',
    'groups[type eq "indirect"]',
    'groups[type eq "direct" and display sw "E"]',
    'groups[display eq "Engineering" and type eq "indirect"]',
    'groups[display eq "Leads" and not (type eq "direct")]',
    'groups.type eq "INDIRECT"',
    'groups pr',
    'not (groups pr)',
    'meta.resourceType eq "User"',
    'meta.resourceType eq "user"',
    'meta.location sw "https://scim.example/scim2/Users/"',
    'meta.version eq "W/\\"2\\""',
    'meta.version eq "W/\\"1\\""',
    'meta.created sw "20"',
    'meta.lastModified lt "2000-01-01T00:00:00Z"',
    'meta pr',
    'id pr',
    'id gt "8"',
    'id sw "a"',
    'externalId pr',
    'externalId sw "ext-1"',
    'externalId gt "ext-5"',
    'externalId eq "ext-3a"',
    'externalId eq "EXT-3A"',
    `${EXT}:employeeNumber gt "250"`,
    `${EXT}:department eq "r&d"`,
    'employeeNumber pr',
    `${EXT}:manager pr`,
    `${EXT}:manager.value eq "MGR-1"`,
    `${EXT}:manager[value sw "mgr-2"]`,
    'manager eq "mgr-3"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"',
    'schemas co "ENTERPRISE"',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "b"',
    'userName sw "a" or userName sw "b"',
    'active eq true and emails[type eq "work"]',
    'not (userName sw "a" and active eq false)',
    '(title pr or nickName pr) and not (groups pr)',
    'not (not (active eq true))',
    'title eq "Engineer" or title eq "Manager" and active eq true',
    'not (name.familyName eq "müller" or name.givenName eq "émile")',
    'nickName sw "changed"',
    'title co "\\"hi\\""',
    'title eq "say \\"hi\\" \\\\ back"',
    'title ew "\\\\ BACK"',
    'displayName eq "tab\\there"',
    'displayName co "\\t"',
    'displayName co "y"',
  ];

  it.each(FILTERS)('users: %s', async (filter) => {
    await compareUsers({ filter });
  });

  it('users: finds stored quotes, backslashes, tabs, NUL and unpaired surrogates (escaped in the stored JSON)', async () => {
    for (const filter of ['title co "\\"hi\\""', 'title eq "say \\"hi\\" \\\\ back"', 'displayName eq "tab\\there"', 'title co "a"', 'displayName ew "y"', 'title sw "A"']) {
      expect((await compareUsers({ filter })).total, filter).toBeGreaterThan(0);
    }
    const escaped = await compareUsers({ filter: 'title eq "a" or displayName eq "x"' });
    expect(escaped.total).toBe(0);
  });

  it('users: filters on values of the data (ids, times, exact names)', async () => {
    const changed = f.stored.filter((_, i) => i % 7 === 3);
    const some = user(17);
    const filters = [
      `userName eq "${some.username}"`,
      `userName eq "${some.username.toUpperCase()}"`,
      `userName eq "${user(23).username.toLowerCase()}"`,
      `id eq "${some.id}"`,
      `id eq "${some.id.toUpperCase()}"`,
      `id ne "${some.id}"`,
      `meta.created gt "${f.t0}"`,
      `meta.created lt "${f.t1}"`,
      `meta.lastModified gt "${f.t1}"`,
      `meta.lastModified ge "${iso(changed[0]!.updatedAt)}"`,
      `meta.lastModified eq "${iso(user(3).updatedAt)}"`,
      `meta.created eq "${iso(user(40).createdAt)}"`,
      `meta.created le "${iso(user(40).createdAt)}"`,
      `meta.created gt "${iso(user(40).createdAt).replace('Z', '+01:00')}"`,
      `meta[created gt "${f.t0}" and resourceType eq "User"]`,
      `meta.location eq "${BASE}/Users/${some.id}"`,
      `meta.location co "${some.id.slice(0, 8)}"`,
      `groups.value eq "${f.groupIds.get('Leads')}"`,
      `groups.value eq "${f.groupIds.get('Engineering')!.toUpperCase()}"`,
      `groups eq "${f.groupIds.get('Deep Team')}"`,
      `groups[value eq "${f.groupIds.get('Engineering')}" and type eq "indirect"]`,
      ...f.stored.slice(0, 40).flatMap((u) => ((u.resource.emails as Array<{ value: string }> | undefined) ?? []).slice(0, 1).map((e) => `emails.value eq "${e.value.toUpperCase()}"`)),
      ...f.stored.slice(0, 30).map((u) => `userName eq ${JSON.stringify(u.username)}`),
      ...f.stored.slice(30, 45).map((u) => `userName eq ${JSON.stringify(u.username.toUpperCase())}`),
    ];
    for (const filter of filters) await compareUsers({ filter });
  });

  const SORTS = [
    'userName',
    'name.familyName',
    'name.givenName',
    'displayName',
    'nickName',
    'title',
    'emails',
    'emails.type',
    'emails.value',
    'emails.primary',
    'phoneNumbers',
    'addresses.locality',
    'active',
    'meta.created',
    'meta.lastModified',
    'meta.version',
    'meta.location',
    'meta.resourceType',
    'id',
    'externalId',
    `${EXT}:employeeNumber`,
    'manager.value',
    'groups',
    'groups.display',
    'groups.type',
    'groups.$ref',
    'x509Certificates.value',
    'schemas',
    'userType',
  ];

  it.each(SORTS)('users sorted by %s, both ways, paged, with and without a filter', async (sortBy) => {
    for (const sortOrder of ['ascending', 'descending']) {
      for (const [startIndex, count] of [[1, 10], [7, 25], [230, 50], [400, 5]] as const) {
        await compareUsers({ sortBy, sortOrder, startIndex, count });
      }
      await compareUsers({ sortBy, sortOrder, filter: 'active eq true or title pr', startIndex: 3, count: 40 });
      await compareUsers({ sortBy, sortOrder, filter: 'name.familyName co "l"' });
    }
  });

  it('users: plain pages, count 0, a start beyond the end, another tenant', async () => {
    await compareUsers({});
    await compareUsers({ startIndex: 100, count: 10 });
    expect((await compareUsers({ count: 0 })).resources).toEqual([]);
    await compareUsers({ filter: 'active eq true', count: 0 });
    await compareUsers({ filter: 'active eq true', startIndex: 10_000, count: 10 });
    await compareUsers({ filter: 'userName pr' }, 'other.example');
    await compareUsers({ sortBy: 'name.familyName' }, ASCII_TENANT);
  });

  it('refuses what the in-memory engine refuses, and values no database can hold', async () => {
    for (const filter of ['userName xx "a"', 'shoeSize eq 1', 'name eq "x"', 'active gt true', 'meta.created gt "soon"', 'title eq "a\\u0000"', 'title gt "\\ud800"', 'emails[value eq "\\udc00x"]']) {
      await expect(f.userQueries.list(T, { filter }, BASE), filter).rejects.toMatchObject({ scimType: 'invalidFilter' });
    }
    await expect(f.userQueries.list(T, { sortBy: 'name' }, BASE)).rejects.toMatchObject({ scimType: 'invalidValue' });
    await expect(f.userQueries.list(T, { sortBy: 'password' }, BASE)).rejects.toMatchObject({ scimType: 'invalidValue' });
    await expect(f.userQueries.list(T, { sortBy: 'userName', sortOrder: 'up' }, BASE)).rejects.toMatchObject({ scimType: 'invalidValue' });
  });

  it('leaves to JavaScript only users with text beyond ASCII or escapes, and none in an ASCII tenant', async () => {
    const exotic = (u: StoredUser) => /[\u0080-\uffff]|\\u/.test(JSON.stringify(u.resource));
    const memberships = await f.groups.membershipIndex(T);
    for (const filter of FILTERS.filter((text) => !/groups/i.test(text))) {
      const predicate = compileFilter(parseFilter(filter), 'User');
      const undecided: StoredUser[] = [];
      await f.users.search(T, { filter: parseFilter(filter), startIndex: 1, count: 10, base: BASE }, async (rows) => {
        undecided.push(...rows);
        return rows.filter((u) => predicate(userResource(u, memberships(u.id), BASE))).map((u) => u.id);
      });
      expect(undecided.filter((u) => !exotic(u)).map((u) => u.username), filter).toEqual([]);
    }
    for (const filter of FILTERS) {
      let asked = 0;
      await f.users.search(ASCII_TENANT, { filter: parseFilter(filter), startIndex: 1, count: 10, base: BASE }, async (rows) => {
        asked += rows.length;
        return [];
      });
      expect(asked, filter).toBe(0);
      await compareUsers({ filter, sortBy: 'name.familyName', count: 15 }, ASCII_TENANT);
    }
  });

  async function compareGroups(query: ListQuery): Promise<void> {
    const actual = await f.groupQueries.list(T, query, BASE);
    const want = expected(await groupResources(), 'Group', query);
    const label = JSON.stringify(query);
    expect(actual.resources.map((r) => r.displayName), label).toEqual(want.resources.map((r) => r.displayName));
    expect(actual.total, label).toBe(want.total);
    expect(actual.resources, label).toEqual(want.resources);
  }

  it('groups: filters, sorts and pages', async () => {
    const uid = user(5).id;
    const filters = [
      'displayName eq "engineering"',
      'displayName eq "ÄRZTE"',
      'displayName eq "ｖｉｐ"',
      'displayName sw "E"',
      'displayName co "ea"',
      'displayName gt "M"',
      'displayName lt "Ω"',
      'displayName ne "sales"',
      'displayName pr',
      `id eq "${f.groupIds.get('Leads')}"`,
      'externalId eq "g-eng"',
      'externalId eq "G-ENG"',
      'externalId sw "g-"',
      'externalId pr',
      'not (externalId pr)',
      `members[value eq "${uid}"]`,
      `members.value eq "${uid.toUpperCase()}"`,
      `members eq "${f.groupIds.get('Deep Team')}"`,
      'members[type eq "group"]',
      'members[type eq "User" and display sw "a"]',
      `members.display eq "${user(13).username.toUpperCase()}"`,
      'members.display co "ü"',
      'members pr',
      'not (members pr)',
      `meta.created ge "${f.t0}"`,
      'meta.version eq "W/\\"1\\""',
      'schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"',
      'meta.resourceType eq "Group"',
    ];
    for (const filter of filters) await compareGroups({ filter });
    for (const sortBy of ['displayName', 'id', 'externalId', 'meta.created', 'meta.lastModified', 'meta.version', 'members', 'members.display', 'members.type', 'members.$ref']) {
      for (const sortOrder of ['ascending', 'descending']) {
        await compareGroups({ sortBy, sortOrder });
        await compareGroups({ sortBy, sortOrder, startIndex: 3, count: 4 });
        await compareGroups({ sortBy, sortOrder, filter: 'members pr', startIndex: 2, count: 3 });
      }
    }
    await compareGroups({ count: 0 });
    await compareGroups({ startIndex: 50 });
    await expect(f.groupQueries.list(T, { filter: 'userName eq "x"' }, BASE)).rejects.toMatchObject({ scimType: 'invalidFilter' });
  });
});
