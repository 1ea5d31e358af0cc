/**
 * Convergence benchmark: reconciliation runs of the guide's Salesforce target against the emulator
 * (sObject Collections from API v60.0), the server in its own process. Three scenarios:
 *   1. N local users and an empty org: adding the target to the resident service provider starts
 *      the initial sync (an automatic applied run, trigger target-added), which creates them all;
 *   2. the same N, all in sync: a run writes nothing;
 *   3. 1% of them (1,000 at 100k) changed in the org: a run repairs exactly those.
 * Prints per scenario the run's time, situations, and the API calls the emulator answered (write
 * calls: POST/PATCH; query calls: GET /query pages), and the machine.
 *
 * Local users are inserted through UserRepository in bulk (what a SCIM create stores) before the
 * target is put on the resident service provider, so they start unprovisioned.
 *
 *   npm run bench:sync [-- --users 100000 --database sqlite|postgres --profile DIR]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { scimUserToLocalClaims } from '@provisioning/claims';
import { openDatabase } from '@provisioning/persistence';
import { testDatabaseUrl } from '@provisioning/persistence/testing';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import { validateResource } from '@provisioning/scim';
import { UserRepository } from '@provisioning/user-store';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from '../test/support/guide';
import { guideToml, startServerProcess, tempDir } from '../test/support/server-process';

const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, database: { type: 'string', default: 'sqlite' }, profile: { type: 'string' } } });
const USERS = Number(values.users);
if (values.database === 'postgres') process.env.PROVISIONING_TEST_DATABASE = 'postgres';
const AUTH = `Basic ${Buffer.from('admin@wso2.com:admin').toString('base64')}`;

async function call(url: string, method: string, body?: unknown): Promise<Record<string, unknown>> {
  const send = () => fetch(url, { method, headers: { authorization: AUTH, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  // The emulator shares this process: while it sorts 100k users the event loop stands still and the
  // server may close an idle keep-alive socket under us. Reads are safe to send again.
  const res = await send().catch((error: unknown) => {
    if (method !== 'GET') throw error;
    return send();
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 400)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const emu = await startSalesforceEmulator({ licenses: USERS + 1000, apiLimit: 10_000_000 });
const dataDir = tempDir('bench-sync-');
const databaseKey = `bench-sync-${randomUUID()}`;
const toml = guideToml(dataDir, `\n[security]\nsecret_key = "${randomBytes(32).toString('base64')}"\n`, { poll_interval_ms: 200 }, ['127.0.0.1'], databaseKey);
const server = await startServerProcess(toml, dataDir, values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : []);
const api = `${server.url}/api/server/v1`;

function countCalls(since: number): { writes: number; queries: number } {
  const entries = emu.state.requestLog.slice(since).filter((r) => r.path.startsWith('/services/data/'));
  return { writes: entries.filter((r) => r.method === 'POST' || r.method === 'PATCH').length, queries: entries.filter((r) => r.method === 'GET' && /\/query/.test(r.path)).length };
}

/** Measures one applied run: the one `start` starts (adding the target), or a manual one. */
async function runOnce(label: string, start?: () => Promise<Record<string, unknown>>): Promise<void> {
  const since = emu.state.requestLog.length;
  const started = performance.now();
  const run = start ? await start() : await call(`${api}/provisioning/runs`, 'POST', { idp: 'Salesforce.com', dryRun: false });
  let current = run;
  let lastReport = 0;
  while (!['succeeded', 'failed', 'cancelled'].includes(String(current.state))) {
    await new Promise((r) => setTimeout(r, 250));
    current = await call(`${api}/provisioning/runs/${String(run.id)}`, 'GET');
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      const progress = current.progress as { done: number; total: number };
      console.log(`  ... ${label}: ${String(current.phase)} ${progress.done}/${progress.total} after ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const calls = countCalls(since);
  console.log(`${label.padEnd(34)} ${String(current.state).padEnd(9)} ${seconds.toFixed(1).padStart(6)} s  writes ${String(calls.writes).padStart(5)}  queries ${String(calls.queries).padStart(4)}`);
  console.log(`  situations ${JSON.stringify(current.situations)}  actions ${JSON.stringify(current.actions)}${current.error ? `  error ${String(current.error)}` : ''}`);
}

try {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; database ${values.database}; ${USERS} users; emulator in the benchmark's process, server in its own`);
  // The guide's IdP on API v60.0 (sObject Collections), not yet on the resident SP.
  const idp = guideIdentityProvider(emu.url, await salesforceCertificatePem());
  const props = idp.provisioning.outboundConnectors.connectors[0]!.properties;
  props.find((p) => p.key === 'sf-api-version')!.value = 'v60.0';
  await call(`${api}/identity-providers`, 'POST', idp);

  const seedStarted = performance.now();
  const database = await openDatabase(testDatabaseUrl(databaseKey, dataDir));
  try {
    const repository = new UserRepository(database);
    for (let start = 0; start < USERS; start += 5000) {
      await database.db.transaction().execute(async (trx) => {
        for (let i = start; i < Math.min(USERS, start + 5000); i += 1) {
          const userName = `sync${i}@wso2.com`;
          const { resource } = validateResource({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: `G${i % 1000}`, familyName: `Family${i}` }, emails: [userName] }, 'User', { mode: 'create' });
          await repository.insert(trx, { tenant: 'carbon.super', username: userName, passwordHash: null, resource, claims: scimUserToLocalClaims(resource), roles: [] });
        }
      });
    }
  } finally {
    await database.close();
  }
  console.log(`seeded ${USERS} local users in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  // 1. The initial sync: putting the target on the resident SP starts an applied run (target-added).
  await runOnce(`1. ${USERS} users, empty org`, async () => {
    await call(`${api}/applications/resident`, 'PUT', RESIDENT);
    for (;;) {
      const runs = (await call(`${api}/provisioning/runs`, 'GET')) as unknown as Array<Record<string, unknown>>;
      const added = runs.find((r) => r.trigger === 'target-added');
      if (added) return added;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  await runOnce(`2. ${USERS} users, all in sync`);
  const drifted = Math.max(1, Math.floor(USERS / 100));
  for (let i = 0; i < drifted; i += 1) {
    const account = emu.state.usersByUsername(`sync${i * 100}@wso2.com`);
    if (account) emu.state.putUser({ ...account, LastName: `Changed${i}` });
  }
  await runOnce(`3. ${drifted} drifted among ${USERS}`);
} catch (error) {
  console.error(`server output (tail):\n${server.output().slice(-4000)}`);
  throw error;
} finally {
  await server.stop('SIGTERM');
  await emu.close();
  rmSync(dataDir, { recursive: true, force: true });
}
