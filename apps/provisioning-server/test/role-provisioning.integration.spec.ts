import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { GUIDE_PROFILE_ID, RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually } from './support/server-process';

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Groups are local roles: an IdP with provisioning roles receives only their members. */
describe('group and role-based provisioning', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  let groupId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ profiles: [{ id: GUIDE_PROFILE_ID, name: 'Chatter Free User' }, { id: '00e2x000001SALE', name: 'Sales' }] });
    ({ server } = await startGuideServer('roles-'));
    const idp = guideIdentityProvider(emu.url, await salesforceCertificatePem());
    const created = await auth(request(server.url).post('/api/server/v1/identity-providers')).send({
      ...idp,
      roles: { outboundProvisioningRoles: ['sales'], mappings: [{ localRole: 'sales', idpRole: '00e2x000001SALE' }] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    for (const name of ['in', 'out']) {
      const userName = `${name}.role@wso2.com`;
      const res = await auth(request(server.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { familyName: name }, emails: [userName] });
      expect(res.status).toBe(201);
      ids[name] = res.body.id;
    }
    const group = await auth(request(server.url).post('/scim2/Groups')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'sales' });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    groupId = group.body.id;
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  const settle = () => new Promise((r) => setTimeout(r, 800));

  it('provisions nobody outside the role', async () => {
    await settle();
    expect(emu.state.usersByUsername('in.role@wso2.com')).toBeUndefined();
    expect(emu.state.usersByUsername('out.role@wso2.com')).toBeUndefined();
  });

  it('creates a user in Salesforce when added to the role, with the mapped IdP role as ProfileId', async () => {
    const res = await auth(request(server.url).patch(`/scim2/Groups/${groupId}`)).send({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: ids.in }] }] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sf = await eventually(() => emu.state.usersByUsername('in.role@wso2.com'), 10_000, 'role member created');
    expect(sf.IsActive).toBe(true);
    expect(String(sf.ProfileId)).toMatch(/^00e2x000001SALE/);
    const me = await auth(request(server.url).get(`/scim2/Users/${ids.in}`));
    expect(me.body.groups).toEqual([expect.objectContaining({ value: groupId, display: 'sales' })]);
  });

  it('deactivates the user when removed from the role, and never touches users outside it', async () => {
    const res = await auth(request(server.url).patch(`/scim2/Groups/${groupId}`)).send({ schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${ids.in}"]` }] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await eventually(() => (emu.state.usersByUsername('in.role@wso2.com')?.IsActive === false ? true : undefined), 10_000, 'deactivation');
    await auth(request(server.url).patch(`/scim2/Users/${ids.out}`)).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'name.familyName', value: 'Changed' }] }).expect(200);
    await settle();
    expect(emu.state.usersByUsername('out.role@wso2.com')).toBeUndefined();
  });

  it('keeps members provisioned when the role group is renamed (IdP roles follow the rename)', async () => {
    await auth(request(server.url).patch(`/scim2/Groups/${groupId}`)).send({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: ids.in }] }] }).expect(200);
    await eventually(() => (emu.state.usersByUsername('in.role@wso2.com')?.IsActive === true ? true : undefined), 10_000, 'reactivation');
    const renamed = await auth(request(server.url).patch(`/scim2/Groups/${groupId}`)).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Sales Team' }] });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    const idps = await auth(request(server.url).get('/api/server/v1/identity-providers'));
    const idp = await auth(request(server.url).get(`/api/server/v1/identity-providers/${idps.body.identityProviders[0].id}`));
    expect(idp.body.roles).toEqual({ outboundProvisioningRoles: ['Sales Team'], mappings: [{ localRole: 'Sales Team', idpRole: '00e2x000001SALE' }] });
    await settle();
    expect(emu.state.usersByUsername('in.role@wso2.com')).toMatchObject({ IsActive: true });
    expect(String(emu.state.usersByUsername('in.role@wso2.com')?.ProfileId)).toMatch(/^00e2x000001SALE/);
  });

  it('deprovisions a member when the role group is deleted', async () => {
    await auth(request(server.url).delete(`/scim2/Groups/${groupId}`)).expect(204);
    await eventually(() => (emu.state.usersByUsername('in.role@wso2.com')?.IsActive === false ? true : undefined), 10_000, 'deactivation on group delete');
  });

  it('keeps a role whose name has a comma as one role, from the group to the profile', async () => {
    const group = await auth(request(server.url).post('/scim2/Groups')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales, EMEA', members: [{ value: ids.out }] });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    const me = await auth(request(server.url).get(`/scim2/Users/${ids.out}`));
    expect(me.body.groups).toEqual([expect.objectContaining({ value: group.body.id, display: 'Sales, EMEA' })]);
    // Only "Sales, EMEA" provisions, mapped to the Sales profile: its parts "Sales" and "EMEA" would match nothing.
    const idps = await auth(request(server.url).get('/api/server/v1/identity-providers'));
    const idp = idps.body.identityProviders[0];
    const roles = { outboundProvisioningRoles: ['Sales, EMEA'], mappings: [{ localRole: 'Sales, EMEA', idpRole: '00e2x000001SALE' }] };
    const changed = await auth(request(server.url).put(`/api/server/v1/identity-providers/${idp.id}`)).send({ name: idp.name, roles });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.roles).toEqual(roles);
    // The role change starts a run, which provisions the group's member.
    const sf = await eventually(() => emu.state.usersByUsername('out.role@wso2.com'), 20_000, 'member of "Sales, EMEA" created');
    expect(sf.IsActive).toBe(true);
    expect(String(sf.ProfileId)).toMatch(/^00e2x000001SALE/);
  });
});
