/**
 * SCIM benchmark: the real server in its own process (plain HTTP, SQLite file, no IdP, so requests
 * measure SCIM and storage, not outbound delivery), seeded with 10k and then 100k users through SCIM
 * POST (concurrently), and at each size: SCIM create, GET by id, a list filtered on the indexed
 * `userName eq`, and a list filtered on a non-indexed attribute (`name.familyName sw "X"`, count=10,
 * which scans every user). Prints requests/s, p50 and p99 latency per operation, and the machine.
 *
 * Seeding: through SCIM POST while that is expected to take at most --seed-budget seconds (measured
 * rate; 10k takes ~20 s); beyond it (`--seed auto`, the default) the rest is inserted through
 * `UserRepository` in bulk transactions on the server's database (what `UserService.create` stores:
 * the validated resource and its local claims), while the idle server keeps running. `--seed scim`
 * forces SCIM for everything.
 *
 *   npm run bench:scim [-- --sizes 10000,100000 --concurrency 16 --scan-concurrency 2 --seed auto|scim]
 */
import { rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { scimUserToLocalClaims } from '@provisioning/claims';
import { openDatabase } from '@provisioning/persistence';
import { validateResource } from '@provisioning/scim';
import { UserRepository } from '@provisioning/user-store';
import { pool } from '../test/support/fault-run';
import { guideToml, startServerProcess, tempDir } from '../test/support/server-process';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    concurrency: { type: 'string', default: '16' },
    'scan-concurrency': { type: 'string', default: '2' },
    'seed-concurrency': { type: 'string', default: '32' },
    seed: { type: 'string', default: 'auto' },
    'seed-budget': { type: 'string', default: '180' },
  },
});
const SEED_MODE = values.seed;
const SEED_BUDGET_SECONDS = Number(values['seed-budget']);
if (SEED_MODE !== 'auto' && SEED_MODE !== 'scim') throw new Error('--seed is auto or scim');
const SIZES = values.sizes.split(',').map(Number);
const CONCURRENCY = Number(values.concurrency);
const SCAN_CONCURRENCY = Number(values['scan-concurrency']);
const SEED_CONCURRENCY = Number(values['seed-concurrency']);
const AUTH = `Basic ${Buffer.from('admin@wso2.com:admin').toString('base64')}`;
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

interface Result {
  size: number;
  operation: string;
  requests: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** One user; one in 100 has a family name starting with "X" (what the non-indexed filter finds). */
function user(i: number): Record<string, unknown> {
  const userName = `bench${i}@wso2.com`;
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: `Given${i}`, familyName: i % 100 === 7 ? `Xavier${i}` : `Family${i}` },
    emails: [{ value: userName, type: 'work', primary: true }],
    title: i % 2 === 0 ? 'Engineer' : 'Manager',
  };
}

