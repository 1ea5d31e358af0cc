import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { GUIDE_ROWS, RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN } from './support/server-process';

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);
const scimUser = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { familyName: 'Family', givenName: 'Given' }, emails: [userName] });

/** Impact of an IdP change (issue 12, item 5): counts and per-field samples, and no side effect. */
describe('impact preview of an identity provider change', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  let idpId: string;
  let body: ReturnType<typeof guideIdentityProvider>;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    server = (await startGuideServer('impact-', { provisioning: { worker_enabled: false } })).server;
    body = guideIdentityProvider(emu.url, await salesforceCertificatePem());
    const idp = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(body);
    idpId = idp.body.id;
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    const ids: string[] = [];
    for (const name of ['one@wso2.com', 'two@wso2.com', 'three@wso2.com']) ids.push((await auth(request(server.url).post('/scim2/Users')).send(scimUser(name))).body.id);
    await auth(request(server.url).post('/scim2/Groups')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'sales', members: [{ value: ids[0] }] }).expect(201);
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  const impact = (idpBody: object) => auth(request(server.url).post(`/api/server/v1/identity-providers/${idpId}/provisioning/impact`)).send(idpBody);
  const jobCount = async () => ((await auth(request(server.url).get('/api/server/v1/provisioning/jobs')).query({ limit: 1000 })).body as unknown[]).length;

  it('counts the updates a mapping change makes, with the fields that change for each user', async () => {
    const jobsBefore = await jobCount();
    const changed = structuredClone(body);
    changed.claims.mappings = GUIDE_ROWS.map(([idpClaim, localClaim]) => ({ idpClaim, localClaim: { uri: idpClaim === 'LastName' ? 'http://wso2.org/claims/givenname' : localClaim } }));
    const res = await impact(changed);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The three users are in scope (the super admin is never provisioned out).
    expect(res.body).toMatchObject({ usersInScope: 3, creates: 0, updates: 3, deprovisions: 0 });
    expect(res.body.sample).toContainEqual({ user: 'two@wso2.com', action: 'update', fields: [{ field: 'LastName', from: 'Family', to: 'Given' }] });
    // Nothing saved, nothing queued.
    const idp = await auth(request(server.url).get(`/api/server/v1/identity-providers/${idpId}`));
    expect(JSON.stringify(idp.body.claims)).not.toMatch(/"LastName","localClaim":\{"uri":"http:\/\/wso2.org\/claims\/givenname"/);
    expect(await jobCount()).toBe(jobsBefore);
  });

  it('counts the deprovisions a provisioning role makes, and nothing for an unchanged body', async () => {
    const scoped = { ...structuredClone(body), roles: { outboundProvisioningRoles: ['sales'], mappings: [] } };
    const res = await impact(scoped);
    expect(res.body).toMatchObject({ usersInScope: 1, creates: 0, updates: 0, deprovisions: 2 });
    expect(res.body.sample.filter((s: { action: string }) => s.action === 'deprovision').map((s: { user: string }) => s.user).sort()).toEqual(['three@wso2.com', 'two@wso2.com']);
    expect((await impact(body)).body).toMatchObject({ usersInScope: 3, creates: 0, updates: 0, deprovisions: 0, sample: [] });
  });

  it('answers a bad body with 400 and an unknown IdP with 404', async () => {
    expect((await impact({ name: 'x', claims: 'nope' })).status).toBe(400);
    expect((await auth(request(server.url).post('/api/server/v1/identity-providers/no-such-idp/provisioning/impact')).send(body)).status).toBe(404);
  });
});
