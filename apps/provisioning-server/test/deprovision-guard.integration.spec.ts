import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually, runsSettled } from './support/server-process';

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);
const JOBS = '/api/server/v1/provisioning/jobs';
const scimUser = (userName: string, groups = false) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { familyName: 'Guarded' }, emails: [userName], ...(groups ? {} : {}) });

interface Job {
  id: number;
  state: string;
  entityName: string;
  operation: string;
  lastError?: { kind: string; message: string };
}

/**
 * The deprovisioning guard (issue 12, item 4): past the threshold within the window, deprovisions
 * (from deletes, role changes or a run's plan) wait as `held` until an administrator approves
 * (sent) or rejects (discarded, remote accounts untouched); the decision is logged with its author.
 */
describe('deprovisioning guard', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  afterEach(async () => {
    await server?.close();
    await emu?.close();
  });

  async function boot(threshold: number): Promise<void> {
    emu = await startSalesforceEmulator();
    server = (await startGuideServer('guard-', { provisioning: { deprovision_threshold: threshold, deprovision_window_minutes: 60 } })).server;
    await auth(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, await salesforceCertificatePem())).expect(201);
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    // The target's automatic run (nothing to do yet) finishes before the deprovisions are counted.
    await runsSettled(server.url);
  }
  async function createUsers(prefix: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) ids.push((await auth(request(server.url).post('/scim2/Users')).send(scimUser(`${prefix}${i}@wso2.com`))).body.id as string);
    await eventually(() => (emu.state.usersByUsername(`${prefix}${n - 1}@wso2.com`) ? true : undefined), 10_000, 'provisioned');
    return ids;
  }
  const jobs = async (query: Record<string, string>) => (await auth(request(server.url).get(JOBS)).query(query)).body as Job[];
  const active = (name: string) => emu.state.usersByUsername(name)?.IsActive;

  it('holds deletes past the threshold; approve sends them, with who approved in the log', async () => {
    await boot(3);
    const ids = await createUsers('del', 5);
    for (const id of ids) await auth(request(server.url).delete(`/scim2/Users/${id}`)).expect(204);
    const held = await eventually(async () => {
      const h = await jobs({ state: 'held' });
      const done = (await jobs({ state: 'succeeded' })).filter((j) => j.operation === 'deprovision');
      return h.length === 2 && done.length === 3 ? h : undefined;
    }, 10_000, 'three sent, two held');
    expect(held[0]!.lastError?.message).toMatch(/deprovisioning guard/);
    for (const j of held) expect(active(j.entityName)).toBe(true);

    const approve = await auth(request(server.url).post('/api/server/v1/provisioning/held/approve')).send({ idp: 'Salesforce.com' });
    expect(approve.status).toBe(200);
    expect(approve.body).toEqual({ count: 2 });
    await eventually(() => (held.every((j) => active(j.entityName) === false) ? true : undefined), 10_000, 'approved deprovisions sent');
    const logs = await auth(request(server.url).get('/api/server/v1/provisioning/logs')).query({ user: held[0]!.entityName });
    expect(logs.body).toContainEqual(expect.objectContaining({ outcome: 'held-approved', remoteMessage: `approved by ${ADMIN.username}` }));
  });

  it('reject discards held deprovisions and leaves the accounts as they are', async () => {
    await boot(1);
    const ids = await createUsers('rej', 3);
    for (const id of ids) await auth(request(server.url).delete(`/scim2/Users/${id}`)).expect(204);
    const held = await eventually(async () => {
      const h = await jobs({ state: 'held' });
      return h.length === 2 ? h : undefined;
    }, 10_000, 'two held');
    const reject = await auth(request(server.url).post('/api/server/v1/provisioning/held/reject')).send({ idp: 'Salesforce.com', connector: 'salesforce' });
    expect(reject.body).toEqual({ count: 2 });
    for (const j of held) expect(active(j.entityName)).toBe(true);
    expect((await jobs({ state: 'discarded' })).map((j) => j.id).sort()).toEqual(held.map((j) => j.id).sort());
    const logs = await auth(request(server.url).get('/api/server/v1/provisioning/logs')).query({ user: held[0]!.entityName });
    expect(logs.body).toContainEqual(expect.objectContaining({ outcome: 'held-rejected', remoteMessage: `rejected by ${ADMIN.username}` }));
    // Nothing more to decide.
    expect((await auth(request(server.url).post('/api/server/v1/provisioning/held/approve')).send({ idp: 'Salesforce.com' })).body).toEqual({ count: 0 });
  });

  it('holds deactivations and role-driven deprovisions the same way', async () => {
    await boot(1);
    const ids = await createUsers('deact', 3);
    for (const id of ids) {
      await auth(request(server.url).patch(`/scim2/Users/${id}`))
        .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })
        .expect(200);
    }
    await eventually(async () => ((await jobs({ state: 'held' })).length === 2 ? true : undefined), 10_000, 'two deactivations held');
  });

  it('holds every deprovision of a run whose plan crosses the threshold', async () => {
    await boot(2);
    const ids = await createUsers('orph', 4);
    // Deactivated locally while the target was not on the resident SP: their accounts stay active
    // remotely, and a run finds them orphaned.
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send({ provisioningConfigurations: { outboundProvisioningIdps: [] } }).expect(200);
    for (const id of ids) {
      await auth(request(server.url).patch(`/scim2/Users/${id}`))
        .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })
        .expect(200);
    }
    // Putting the target back starts an applied run (target-added) that finds them orphaned.
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    const run = await eventually(async () => {
      const runs = (await auth(request(server.url).get('/api/server/v1/provisioning/runs'))).body as Array<{ trigger: string; state: string; situations: Record<string, number>; actions: Record<string, number> }>;
      const added = runs.filter((r) => r.trigger === 'target-added');
      return added.length === 2 && added[0]!.state === 'succeeded' ? added[0] : undefined;
    }, 15_000, 'the run');
    expect(run.situations.orphaned).toBe(4);
    expect(run.actions).toMatchObject({ deprovision: 0, held: 4 });
    expect(await jobs({ state: 'held' })).toHaveLength(4);
    for (let i = 0; i < 4; i += 1) expect(active(`orph${i}@wso2.com`)).toBe(true);
  });

  it('answers bad decisions with 4xx', async () => {
    await boot(1);
    expect((await auth(request(server.url).post('/api/server/v1/provisioning/held/approve')).send({})).status).toBe(400);
    expect((await auth(request(server.url).post('/api/server/v1/provisioning/held/approve')).send({ idp: 'Nope' })).status).toBe(404);
    expect((await auth(request(server.url).post('/api/server/v1/provisioning/held/reject')).send({ idp: 'Salesforce.com', connector: 'google' })).status).toBe(400);
  });
});
