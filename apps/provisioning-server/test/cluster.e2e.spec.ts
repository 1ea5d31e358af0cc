import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialect } from '@provisioning/persistence/testing';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { FAST_RETRIES, assertInSync, configureGuide, injectFaults, pool, quiescence, scimUser } from './support/fault-run';
import { ADMIN, guideToml, startServerProcess, tempDir } from './support/server-process';
import type { ServerProcess } from './support/server-process';

const USERS = 150;
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * Several server processes on one PostgreSQL database form one cluster (SQLite is the embedded,
 * single-instance store: these tests are reported as skipped there).
 */
describe.skipIf(testDialect() !== 'postgres')('a cluster of instances on one PostgreSQL database', () => {
  let emu: RunningEmulator;
  const servers: ServerProcess[] = [];
  let databaseKey: string;
  let secretKey: string;

  const tomlFor = (dataDir: string, provisioning: Record<string, string | number | boolean> = FAST_RETRIES, key = secretKey) =>
    guideToml(dataDir, `\n[security]\nsecret_key = "${key}"\n`, provisioning, ['127.0.0.1'], databaseKey);
  const start = async (provisioning?: Record<string, string | number | boolean>) => {
    const dataDir = tempDir('cluster-');
    const server = await startServerProcess(tomlFor(dataDir, provisioning), dataDir);
    servers.push(server);
    return server;
  };

  beforeEach(async () => {
    emu = await startSalesforceEmulator();
    databaseKey = `cluster-${randomUUID()}`;
    secretKey = randomBytes(32).toString('base64');
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    await emu.close();
  });

  it('loses nothing, duplicates nothing and lets every last change win, with SCIM spread over three instances, faults, and one instance killed and restarted', async () => {
    const instances = [await start(), await start(), await start()];
    const at = (i: number) => instances[i % instances.length]!;
    await configureGuide(at(0).url, emu);
    injectFaults(emu);

    const created = new Set<string>();
    const ids = new Map<number, string>();
    await pool([...Array(USERS).keys()], 9, async (i) => {
      const res = await request(at(i).url).post('/scim2/Users').auth(ADMIN.username, ADMIN.password).send(scimUser(i));
      if (res.status === 201) {
        ids.set(i, res.body.id);
        created.add(res.body.userName);
      }
    });
    expect(created.size).toBe(USERS);

    // One instance dies with its leases; the others keep answering and delivering.
    const killed = 2;
    await instances[killed]!.stop('SIGKILL');
    const alive = (i: number) => instances[[0, 1][i % 2]!]!;
    emu.state.expireTokens();
    // Every even user changes twice, through different instances: the second change must win.
    for (const round of ['Changed', 'Final']) {
      await pool([...ids.keys()].filter((i) => i % 2 === 0), 8, async (i) => {
        const res = await request(alive(i + (round === 'Final' ? 1 : 0)).url)
          .patch(`/scim2/Users/${ids.get(i)}`)
          .auth(ADMIN.username, ADMIN.password)
          .send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'name.familyName', value: `${round}${i}` }] });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      });
    }
    await pool([...ids.keys()].filter((i) => i % 4 === 1), 8, async (i) => {
      const res = await request(alive(i).url).delete(`/scim2/Users/${ids.get(i)}`).auth(ADMIN.username, ADMIN.password);
      expect(res.status).toBe(204);
    });

    // The killed instance comes back later and joins in.
    instances[killed] = await start();
    await quiescence(at(0).url, 180_000);
    emu.state.clearFaults();
    await assertInSync(at(1).url, emu, created);
    for (const [i] of [...ids].filter(([i]) => i % 2 === 0 && i % 4 !== 1)) {
      expect(emu.state.usersByUsername(`fault${i}@wso2.com`)?.LastName).toBe(`Final${i}`);
    }
    // Every instance did part of the work.
    const logs = await request(at(0).url).get('/api/server/v1/provisioning/logs').query({ limit: 1000 }).auth(ADMIN.username, ADMIN.password);
    expect(logs.status).toBe(200);
  }, 300_000);

  it('starts three instances at the same moment on an empty database, and refuses a fourth whose secret key cannot open the stored secrets', async () => {
    const started = await Promise.all([0, 1, 2].map(() => start()));
    for (const server of started) {
      const res = await request(server.url).get('/health/ready');
      expect(res.status).toBe(200);
    }
    await configureGuide(started[1]!.url, emu);
    // Every instance sees the configuration and the super admin, whichever wrote them.
    for (const server of started) {
      const idps = await request(server.url).get('/api/server/v1/identity-providers').auth(ADMIN.username, ADMIN.password);
      expect(idps.body.identityProviders?.length ?? idps.body.length).toBeGreaterThan(0);
    }
    const dataDir = tempDir('cluster-wrong-key-');
    const wrong = startServerProcess(tomlFor(dataDir, FAST_RETRIES, randomBytes(32).toString('base64')), dataDir);
    await expect(wrong).rejects.toThrow(/security\.secret_key/);
  }, 120_000);

  it('answers a blocking SCIM request when another instance delivers its job', async () => {
    const front = await start({ ...FAST_RETRIES, worker_enabled: false });
    const back = await start();
    const idp = await request(front.url).post('/api/server/v1/identity-providers').auth(ADMIN.username, ADMIN.password).send(guideIdentityProvider(emu.url, await salesforceCertificatePem()));
    expect(idp.status).toBe(201);
    const resident = { provisioningConfigurations: { outboundProvisioningIdps: [{ ...RESIDENT.provisioningConfigurations.outboundProvisioningIdps[0]!, blocking: true }] } };
    await request(front.url).put('/api/server/v1/applications/resident').auth(ADMIN.username, ADMIN.password).send(resident).expect(200);
    const res = await request(front.url).post('/scim2/Users').auth(ADMIN.username, ADMIN.password).send(scimUser(7));
    expect(res.status).toBe(201);
    expect(res.headers['x-provisioning-status']).toBe('Salesforce.com/salesforce=succeeded');
    expect(emu.state.usersByUsername('fault7@wso2.com')).toBeDefined();
    expect(back.url).not.toBe(front.url);
  }, 120_000);
});
