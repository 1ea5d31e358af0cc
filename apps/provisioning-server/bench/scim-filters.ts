/**
 * SCIM filter benchmark: one tenant of N users (default 100,000) on SQLite and on PostgreSQL, and
 * the time of each kind of list through the service layer (`UserQueries.list`, `GroupQueries.list`:
 * SQL filter, sort, page and total, then the page's SCIM representations). Prints, per filter kind,
 * the median of 5 runs (after one warm-up) on each database, the page size, and the machine.
 *
 * Users are inserted straight into `users` in multi-row statements (what `UserRepository.insert`
 * stores for a validated SCIM resource; no SCIM, no HTTP): two emails (work, home, one primary),
 * one or two phone numbers, a name (1 in 20 beyond ASCII), active true or false, a title, an
 * externalId, creation times spread over a year and 1 in 100 modified in the last day. 1,000 groups
 * (up to 20 of them nested in Team 1) hold every user once or twice. PostgreSQL gets a fresh database,
 * dropped at the end; SQLite a temporary file.
 *
 *   npm run bench:scim-filters [-- --users 100000 --postgres postgres://postgres@127.0.0.1:5432/postgres --only sqlite|postgres]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { GroupQueries, UserQueries } from '@provisioning/directory';
import type { ListQuery, ResourcePage } from '@provisioning/directory';
import { openDatabase } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { GroupRepository, UserRepository, usernameKey } from '@provisioning/user-store';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    postgres: { type: 'string', default: process.env.PROVISIONING_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    only: { type: 'string' },
  },
});
const USERS = Number(values.users);
if (!Number.isInteger(USERS) || USERS < 100) throw new Error('--users must be an integer of at least 100');
const GROUPS = Math.max(10, Math.min(1000, Math.floor(USERS / 100)));
const TENANT = 'bench.example';
const BASE = 'https://bench.example/scim2';
const PAGE = 50;
const RUNS = 5;
const DAY = 86_400_000;
const NOW = Date.now();
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GIVEN = ['Anna', 'Ben', 'Chloé', 'David', 'Emma', 'Felix', 'Greta', 'Hugo', 'Ida', 'Jonas', 'Karin', 'Lars', 'Mia', 'Noah', 'Olga', 'Paul'];
const FAMILY = ['Schmidt', 'Meyer', 'Wagner', 'Becker', 'Hoffmann', 'Schulz', 'Koch', 'Richter', 'Klein', 'Wolf', 'Neumann', 'Zimmermann'];
const ACCENTED = ['Müller', 'Öztürk', 'Ænes', 'Ñúñez', 'Łukasz'];
const TITLES = ['Engineer', 'Manager', 'Analyst', 'Designer', 'Director'];

/** The i-th user's SCIM resource (as validation stores it). */
function resource(i: number): Record<string, unknown> {
  const given = GIVEN[i % GIVEN.length]!;
  const family = i % 20 === 7 ? ACCENTED[(i >> 5) % ACCENTED.length]! : FAMILY[(i >> 4) % FAMILY.length]!;
  const userName = `user${i}@bench.example`;
  return {
    schemas: [USER_SCHEMA],
    userName,
    externalId: `ext-${i}`,
    name: { givenName: given, familyName: family, formatted: `${given} ${family}` },
    displayName: `${given} ${family}`,
    title: TITLES[i % TITLES.length],
    active: i % 10 !== 3,
    emails: [
      { value: `${given.toLowerCase()}.${i}@work.example`, type: 'work', primary: true },
      { value: `u${i}@home.example`, type: 'home' },
    ],
    phoneNumbers: [
      { value: `+1-555-${String(i).padStart(7, '0')}`, type: 'mobile' },
      ...(i % 3 === 0 ? [{ value: `+49-30-${String(i).padStart(7, '0')}`, type: 'work' }] : []),
    ],
  };
}

interface Seeded {
  userIds: string[];
  groupIds: string[];
  seconds: number;
}

