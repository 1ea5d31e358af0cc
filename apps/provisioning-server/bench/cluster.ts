/**
 * Cluster benchmark: delivery throughput of 1 and of 3 server processes sharing one PostgreSQL
 * database, against the Salesforce emulator answering every request in 150 ms (a real org's
 * distance). Users are first created through SCIM with every worker off (so creating is not what is
 * measured); then the instances restart with their workers on, and throughput is users delivered
 * per second from the moment the instances are up to the last delivery.
 *
 * Then SCIM filter latency at 100k users for each filter kind on SQLite and on PostgreSQL
 * (`bench/scim-filters.ts`, run as a child process; `--filter-users 0` skips it).
 *
 *   npm run bench:cluster [-- --users 600 --latency 150 --filter-users 100000]
 *
 * Needs PostgreSQL (PROVISIONING_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres);
 * each run creates fresh databases there.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from '../test/support/guide';
import { pool } from '../test/support/fault-run';
import { guideToml, startServerProcess, tempDir } from '../test/support/server-process';
import type { ServerProcess } from '../test/support/server-process';

process.env.PROVISIONING_TEST_DATABASE = 'postgres';

const { values } = parseArgs({ options: { users: { type: 'string', default: '600' }, latency: { type: 'string', default: '150' }, 'filter-users': { type: 'string', default: '100000' } } });
const USERS = Number(values.users);
const LATENCY = Number(values.latency);
const AUTH = `Basic ${Buffer.from('admin@wso2.com:admin').toString('base64')}`;

async function call(url: string, method: string, body: unknown): Promise<Response> {
  return fetch(url, { method, headers: { authorization: AUTH, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function run(instances: number): Promise<{ creates: number; delivered: number; seconds: number }> {
  const emu = await startSalesforceEmulator({ latencyMs: LATENCY, licenses: USERS + 10, apiLimit: 1_000_000 });
  const databaseKey = `bench-cluster-${randomUUID()}`;
  const secret = randomBytes(32).toString('base64');
  const servers: ServerProcess[] = [];
  const dataDirs = Array.from({ length: instances }, () => tempDir('bench-cluster-'));
  const toml = (dataDir: string, workerEnabled: boolean) =>
    guideToml(dataDir, `\n[security]\nsecret_key = "${secret}"\n`, { worker_enabled: workerEnabled }, ['127.0.0.1'], databaseKey);
  try {
    for (const dataDir of dataDirs) servers.push(await startServerProcess(toml(dataDir, false), dataDir));
    await call(`${servers[0]!.url}/api/server/v1/identity-providers`, 'POST', guideIdentityProvider(emu.url, await salesforceCertificatePem()));
    await call(`${servers[0]!.url}/api/server/v1/applications/resident`, 'PUT', RESIDENT);
    let delivered = 0;
    let lastDelivery = 0;
    emu.state.onRequest((entry) => {
      if (entry.method === 'POST' && entry.path.endsWith('/sobjects/User') && entry.status === 201) {
        delivered += 1;
        lastDelivery = performance.now();
      }
    });
    let creates = 0;
    await pool([...Array(USERS).keys()], 16, async (i) => {
      const userName = `cluster${i}@wso2.com`;
      const res = await call(`${servers[i % instances]!.url}/scim2/Users`, 'POST', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { familyName: `F${i}` }, emails: [userName] });
      if (res.status === 201) creates += 1;
    });
    // Workers on: every instance restarts at once and delivers the queue.
    await Promise.all(servers.splice(0).map((server) => server.stop('SIGTERM')));
    servers.push(...(await Promise.all(dataDirs.map((dataDir) => startServerProcess(toml(dataDir, true), dataDir)))));
    const started = performance.now();
    const deadline = performance.now() + 300_000;
    while (delivered < creates && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return { creates, delivered, seconds: (lastDelivery - started) / 1000 };
  } finally {
    for (const server of servers) await server.stop('SIGTERM');
    await emu.close();
  }
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; PostgreSQL; emulator latency ${LATENCY} ms; ${USERS} users; per instance concurrency 16, target_concurrency 4`);
const results: Array<{ instances: number; perSecond: number }> = [];
for (const instances of [1, 3]) {
  const r = await run(instances);
  const perSecond = r.delivered / r.seconds;
  results.push({ instances, perSecond });
  console.log(`${instances} instance${instances > 1 ? 's' : ' '}  created ${r.creates}  delivered ${r.delivered}  in ${r.seconds.toFixed(1)} s  ->  ${perSecond.toFixed(1)} deliveries/s`);
}
console.log(`speed-up with 3 instances: ${(results[1]!.perSecond / results[0]!.perSecond).toFixed(2)}x`);

const filterUsers = Number(values['filter-users']);
if (filterUsers > 0) {
  console.log(`\nSCIM filter latency, ${filterUsers} users, both databases:`);
  const child = spawnSync(process.execPath, [...process.execArgv, new URL('./scim-filters.ts', import.meta.url).pathname, '--users', String(filterUsers)], { stdio: 'inherit' });
  if (child.status !== 0) process.exitCode = 1;
}
