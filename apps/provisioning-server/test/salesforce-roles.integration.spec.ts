import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { GUIDE_ROWS, RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually, runsSettled } from './support/server-process';

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);
const RUNS = '/api/server/v1/provisioning/runs';

/**
 * Salesforce entitlements converge (issue 12, item 7): role mappings name their target field:
 * `UserRole` (a role by DeveloperName; written as UserRoleId) and `PermissionSets` (API names;
 * PermissionSetAssignment records added and removed as local roles come and go, hand-made
 * assignments kept). A run finds a role or a set changed in the org (drifted) and repairs it.
 */
describe('Salesforce roles and permission sets through role mappings', () => {
  let emu: RunningEmulator;
  let server: RunningServer;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    server = (await startGuideServer('sf-roles-')).server;
    const idp = guideIdentityProvider(emu.url, await salesforceCertificatePem());
    // The profile comes from its default here; the role claim gives the Salesforce role.
    const rows = GUIDE_ROWS.map(([field, claim, value]) => [field, field === 'ProfileId' ? 'http://wso2.org/claims/nickname' : claim, value] as const);
    const body = {
      ...idp,
      claims: {
        ...idp.claims,
        mappings: rows.map(([idpClaim, localClaim]) => ({ idpClaim, localClaim: { uri: localClaim } })),
        provisioningClaims: rows.map(([uri, , defaultValue]) => ({ claim: { uri }, defaultValue })),
      },
      roles: {
        outboundProvisioningRoles: [],
        mappings: [
          { localRole: 'sales', idpRole: 'SalesRep', field: 'UserRole' },
          { localRole: 'sales', idpRole: 'Sales_Ops', field: 'PermissionSets' },
          { localRole: 'marketing', idpRole: 'Marketing_User', field: 'PermissionSets' },
        ],
      },
    };
    idpBody = body;
    idpId = (await auth(request(server.url).post('/api/server/v1/identity-providers')).send(body).expect(201)).body.id;
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    await runsSettled(server.url);
  });
  const sets = (username: string): string[] => {
    const id = emu.state.usersByUsername(username)?.Id;
    if (!id) return [];
    return emu.state
      .assignmentsOf(id)
      .map((a) => emu.state.permissionSets.get(a.PermissionSetId)!)
      .filter((s) => !s.IsOwnedByProfile)
      .map((s) => s.Name)
      .sort();
  };
  let idpId: string;
  let idpBody: { roles: { outboundProvisioningRoles: string[]; mappings: Array<{ localRole: string; idpRole: string; field?: string }> } };

  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('gives a member of "sales" the SalesRep role, and a run repairs a role changed in the org', async () => {
    const user = await auth(request(server.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'rep@wso2.com', name: { familyName: 'Rep', givenName: 'Rita' }, emails: ['rep@wso2.com'] }).expect(201);
    await auth(request(server.url).post('/scim2/Groups')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'sales', members: [{ value: user.body.id }] }).expect(201);
    const salesRep = emu.state.roleByDeveloperName('SalesRep')!.Id;
    await eventually(() => (sets('rep@wso2.com').join() === 'Sales_Ops' ? true : undefined), 10_000, 'the permission set');
    await eventually(() => (emu.state.usersByUsername('rep@wso2.com')?.UserRoleId === salesRep ? true : undefined), 10_000, 'the role to be set');

    emu.state.putUser({ ...emu.state.usersByUsername('rep@wso2.com')!, UserRoleId: emu.state.roleByDeveloperName('CEO')!.Id });
    const started = await auth(request(server.url).post(RUNS)).send({ idp: 'Salesforce.com', dryRun: false });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const run = await eventually(async () => {
      const res = await auth(request(server.url).get(`${RUNS}/${started.body.id}`));
      return res.body.state === 'succeeded' ? res.body : undefined;
    }, 20_000, 'the run');
    expect(run.actions).toMatchObject({ update: 1, failed: 0 });
    const items = (await auth(request(server.url).get(`${RUNS}/${run.id}/items`)).query({ situation: 'drifted' })).body.items;
    expect(items).toEqual([expect.objectContaining({ user: 'rep@wso2.com', fields: [{ field: 'UserRole', local: 'SalesRep', remote: 'CEO' }], outcome: 'succeeded' })]);
    expect(emu.state.usersByUsername('rep@wso2.com')?.UserRoleId).toBe(salesRep);
  });

  it('adds and removes permission sets as groups come and go, keeps hand-made assignments, and a run repairs a set removed in the org', async () => {
    const user = await auth(request(server.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'mark@wso2.com', name: { familyName: 'Mark', givenName: 'Mo' }, emails: ['mark@wso2.com'] }).expect(201);
    const group = (displayName: string) => auth(request(server.url).post('/scim2/Groups')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: [{ value: user.body.id }] }).expect(201);
    const sales = await group('sales2');
    // A mapping added later: the config-changed run gives the existing member the set.
    const mappings = [...idpBody.roles.mappings, { localRole: 'sales2', idpRole: 'API_Only', field: 'PermissionSets' }];
    await auth(request(server.url).put(`/api/server/v1/identity-providers/${idpId}`)).send({ ...idpBody, roles: { ...idpBody.roles, mappings } }).expect(200);
    // Runs so far: target-added, the first test's, this config-changed one.
    await runsSettled(server.url, 3);
    await eventually(() => (sets('mark@wso2.com').join() === 'API_Only' ? true : undefined), 15_000, 'API_Only through the mapping added later');
    await group('marketing');
    await eventually(() => (sets('mark@wso2.com').join() === 'API_Only,Marketing_User' ? true : undefined), 10_000, 'Marketing_User added');

    // An administrator assigns a set no mapping names, by hand in Salesforce: never removed.
    const markId = emu.state.usersByUsername('mark@wso2.com')!.Id;
    emu.state.addPermissionSet({ name: 'Hand_Made' });
    emu.state.putAssignment({ Id: '0Pa5x00000HAND1AAA', AssigneeId: markId, PermissionSetId: emu.state.permissionSetByName('Hand_Made')!.Id } as never);

    await auth(request(server.url).patch(`/scim2/Groups/${sales.body.id}`))
      .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove', path: `members[value eq "${user.body.id}"]` }] })
      .expect(200);
    await eventually(() => (sets('mark@wso2.com').join() === 'Hand_Made,Marketing_User' ? true : undefined), 10_000, 'API_Only removed, the hand-made set kept');

    // Marketing_User removed in the org: a run reports the drift and puts it back.
    const marketing = emu.state.assignmentFor(markId, emu.state.permissionSetByName('Marketing_User')!.Id)!;
    emu.state.removeAssignment(marketing.Id);
    const started = await auth(request(server.url).post(RUNS)).send({ idp: 'Salesforce.com', dryRun: false, users: ['mark@wso2.com'] }).expect(202);
    const run = await eventually(async () => {
      const res = await auth(request(server.url).get(`${RUNS}/${started.body.id}`));
      return res.body.state === 'succeeded' ? res.body : undefined;
    }, 20_000, 'the run');
    const items = (await auth(request(server.url).get(`${RUNS}/${run.id}/items`)).query({ situation: 'drifted' })).body.items;
    expect(items).toEqual([expect.objectContaining({ user: 'mark@wso2.com', fields: [{ field: 'PermissionSets', local: ['Marketing_User'], remote: [] }], outcome: 'succeeded' })]);
    expect(sets('mark@wso2.com')).toEqual(['Hand_Made', 'Marketing_User']);
  });
});