/** Inserts the users, groups and memberships in multi-row statements. */
async function seed(database: DatabaseHandle): Promise<Seeded> {
  const started = performance.now();
  const rows = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      const value = resource(i);
      const created = NOW - 365 * DAY + Math.floor((i / USERS) * 364 * DAY);
      return {
        id: randomUUID(),
        tenant: TENANT,
        username: String(value.userName),
        username_key: usernameKey(String(value.userName)),
        password_hash: null,
        resource: JSON.stringify(value),
        claims: '{}',
        roles: '[]',
        created_at: created,
        updated_at: i % 100 === 42 ? NOW - Math.floor(DAY / 2) : created,
        version: i % 100 === 42 ? 2 : 1,
      };
    });
  const userIds: string[] = [];
  // SQLite binds at most 32,766 parameters per statement: 11 per row.
  for (let start = 0; start < USERS; start += 2000) {
    await database.db.transaction().execute(async (trx) => {
      for (let from = start; from < Math.min(USERS, start + 2000); from += 1000) {
        const batch = rows(from, Math.min(USERS, from + 1000, start + 2000));
        await trx.insertInto('users').values(batch).execute();
        userIds.push(...batch.map((row) => row.id));
      }
    });
  }
  const groupIds = Array.from({ length: GROUPS }, () => randomUUID());
  await database.db.transaction().execute(async (trx) => {
    const groups = groupIds.map((id, g) => ({
      id,
      tenant: TENANT,
      display_name: `Team ${g}`,
      display_key: `team ${g}`,
      resource: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], externalId: `g-${g}` }),
      created_at: NOW - DAY + g,
      updated_at: NOW - DAY + g,
      version: 1,
    }));
    for (let i = 0; i < groups.length; i += 500) await trx.insertInto('groups').values(groups.slice(i, i + 500)).execute();
    const members: Array<{ tenant: string; group_id: string; member_id: string; member_type: string }> = [];
    userIds.forEach((id, i) => {
      members.push({ tenant: TENANT, group_id: groupIds[i % GROUPS]!, member_id: id, member_type: 'User' });
      if (i % 2 === 0) members.push({ tenant: TENANT, group_id: groupIds[(i * 7 + 3) % GROUPS]!, member_id: id, member_type: 'User' });
    });
    // Team 1 contains the last teams, up to 20 (their members are its indirect members).
    for (let g = Math.max(2, GROUPS - 20); g < GROUPS; g += 1) members.push({ tenant: TENANT, group_id: groupIds[1]!, member_id: groupIds[g]!, member_type: 'Group' });
    const unique = new Map(members.map((m) => [`${m.group_id} ${m.member_id}`, m] as const));
    const all = [...unique.values()];
    for (let i = 0; i < all.length; i += 5000) await trx.insertInto('group_members').values(all.slice(i, i + 5000)).execute();
  });
  // Statistics, as a live database has them (PostgreSQL's planner needs them to pick the partial index).
  await sql`analyze`.execute(database.db);
  return { userIds, groupIds, seconds: (performance.now() - started) / 1000 };
}

interface Case {
  kind: string;
  run: (users: UserQueries, groups: GroupQueries, seeded: Seeded) => Promise<ResourcePage>;
}

