import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { FAST_RETRIES, assertInSync, configureGuide, injectFaults, pool, quiescence, scimUser } from './support/fault-run';
import { ADMIN, guideToml, startServerProcess, tempDir } from './support/server-process';
import type { ServerProcess } from './support/server-process';

const USERS = 200;

/**
 * Hundreds of users through creates, updates and deletes while Salesforce fails: 5xx and timeouts on
 * about a fifth of calls, row locks and the API limit for a while, and an expired token mid-run. After
 * quiescence Salesforce equals the local store, with no duplicate and no lost change.
 */
describe('fault suite', () => {
  let emu: RunningEmulator;
  const servers: ServerProcess[] = [];

  beforeEach(async () => {
    emu = await startSalesforceEmulator();
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    await emu.close();
  });

  async function run(server: () => ServerProcess, midRun?: () => Promise<void>): Promise<Set<string>> {
    const created = new Set<string>();
    const ids = new Map<number, string>();
    await pool([...Array(USERS).keys()], 8, async (i) => {
      const res = await request(server().url).post('/scim2/Users').auth(ADMIN.username, ADMIN.password).send(scimUser(i));
      if (res.status === 201) {
        ids.set(i, res.body.id);
        created.add(res.body.userName);
      }
    });
    emu.state.expireTokens();
    await midRun?.();
    await pool([...ids.keys()].filter((i) => i % 2 === 0), 8, async (i) => {
      await request(server().url)
        .patch(`/scim2/Users/${ids.get(i)}`)
        .auth(ADMIN.username, ADMIN.password)
        .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'name.familyName', value: `Changed${i}` }] })
        .catch(() => undefined);
    });
    await pool([...ids.keys()].filter((i) => i % 4 === 1), 8, async (i) => {
      await request(server().url).delete(`/scim2/Users/${ids.get(i)}`).auth(ADMIN.username, ADMIN.password).catch(() => undefined);
    });
    return created;
  }

  it('keeps Salesforce equal to the local store under faults, with one token per token lifetime', async () => {
    const dataDir = tempDir('faults-');
    const server = await startServerProcess(guideToml(dataDir, '', FAST_RETRIES), dataDir);
    servers.push(server);
    await configureGuide(server.url, emu);
    injectFaults(emu);
    const created = await run(() => server);
    await quiescence(server.url);
    const hits = emu.state.faults.reduce((sum, f) => sum + f.hits, 0);
    const dataCalls = emu.state.requestLog.filter((r) => r.path.startsWith('/services/data/')).length;
    emu.state.clearFaults();
    await assertInSync(server.url, emu, created);
    expect(created.size).toBe(USERS);
    // Hung requests are never logged, so the share is measured against logged calls plus hits.
    expect(hits / (dataCalls + hits), `faults ${hits} of about ${dataCalls + hits} calls`).toBeGreaterThan(0.15);
    // One token, plus one after the expiry the suite forces mid-run.
    expect(emu.state.tokenRequests.succeeded).toBeLessThanOrEqual(2);
    const retries = (await request(server.url).get('/metrics')).text.match(/provisioning_retries_total\{connector="salesforce"\} (\d+)/);
    expect(Number(retries?.[1] ?? 0)).toBeGreaterThan(10);
  }, 240_000);

  it('holds the same invariant when the server is killed with SIGKILL mid-run and restarted', async () => {
    const dataDir = tempDir('faults-kill-');
    const toml = guideToml(dataDir, '', FAST_RETRIES);
    let current = await startServerProcess(toml, dataDir);
    servers.push(current);
    await configureGuide(current.url, emu);
    injectFaults(emu);
    const created = await run(
      () => current,
      async () => {
        await current.stop('SIGKILL');
        current = await startServerProcess(toml, dataDir);
        servers.push(current);
      },
    );
    await quiescence(current.url);
    emu.state.clearFaults();
    await assertInSync(current.url, emu, created);
  }, 240_000);
});
