/**
 * Server CPU per SCIM create: the real server in its own process on SQLite (or PostgreSQL with
 * `--database postgres`), creates sent over plain HTTP at a fixed concurrency, and the server
 * process's CPU time (user + system, from /proc) divided by the number of creates. Two set-ups:
 * `plain` (no IdP: SCIM, validation and storage) and `guide` (the guide's Salesforce IdP on the
 * resident service provider, so every create also writes its provisioning job in the same
 * transaction; workers off, so delivery is not counted). `--profile DIR` starts the server with
 * `--cpu-prof` and prints the functions that cost most (self time) from the profile.
 *
 *   npm run bench:create-cost [-- --requests 4000 --concurrency 8 --database sqlite|postgres --profile /tmp/prof]
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from '../test/support/guide';
import { pool } from '../test/support/fault-run';
import { guideToml, startServerProcess, tempDir } from '../test/support/server-process';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '4000' },
    warmup: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '8' },
    database: { type: 'string', default: 'sqlite' },
    setups: { type: 'string', default: 'plain,guide' },
    profile: { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const WARMUP = Number(values.warmup);
const CONCURRENCY = Number(values.concurrency);
if (values.database === 'postgres') process.env.PROVISIONING_TEST_DATABASE = 'postgres';
const AUTH = `Basic ${Buffer.from('admin@wso2.com:admin').toString('base64')}`;
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

/** User + system CPU of a process so far, in ms (fields 14 and 15 of /proc/<pid>/stat). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function post(url: string, body: unknown, expected: number): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 300)}`);
}

async function put(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'PUT', headers: { authorization: AUTH, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`PUT ${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

function user(prefix: string, i: number): Record<string, unknown> {
  const userName = `${prefix}${i}@wso2.com`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: `Given${i}`, familyName: `Family${i}` },
    emails: [{ value: userName, type: 'work', primary: true }],
    title: 'Engineer',
  };
}

/** The functions with the most self time in the newest profile of a directory. */
function topCosts(dir: string, totalCreates: number): string[] {
  // The tsx loader thread writes a profile of its own: the server's main thread has the largest.
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ f, size: statSync(join(dir, f)).size }))
    .sort((a, b) => b.size - a.size)[0]?.f;
  if (!file) return ['(no profile written)'];
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
    samples: number[];
    timeDeltas: number[];
  };
  const byNode = new Map(profile.nodes.map((n) => [n.id, n] as const));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id)!;
    const delta = profile.timeDeltas[i] ?? 0;
    if (node.callFrame.functionName === '(idle)') return;
    total += delta;
    const where = node.callFrame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/work\/main\//, '').replace(/^file:\/\/\/?/, '');
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${where}${where ? `:${node.callFrame.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + delta);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([key, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000 / totalCreates).toFixed(3)} ms/create  ${key}`);
}

async function run(setup: string): Promise<void> {
  const dataDir = tempDir('bench-create-');
  if (values.profile) rmSync(values.profile, { recursive: true, force: true });
  const nodeArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  const server = await startServerProcess(guideToml(dataDir, '', { worker_enabled: false }), dataDir, nodeArgs);
  try {
    if (setup === 'guide') {
      const pem = await salesforceCertificatePem();
      await post(`${server.url}/api/server/v1/identity-providers`, guideIdentityProvider('https://login.salesforce.com', pem), 201);
      await put(`${server.url}/api/server/v1/applications/resident`, RESIDENT);
    }
    const url = `${server.url}/scim2/Users`;
    await pool([...Array(WARMUP).keys()], CONCURRENCY, (i) => post(url, user(`warm-${setup}-`, i), 201));
    const cpuBefore = cpuMs(server.child.pid!);
    const started = performance.now();
    await pool([...Array(REQUESTS).keys()], CONCURRENCY, (i) => post(url, user(`cost-${setup}-`, i), 201));
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuMs(server.child.pid!) - cpuBefore;
    console.log(
      `${setup.padEnd(6)} ${REQUESTS} creates at concurrency ${CONCURRENCY}: ${(REQUESTS / seconds).toFixed(0)} creates/s, server CPU ${(cpu / REQUESTS).toFixed(2)} ms per create`,
    );
  } finally {
    await server.stop('SIGTERM');
  }
  if (values.profile) {
    console.log(`  top self time (whole process run, warm-up included; ${values.profile}):`);
    for (const line of topCosts(values.profile, REQUESTS + WARMUP)) console.log(`  ${line}`);
  }
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; database ${values.database}`);
for (const setup of values.setups.split(',')) await run(setup);