const probe = Math.floor(USERS * 0.5432);
const list = (query: ListQuery): Case['run'] => (users) => users.list(TENANT, { count: PAGE, ...query }, BASE);
const CASES: Case[] = [
  { kind: 'userName eq', run: list({ filter: `userName eq "USER${probe}@bench.example"` }) },
  { kind: 'externalId eq', run: list({ filter: `externalId eq "ext-${probe}"` }) },
  { kind: 'name co (familyName co "ll")', run: list({ filter: 'name.familyName co "ll"' }) },
  { kind: 'name co, any part (name[... or ...])', run: list({ filter: 'name[givenName co "mm" or familyName co "mm"]' }) },
  { kind: 'emails.value eq', run: list({ filter: `emails.value eq "u${probe}@HOME.example"` }) },
  { kind: 'emails[type eq "work" and value co]', run: list({ filter: `emails[type eq "work" and value co ".${probe}@"]` }) },
  { kind: 'phoneNumbers[type eq "mobile" and value sw]', run: list({ filter: `phoneNumbers[type eq "mobile" and value sw "+1-555-${String(probe).padStart(7, '0').slice(0, 5)}"]` }) },
  { kind: 'groups.display eq', run: list({ filter: 'groups.display eq "team 7"' }) },
  { kind: 'groups.display eq (nested: indirect)', run: list({ filter: 'groups[display eq "Team 1" and type eq "indirect"]' }) },
  { kind: 'meta.lastModified gt', run: list({ filter: `meta.lastModified gt "${new Date(NOW - DAY).toISOString()}"` }) },
  { kind: 'active eq false', run: list({ filter: 'active eq false' }) },
  { kind: 'not (...)', run: list({ filter: 'not (title eq "Engineer" or active eq true)' }) },
  { kind: 'or of two', run: list({ filter: `userName eq "user${probe}@bench.example" or emails.value eq "u${probe + 1}@home.example"` }) },
  { kind: 'sortBy name.familyName, page 2', run: list({ sortBy: 'name.familyName', startIndex: PAGE + 1 }) },
  { kind: 'sortBy userName desc, filtered', run: list({ filter: 'title eq "manager"', sortBy: 'userName', sortOrder: 'descending', startIndex: 101 }) },
  { kind: 'startIndex deep page (no filter)', run: list({ startIndex: Math.floor(USERS * 0.9) }) },
  { kind: 'startIndex deep page, sortBy userName', run: list({ sortBy: 'userName', startIndex: Math.floor(USERS * 0.9) }) },
  { kind: 'group list page (sortBy displayName)', run: (_, groups) => groups.list(TENANT, { sortBy: 'displayName', startIndex: 21, count: 20 }, BASE) },
  { kind: 'group list filter members[value eq]', run: (_, groups, seeded) => groups.list(TENANT, { filter: `members[value eq "${seeded.userIds[probe]}"]`, count: 20 }, BASE) },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Times every case on one database: one warm-up, then the median of {@link RUNS}. */
async function measure(database: DatabaseHandle, label: string): Promise<Map<string, { ms: number; total: number; page: number }>> {
  const seeded = await seed(database);
  console.log(`${label}: seeded ${USERS} users, ${GROUPS} groups in ${seeded.seconds.toFixed(1)} s`);
  const users = new UserRepository(database);
  const groups = new GroupRepository(database);
  const userQueries = new UserQueries(users, groups);
  const groupQueries = new GroupQueries(groups, users);
  const out = new Map<string, { ms: number; total: number; page: number }>();
  for (const c of CASES) {
    const first = await c.run(userQueries, groupQueries, seeded);
    const times: number[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      const t0 = performance.now();
      await c.run(userQueries, groupQueries, seeded);
      times.push(performance.now() - t0);
    }
    out.set(c.kind, { ms: median(times), total: first.total, page: first.resources.length });
    console.log(`  ${label.padEnd(10)} ${c.kind.padEnd(44)} ${median(times).toFixed(1).padStart(8)} ms  total ${first.total}`);
  }
  return out;
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`);
console.log(`${USERS} users in one tenant, ${GROUPS} groups; page size ${PAGE} (groups 20); median of ${RUNS} runs after a warm-up\n`);

const results: Array<Map<string, { ms: number; total: number; page: number }> | undefined> = [undefined, undefined];
if (values.only !== 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scim-filters-'));
  const database = await openDatabase(`sqlite:${join(dir, 'provisioning.db')}`);
  try {
    results[0] = await measure(database, 'SQLite');
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (values.only !== 'sqlite') {
  const name = `bench_scim_filters_${process.pid}`;
  const admin = new pg.Client({ connectionString: values.postgres });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(values.postgres);
  url.pathname = `/${name}`;
  const database = await openDatabase(url.toString());
  try {
    results[1] = await measure(database, 'PostgreSQL');
  } finally {
    await database.close();
    await admin.query(`drop database if exists ${name}`);
    await admin.end();
  }
}

console.log(`\n| filter kind | results (total) | SQLite ms | PostgreSQL ms |`);
console.log('|---|---:|---:|---:|');
for (const c of CASES) {
  const [sqlite, postgres] = results.map((r) => r?.get(c.kind));
  const total = sqlite?.total ?? postgres?.total;
  if (sqlite && postgres && sqlite.total !== postgres.total) throw new Error(`${c.kind}: SQLite found ${sqlite.total}, PostgreSQL ${postgres.total}`);
  console.log(`| ${c.kind} | ${total} | ${sqlite ? sqlite.ms.toFixed(1) : '-'} | ${postgres ? postgres.ms.toFixed(1) : '-'} |`);
}
