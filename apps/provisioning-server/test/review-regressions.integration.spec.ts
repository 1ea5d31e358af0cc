import { rmSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleConnector } from '@provisioning/connector-google';
import type { ConnectorDefinition } from '@provisioning/connector-kit';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { RESIDENT, SF_CLIENT_SECRET, SF_PASSWORD, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually, tempDir } from './support/server-process';

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);
const user = (userName: string, familyName = 'Reg') => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { familyName }, emails: [userName] });

async function boot(dataDir: string, connectors?: readonly ConnectorDefinition[]): Promise<RunningServer> {
  return (await startGuideServer('regress-', { dataDir, connectors, provisioning: { initial_backoff_ms: 100, max_backoff_ms: 300 } })).server;
}

/** Regressions found in review: ordering across re-creation, replays, renames, secrets, keys, input. */
describe('review regressions', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  let dataDir: string;
  let idpId: string;
  let pem: string;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    dataDir = tempDir('regress-');
    server = await boot(dataDir);
    pem = await salesforceCertificatePem();
    const idp = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, pem));
    idpId = idp.body.id;
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('keeps a re-created username active even when the old deprovision had to be retried', async () => {
    const first = await auth(request(server.url).post('/scim2/Users')).send(user('again@wso2.com'));
    await eventually(() => emu.state.usersByUsername('again@wso2.com'), 10_000, 'create');
    emu.state.injectFault({ method: 'PATCH', path: '/sobjects/User/', times: 1, action: { type: 'status', status: 503 } });
    await auth(request(server.url).delete(`/scim2/Users/${first.body.id}`)).expect(204);
    await auth(request(server.url).post('/scim2/Users')).send(user('again@wso2.com', 'Second')).expect(201);
    await eventually(async () => {
      const jobs = await auth(request(server.url).get('/api/server/v1/provisioning/jobs').query({ user: 'again@wso2.com' }));
      return jobs.body.every((j: { state: string }) => j.state === 'succeeded') ? true : undefined;
    }, 15_000, 'all jobs done');
    expect(emu.state.usersByUsername('again@wso2.com')).toMatchObject({ IsActive: true, LastName: 'Second' });
  });

  it('refuses to replay a job that a later job of the same user superseded', async () => {
    emu.state.injectFault({ method: 'POST', path: '/sobjects/User$', times: 1, action: { type: 'error-code', errorCode: 'STRING_TOO_LONG', status: 400 } });
    const created = await auth(request(server.url).post('/scim2/Users')).send(user('stale@wso2.com'));
    const failed = await eventually(async () => {
      const jobs = await auth(request(server.url).get('/api/server/v1/provisioning/jobs').query({ user: 'stale@wso2.com', state: 'failed' }));
      return jobs.body[0] as { id: number } | undefined;
    }, 10_000, 'failed create');
    await auth(request(server.url).delete(`/scim2/Users/${created.body.id}`)).expect(204);
    const retry = await auth(request(server.url).post(`/api/server/v1/provisioning/jobs/${failed.id}/retry`));
    expect(retry.status).toBe(409);
    expect(retry.body.message).toMatch(/superseded by job/);
  });

  it('two local users sharing one email do not share one Salesforce account', async () => {
    // Username from the email claim (the guide's mapping): both users map to the same remote username.
    // The two creates may be delivered in parallel, so either user can win the account; the other is
    // refused before anything is written to the winner's account.
    await auth(request(server.url).post('/scim2/Users')).send({ ...user('first.owner@wso2.com', 'First'), emails: ['shared@wso2.com'] }).expect(201);
    await auth(request(server.url).post('/scim2/Users')).send({ ...user('second.owner@wso2.com', 'Second'), emails: ['shared@wso2.com'] }).expect(201);
    type Job = { entityName: string; state: string; lastError?: { remoteCode: string } };
    const settled = await eventually(async () => {
      const jobs: Job[] = [];
      for (const name of ['first.owner@wso2.com', 'second.owner@wso2.com']) {
        const res = await auth(request(server.url).get('/api/server/v1/provisioning/jobs').query({ user: name }));
        jobs.push(...(res.body as Job[]));
      }
      return jobs.length === 2 && jobs.every((j) => j.state === 'succeeded' || j.state === 'failed') ? jobs : undefined;
    }, 10_000, 'both creates settled');
    const winner = settled.find((j) => j.state === 'succeeded');
    const loser = settled.find((j) => j.state === 'failed');
    expect(winner, JSON.stringify(settled)).toBeDefined();
    expect(loser?.lastError?.remoteCode).toBe('REMOTE_ACCOUNT_IN_USE');
    const account = emu.state.usersByUsername('shared@wso2.com');
    expect(account?.LastName).toBe(winner!.entityName.startsWith('first') ? 'First' : 'Second');
  });

  it('keeps provisioning to an IdP after it is renamed', async () => {
    const patch = await auth(request(server.url).patch(`/api/server/v1/identity-providers/${idpId}`)).send([{ operation: 'REPLACE', path: '/name', value: 'SFDC' }]);
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    const resident = await auth(request(server.url).get('/api/server/v1/applications/resident'));
    expect(resident.body.provisioningConfigurations.outboundProvisioningIdps[0].idp).toBe('SFDC');
    await auth(request(server.url).post('/scim2/Users')).send(user('renamed@wso2.com')).expect(201);
    await eventually(() => emu.state.usersByUsername('renamed@wso2.com'), 10_000, 'delivery after rename');
  });

  it('uses the new configuration when a connector is removed and added again', async () => {
    const other = await startSalesforceEmulator();
    try {
      const url = `/api/server/v1/identity-providers/${idpId}/provisioning/outbound-connectors`;
      await auth(request(server.url).put(url)).send({ connectors: [] }).expect(200);
      const fresh = guideIdentityProvider(other.url, pem).provisioning.outboundConnectors.connectors;
      await auth(request(server.url).put(url)).send({ connectors: fresh }).expect(200);
      await auth(request(server.url).post('/scim2/Users')).send(user('moved@wso2.com')).expect(201);
      await eventually(() => other.state.usersByUsername('moved@wso2.com'), 10_000, 'delivery to the new org');
      expect(emu.state.usersByUsername('moved@wso2.com')).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('does not read text/plain bodies (cross-site forms) and hides whether a tenant exists', async () => {
    const res = await auth(request(server.url).post('/scim2/Users')).set('Content-Type', 'text/plain').send(JSON.stringify(user('csrf@wso2.com')));
    expect(res.status).toBe(400);
    const tenant = await request(server.url).get('/t/nosuch.com/scim2/Users').auth('admin@nosuch.com', 'x');
    expect(tenant.status).toBe(401);
  });

  it('rejects bad operator query values with 400, not 500', async () => {
    for (const limit of ['abc', '1.5', '-1', '0']) {
      const res = await auth(request(server.url).get('/api/server/v1/provisioning/jobs').query({ limit }));
      expect(res.status, limit).toBe(400);
    }
    expect((await auth(request(server.url).get('/scim2/Users').query({ startIndex: '1e20' }))).status).toBe(200);
    expect((await auth(request(server.url).get('/scim2/Users').query({ count: 'x' }))).status).toBe(400);
  });

  it('never shows stored secrets, even for a connector type the server no longer offers', async () => {
    const dir = tempDir('regress-secrets-');
    const first = await boot(dir);
    const created = await auth(request(first.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, pem));
    await first.close();
    const second = await boot(dir, [googleConnector as ConnectorDefinition]);
    try {
      const res = await auth(request(second.url).get(`/api/server/v1/identity-providers/${created.body.id}`));
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(SF_CLIENT_SECRET);
      expect(JSON.stringify(res.body)).not.toContain(SF_PASSWORD);
    } finally {
      await second.close();
    }
  });

  it('refuses to start when the key that sealed stored secrets is missing', async () => {
    const dir = tempDir('regress-key-');
    const first = await boot(dir);
    await auth(request(first.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, pem)).expect(201);
    await first.close();
    rmSync(join(dir, 'secret.key'));
    await expect(boot(dir)).rejects.toThrow(/secret_key_file .* is missing/);
  });
});
