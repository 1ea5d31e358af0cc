import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually } from './support/server-process';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const admin = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);

/** /Me is self-service only; deactivation signs out and deprovisions; the super admin is protected. */
describe('self-service, deactivation and the super admin', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  let userId: string;
  const me = { username: 'mallory@wso2.com', password: 'mallory1' };
  const asMe = (r: request.Test) => r.auth(me.username, me.password);

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    ({ server } = await startGuideServer('self-'));
    await admin(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, await salesforceCertificatePem())).expect(201);
    await admin(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    const created = await admin(request(server.url).post('/scim2/Users')).send({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: me.username,
      password: me.password,
      name: { familyName: 'M' },
      emails: [me.username],
    });
    expect(created.status).toBe(201);
    userId = created.body.id;
    await eventually(() => emu.state.usersByUsername(me.username), 10_000, 'provisioned');
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('lets a user change their own profile through /Me', async () => {
    const res = await asMe(request(server.url).patch('/scim2/Me')).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'name.givenName', value: 'Mal' }] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.name.givenName).toBe('Mal');
  });

  it('refuses self-service changes to roles, emails, userName or active, and self-deletion', async () => {
    for (const op of [
      { op: 'add', path: 'roles', value: [{ value: 'sales' }] },
      { op: 'replace', path: 'emails', value: [{ value: 'ceo@wso2.com', primary: true }] },
      { op: 'replace', path: 'userName', value: 'ceo@wso2.com' },
      { op: 'replace', path: 'active', value: true },
    ]) {
      const res = await asMe(request(server.url).patch('/scim2/Me')).send({ schemas: [PATCH], Operations: [op] });
      expect(res.status, `${op.path}: ${JSON.stringify(res.body)}`).toBe(403);
    }
    const put = await asMe(request(server.url).put('/scim2/Me')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: me.username, emails: [{ value: 'ceo@wso2.com' }] });
    expect(put.status).toBe(403);
    // The same data with keys in another order is not a change.
    const current = (await asMe(request(server.url).get('/scim2/Me'))).body;
    const reordered = await asMe(request(server.url).put('/scim2/Me')).send({
      schemas: current.schemas,
      userName: current.userName,
      emails: current.emails.map((e: Record<string, unknown>) => Object.fromEntries(Object.entries(e).reverse())),
      name: { ...current.name, familyName: 'M2' },
    });
    expect(reordered.status, JSON.stringify(reordered.body)).toBe(200);
    expect((await asMe(request(server.url).delete('/scim2/Me'))).status).toBe(403);
    expect((await asMe(request(server.url).get('/scim2/Users'))).status).toBe(403);
  });

  it('signs a deactivated user out and deactivates them in Salesforce; reactivation brings both back', async () => {
    await admin(request(server.url).patch(`/scim2/Users/${userId}`)).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] }).expect(200);
    expect((await asMe(request(server.url).get('/scim2/Me'))).status).toBe(401);
    await eventually(() => (emu.state.usersByUsername(me.username)?.IsActive === false ? true : undefined), 10_000, 'remote deactivation');
    await admin(request(server.url).patch(`/scim2/Users/${userId}`)).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] }).expect(200);
    expect((await asMe(request(server.url).get('/scim2/Me'))).status).toBe(200);
    await eventually(() => (emu.state.usersByUsername(me.username)?.IsActive === true ? true : undefined), 10_000, 'remote reactivation');
  });

  it('protects the super admin: no rename, no deletion, no taking its name', async () => {
    const list = await admin(request(server.url).get('/scim2/Users').query({ filter: `userName eq "${ADMIN.username}"` }));
    const adminId = list.body.Resources[0].id;
    const rename = await admin(request(server.url).patch(`/scim2/Users/${adminId}`)).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'userName', value: 'other@wso2.com' }] });
    expect(rename.status).toBe(403);
    expect((await admin(request(server.url).delete(`/scim2/Users/${adminId}`))).status).toBe(403);
    const deactivate = await admin(request(server.url).patch(`/scim2/Users/${adminId}`)).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(deactivate.status).toBe(403);
    const take = await admin(request(server.url).patch(`/scim2/Users/${userId}`)).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'userName', value: 'ADMIN@wso2.com' }] });
    expect(take.status).toBe(409);
  });

  it('locks a name out after repeated failed sign-ins (429 with Retry-After), without touching others', async () => {
    for (let i = 0; i < 10; i += 1) {
      expect((await request(server.url).get('/scim2/Me').auth(me.username, 'wrong')).status).toBe(401);
    }
    const locked = await request(server.url).get('/scim2/Me').auth(me.username, me.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await admin(request(server.url).get('/scim2/Me'))).status).toBe(200);
  });
});
