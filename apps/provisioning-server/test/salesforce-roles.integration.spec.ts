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
const ROLE_CLAIM = 'http://wso2.org/claims/role';

/**
 * Salesforce roles converge (issue 12, item 7, the role part): the IdP maps `UserRole` from the
 * local role claim, its role mappings name roles by DeveloperName; provisioning writes UserRoleId,
 * and a run finds a role changed in the org (drifted, UserRole local vs remote) and repairs it.
 */
describe('Salesforce roles through role mappings', () => {
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
        mappings: [...rows.map(([idpClaim, localClaim]) => ({ idpClaim, localClaim: { uri: localClaim } })), { idpClaim: 'UserRole', localClaim: { uri: ROLE_CLAIM } }],
        provisioningClaims: [...rows.map(([uri, , defaultValue]) => ({ claim: { uri }, defaultValue })), { claim: { uri: 'UserRole' } }],
      },
      roles: { outboundProvisioningRoles: [], mappings: [{ localRole: 'sales', idpRole: 'SalesRep' }] },
    };
    await auth(request(server.url).post('/api/server/v1/identity-providers')).send(body).expect(201);
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    await runsSettled(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('gives a member of "sales" the SalesRep role, and a run repairs a role changed in the org', async () => {
    const user = await auth(request(server.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'rep@wso2.com', name: { familyName: 'Rep', givenName: 'Rita' }, emails: ['rep@wso2.com'] }).expect(201);
    await auth(request(server.url).post('/scim2/Groups')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'sales', members: [{ value: user.body.id }] }).expect(201);
    const salesRep = emu.state.roleByDeveloperName('SalesRep')!.Id;
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
});
