import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { scimUserToLocalClaims } from '@provisioning/claims';
import { openDatabase } from '@provisioning/persistence';
import { testDatabaseUrl } from '@provisioning/persistence/testing';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { validateResource } from '@provisioning/scim';
import { UserRepository } from '@provisioning/user-store';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { ADMIN, eventually, guideToml, startServerProcess, tempDir } from './support/server-process';
import type { ServerProcess } from './support/server-process';

const USERS = 1200;
const RUNS = '/api/server/v1/provisioning/runs';
const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);

/**
 * A run survives SIGKILL (issue 12, item 2): the server is killed while an applied run is creating
 * accounts; the restarted server resumes the run, and afterwards every local user has exactly one
 * Salesforce account, the one its identity names.
 */
describe('reconciliation run and SIGKILL', () => {
  let emu: RunningEmulator | undefined;
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    await emu?.close();
  });

  it('resumes a killed initial sync (started by adding the target) and never creates a second account', async () => {
    // Slow enough answers that the kill lands while the run's jobs are being delivered.
    emu = await startSalesforceEmulator({ latencyMs: 40, licenses: USERS + 100 });
    const dataDir = tempDir('run-crash-');
    const toml = guideToml(dataDir, '', { lease_seconds: 2, target_concurrency: 2, batch_size: 50 });
    const first = await startServerProcess(toml, dataDir);
    servers.push(first);
    const idp = guideIdentityProvider(emu.url, await salesforceCertificatePem());
    idp.provisioning.outboundConnectors.connectors[0]!.properties.find((p) => p.key === 'sf-api-version')!.value = 'v60.0';
    expect((await auth(request(first.url).post('/api/server/v1/identity-providers')).send(idp)).status).toBe(201);

    const database = await openDatabase(testDatabaseUrl(dataDir, dataDir));
    try {
      const repository = new UserRepository(database);
      await database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < USERS; i += 1) {
          const userName = `crashrun${i}@wso2.com`;
          const { resource } = validateResource({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: 'G', familyName: `F${i}` }, emails: [userName] }, 'User', { mode: 'create' });
          await repository.insert(trx, { tenant: 'carbon.super', username: userName, passwordHash: null, resource, claims: scimUserToLocalClaims(resource), roles: [] });
        }
      });
    } finally {
      await database.close();
    }
    // Adding the target starts the initial sync on its own: an applied run with trigger target-added.
    await auth(request(first.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    const runId = await eventually(async () => {
      const runs = (await auth(request(first.url).get(RUNS))).body as Array<{ id: string; trigger: string; dryRun: boolean }>;
      return runs.find((r) => r.trigger === 'target-added' && !r.dryRun)?.id;
    }, 10_000, 'the target-added run');

    // Kill once some, but not all, accounts exist.
    await eventually(() => (emu!.state.users.size > 200 ? true : undefined), 60_000, 'the run to start creating');
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    const atKill = emu.state.users.size;
    expect(atKill).toBeLessThan(USERS);

    const second = await startServerProcess(toml, dataDir);
    servers.push(second);
    const run = await eventually(async () => {
      const res = await auth(request(second.url).get(`${RUNS}/${runId}`));
      return ['succeeded', 'failed', 'cancelled'].includes(res.body.state) ? res.body : undefined;
    }, 120_000, 'the resumed run to finish');
    expect(run.state, run.error ?? '').toBe('succeeded');

    // Exactly one account per local user (the super admin is never provisioned), each the one its identity names.
    const accounts = [...emu.state.users.values()].filter((u) => /^crashrun\d+@wso2\.com$/.test(u.Username));
    expect(accounts).toHaveLength(USERS);
    expect(new Set(accounts.map((a) => a.Username.toLowerCase())).size).toBe(USERS);
    for (const i of [0, Math.floor(USERS / 2), USERS - 1]) {
      const status = await auth(request(second.url).get('/api/server/v1/provisioning/status')).query({ user: `crashrun${i}@wso2.com` });
      expect(status.body.connectors[0]).toMatchObject({ state: 'provisioned', remoteId: emu.state.usersByUsername(`crashrun${i}@wso2.com`)!.Id });
    }
    // A fresh dry run finds everyone in sync.
    const check = await auth(request(second.url).post(RUNS)).send({ idp: 'Salesforce.com' });
    const checked = await eventually(async () => {
      const res = await auth(request(second.url).get(`${RUNS}/${check.body.id}`));
      return res.body.state === 'succeeded' ? res.body : undefined;
    }, 60_000, 'the check run');
    expect(checked.situations).toMatchObject({ missing: 0, drifted: 0, unlinked: 0, 'in-sync': USERS });
  });
});
