/**
 * Delivery benchmark: SCIM creates through the real server (in-process, plain HTTP, SQLite file) to
 * the Salesforce emulator, with and without faults. Prints creates/s and the latency from the SCIM
 * 201 to the emulator's 201 for the same user (p50/p99).
 *
 *   npm run bench:delivery [-- --users 500 --concurrency 16]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { parseConfigText } from '../src/config/deployment-config';
import { createLogger } from '../src/logging';
import { startServer } from '../src/server';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from '../test/support/guide';
import { guideToml } from '../test/support/server-process';
import { FAST_RETRIES, injectFaults, pool } from '../test/support/fault-run';

const { values } = parseArgs({
  options: { users: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '16' }, rate: { type: 'string', default: '50' } },
});
const USERS = Number(values.users);
const CONCURRENCY = Number(values.concurrency);
/** Creates per second in the paced runs (latency without a backlog); the saturated runs send as fast as they can. */
const RATE = Number(values.rate);
const AUTH = `Basic ${Buffer.from('admin@wso2.com:admin').toString('base64')}`;

async function call(url: string, method: string, body: unknown): Promise<Response> {
  return fetch(url, { method, headers: { authorization: AUTH, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function scenario(name: string, faults: boolean, rate?: number): Promise<void> {
  const emu: RunningEmulator = await startSalesforceEmulator();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const config = parseConfigText(guideToml(dataDir, '', { ...FAST_RETRIES, poll_interval_ms: 200, concurrency: 8, target_concurrency: 8 }), join(dataDir, 'deployment.toml'));
  const server = await startServer(config, { logger: createLogger('silent') });
  try {
    await call(`${server.url}/api/server/v1/identity-providers`, 'POST', guideIdentityProvider(emu.url, await salesforceCertificatePem()));
    await call(`${server.url}/api/server/v1/applications/resident`, 'PUT', RESIDENT);
    if (faults) injectFaults(emu);
    const scim201 = new Map<string, number>();
    const sf201 = new Map<string, number>();
    emu.state.onRequest((entry) => {
      const username = (entry.body as { Username?: string } | undefined)?.Username;
      if (entry.method === 'POST' && entry.path.endsWith('/sobjects/User') && entry.status === 201 && username) sf201.set(username.toLowerCase(), performance.now());
    });
    const started = performance.now();
    await pool([...Array(USERS).keys()], CONCURRENCY, async (i) => {
      if (rate) {
        const due = started + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const userName = `bench${i}@wso2.com`;
      const res = await call(`${server.url}/scim2/Users`, 'POST', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        name: { givenName: `B${i}`, familyName: `Bench${i}` },
        emails: [userName],
      });
      if (res.status !== 201) throw new Error(`SCIM create answered ${res.status}: ${await res.text()}`);
      scim201.set(userName, performance.now());
    });
    const acceptedMs = performance.now() - started;
    const deadline = Date.now() + 300_000;
    while (sf201.size < USERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const deliveredMs = performance.now() - started;
    const latencies = [...scim201].map(([u, t]) => Math.max(0, (sf201.get(u) ?? NaN) - t)).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const hits = emu.state.faults.reduce((sum, f) => sum + f.hits, 0);
    console.log(
      [
        name.padEnd(30),
        `${USERS} users`,
        `SCIM creates/s ${(USERS / (acceptedMs / 1000)).toFixed(0).padStart(5)}`,
        `delivered/s ${(sf201.size / (deliveredMs / 1000)).toFixed(0).padStart(5)}`,
        `latency p50 ${percentile(latencies, 50).toFixed(0).padStart(5)} ms`,
        `p99 ${percentile(latencies, 99).toFixed(0).padStart(5)} ms`,
        `delivered ${sf201.size}/${USERS}`,
        faults ? `faults injected ${hits}` : '',
      ].join('  '),
    );
  } finally {
    await server.close();
    await emu.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; concurrency ${CONCURRENCY}`);
await scenario(`no faults, ${RATE}/s`, false, RATE);
await scenario('no faults, saturated', false);
await scenario(`~20% faults, ${RATE}/s`, true, RATE);
await scenario('~20% faults, saturated', true);
