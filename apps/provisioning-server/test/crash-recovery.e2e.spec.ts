import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { ADMIN, eventually, guideToml, startServerProcess, tempDir } from './support/server-process';
import type { ServerProcess } from './support/server-process';

function scimUser(username: string) {
  return { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: username, password: 'secret123', name: { familyName: 'Crash' }, emails: [username] };
}

async function configure(server: ServerProcess, emu: RunningEmulator): Promise<void> {
  const idp = await request(server.url).post('/api/server/v1/identity-providers').auth(ADMIN.username, ADMIN.password).send(guideIdentityProvider(emu.url, await salesforceCertificatePem()));
  expect(idp.status, JSON.stringify(idp.body)).toBe(201);
  const resident = await request(server.url).put('/api/server/v1/applications/resident').auth(ADMIN.username, ADMIN.password).send(RESIDENT);
  expect(resident.status).toBe(200);
}

function salesforceUsers(emu: RunningEmulator, username: string) {
  return [...emu.state.users.values()].filter((u) => u.Username.toLowerCase() === username);
}

/** SIGKILL after the SCIM 201: on restart the user reaches Salesforce exactly once. */
describe('crash safety', () => {
  let emu: RunningEmulator;
  let servers: ServerProcess[] = [];

  beforeEach(async () => {
    emu = await startSalesforceEmulator();
    servers = [];
  });
  afterEach(async () => {
    for (const s of servers) await s.stop('SIGKILL');
    await emu.close();
  });

  it('delivers a change committed before the crash when the worker had not started it', async () => {
    const dataDir = tempDir('crash-a-');
    const first = await startServerProcess(guideToml(dataDir, 'worker_enabled = false\n'), dataDir);
    servers.push(first);
    await configure(first, emu);
    const created = await request(first.url).post('/scim2/Users').auth(ADMIN.username, ADMIN.password).send(scimUser('crash.a@wso2.com'));
    expect(created.status).toBe(201);
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    expect(salesforceUsers(emu, 'crash.a@wso2.com')).toHaveLength(0);

    const second = await startServerProcess(guideToml(dataDir), dataDir);
    servers.push(second);
    await eventually(() => (salesforceUsers(emu, 'crash.a@wso2.com').length > 0 ? true : undefined), 20_000, 'delivery after restart');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(salesforceUsers(emu, 'crash.a@wso2.com')).toHaveLength(1);
  });

  it('redelivers, exactly once, a create whose outbound call was in flight when the process was killed', async () => {
    const dataDir = tempDir('crash-b-');
    const toml = guideToml(dataDir, 'lease_seconds = 2\n');
    const first = await startServerProcess(toml, dataDir);
    servers.push(first);
    await configure(first, emu);
    emu.state.injectFault({ method: 'POST', path: '/sobjects/User$', times: 1, action: { type: 'hang' } });
    const created = await request(first.url).post('/scim2/Users').auth(ADMIN.username, ADMIN.password).send(scimUser('crash.b@wso2.com'));
    expect(created.status).toBe(201);
    await eventually(() => (emu.state.requestLog.some((r) => r.method === 'POST' && r.path.endsWith('/sobjects/User')) ? true : undefined), 10_000, 'the outbound call in flight');
    await first.stop('SIGKILL');
    expect(salesforceUsers(emu, 'crash.b@wso2.com')).toHaveLength(0);

    const second = await startServerProcess(toml, dataDir);
    servers.push(second);
    await eventually(() => (salesforceUsers(emu, 'crash.b@wso2.com').length > 0 ? true : undefined), 20_000, 'delivery after restart');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(salesforceUsers(emu, 'crash.b@wso2.com')).toHaveLength(1);
    const status = await request(second.url).get('/scim2/Users').query({ filter: 'userName eq "crash.b@wso2.com"' }).auth(ADMIN.username, ADMIN.password);
    expect(status.body.totalResults).toBe(1);
  });
});