async function call(url: string, method: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method, headers: { authorization: AUTH, 'content-type': 'application/scim+json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function expectStatus(url: string, method: string, status: number, body?: unknown): Promise<Record<string, unknown>> {
  const res = await call(url, method, body);
  if (res.status !== status) throw new Error(`${method} ${url} answered ${res.status}, expected ${status}: ${JSON.stringify(res.json).slice(0, 300)}`);
  return res.json;
}

/** Runs `work` for indexes 0..requests-1 at `concurrency`, stopping early when `budgetMs` is spent. */
async function measure(size: number, operation: string, requests: number, concurrency: number, budgetMs: number, work: (i: number) => Promise<void>): Promise<Result> {
  const latencies: number[] = [];
  const deadline = performance.now() + budgetMs;
  const started = performance.now();
  await pool([...Array(requests).keys()], concurrency, async (i) => {
    if (performance.now() > deadline) return;
    const t0 = performance.now();
    await work(i);
    latencies.push(performance.now() - t0);
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const result = { size, operation, requests: latencies.length, concurrency, seconds, perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  console.log(
    `  ${operation.padEnd(34)} ${String(result.requests).padStart(6)} req  ${result.perSecond.toFixed(1).padStart(8)} req/s  p50 ${result.p50.toFixed(1).padStart(8)} ms  p99 ${result.p99.toFixed(1).padStart(8)} ms`,
  );
  return result;
}

const dataDir = tempDir('bench-scim-');
const server = await startServerProcess(guideToml(dataDir), dataDir);
const base = `${server.url}/scim2`;
const ids: string[] = [];
let next = 0;
const results: Result[] = [];

async function create(i: number): Promise<void> {
  const json = await expectStatus(`${base}/Users`, 'POST', 201, user(i));
  ids[i] = json.id as string;
}

/** Bulk insert through the repository, as UserService.create stores a user (no password, no IdP: no jobs). */
async function seedThroughRepository(from: number, to: number): Promise<void> {
  const database = await openDatabase(`sqlite:${join(dataDir, 'provisioning.db')}`);
  try {
    const repository = new UserRepository(database);
    for (let start = from; start < to; start += 5000) {
      await database.db.transaction().execute(async (trx) => {
        for (let i = start; i < Math.min(to, start + 5000); i += 1) {
          const { resource } = validateResource(user(i), 'User', { mode: 'create' });
          const stored = await repository.insert(trx, { tenant: 'carbon.super', username: String(resource.userName), passwordHash: null, resource, claims: scimUserToLocalClaims(resource), roles: [] });
          ids[i] = stored.id;
        }
      });
    }
  } finally {
    await database.close();
  }
}

let scimSeedRate = 0;
async function seed(to: number): Promise<string> {
  const from = next;
  const count = Math.max(0, to - from);
  const started = performance.now();
  const viaScim = SEED_MODE === 'scim' || scimSeedRate === 0 || count / scimSeedRate <= SEED_BUDGET_SECONDS;
  if (viaScim) {
    await pool([...Array(count).keys()].map((k) => from + k), SEED_CONCURRENCY, create);
  } else {
    await seedThroughRepository(from, to);
    // better-sqlite3 is synchronous: the event loop stood still while the server closed idle
    // keep-alive sockets. Let the client see those closes before reusing its connection pool.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  next = Math.max(next, to);
  const seconds = (performance.now() - started) / 1000;
  if (viaScim && count > 0) scimSeedRate = count / seconds;
  const how = viaScim
    ? `through SCIM POST (concurrency ${SEED_CONCURRENCY})`
    : `through UserRepository in bulk (SCIM POST at ${scimSeedRate.toFixed(0)}/s would have taken ~${(count / scimSeedRate).toFixed(0)} s)`;
  return `seeded ${count} ${how} in ${seconds.toFixed(1)} s, ${(count / seconds).toFixed(0)} users/s`;
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`);
console.log(`server: separate process (node --import tsx), SQLite WAL synchronous=FULL in ${dataDir}; client concurrency ${CONCURRENCY} (scans ${SCAN_CONCURRENCY})`);
try {
  for (const size of SIZES) {
    console.log(`\n${size} users (${await seed(size)})`);

    const known = () => ids[Math.floor(Math.random() * ids.length)]!;
    const knownIndex = () => Math.floor(Math.random() * next);
    const createFrom = next;
    results.push(await measure(size, 'create (POST /Users)', 2000, CONCURRENCY, 60_000, (k) => create(createFrom + k)));
    next = ids.length;
    results.push(await measure(size, 'get by id (GET /Users/{id})', 5000, CONCURRENCY, 60_000, async () => void (await expectStatus(`${base}/Users/${known()}`, 'GET', 200))));
    results.push(
      await measure(size, 'filter userName eq (indexed)', 5000, CONCURRENCY, 60_000, async () => {
        const json = await expectStatus(`${base}/Users?filter=${encodeURIComponent(`userName eq "bench${knownIndex()}@wso2.com"`)}`, 'GET', 200);
        if (json.totalResults !== 1) throw new Error(`userName eq found ${String(json.totalResults)}`);
      }),
    );
    const scans = size >= 100_000 ? 20 : 100;
    results.push(
      await measure(size, 'filter familyName sw, count=10 (scan)', scans, SCAN_CONCURRENCY, 120_000, async () => {
        const json = await expectStatus(`${base}/Users?filter=${encodeURIComponent('name.familyName sw "X"')}&count=10`, 'GET', 200);
        if ((json.Resources as unknown[]).length !== 10) throw new Error('the scan filter should fill its page');
      }),
    );
  }

  console.log('\n| users | operation | requests | concurrency | req/s | p50 ms | p99 ms |');
  console.log('|---:|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.size} | ${r.operation} | ${r.requests} | ${r.concurrency} | ${r.perSecond.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`);
  }
} catch (error) {
  console.error(`server output (tail):\n${server.output().slice(-4000)}`);
  throw error;
} finally {
  await server.stop('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
