import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server';
import { quiescence } from './support/fault-run';
import { startGuideServer } from './support/in-process';
import { ADMIN } from './support/server-process';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const admin = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);

async function boot(prefix: string): Promise<RunningServer> {
  return (await startGuideServer(prefix)).server;
}

/**
 * Role-based provisioning into a group-capable target (SCIM 2.0, here a second server): a user who
 * joins a provisioning role appears remotely in the groups they already belonged to.
 */
describe('groups follow a user who becomes provisioned later', () => {
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    b = await boot('sync-b-');
    a = await boot('sync-a-');
    const idp = await admin(request(a.url).post('/api/server/v1/identity-providers')).send({
      name: 'Downstream',
      claims: {
        mappings: [
          { idpClaim: 'userName', localClaim: { uri: 'http://wso2.org/claims/username' } },
          { idpClaim: 'emails', localClaim: { uri: 'http://wso2.org/claims/emailaddress' } },
        ],
        provisioningClaims: [],
      },
      roles: { outboundProvisioningRoles: ['staff'] },
      provisioning: {
        outboundConnectors: {
          connectors: [
            {
              connectorId: 'U0NJTTI',
              isEnabled: true,
              properties: [
                { key: 'scim2-user-ep', value: `${b.url}/scim2/Users` },
                { key: 'scim2-authentication-mode', value: 'BASIC' },
                { key: 'scim2-username', value: ADMIN.username },
                { key: 'scim2-password', value: ADMIN.password },
              ],
            },
          ],
        },
      },
    });
    expect(idp.status, JSON.stringify(idp.body)).toBe(201);
    await admin(request(a.url).put('/api/server/v1/applications/resident')).send({ provisioningConfigurations: { outboundProvisioningIdps: [{ idp: 'Downstream', connector: 'scim2' }] } }).expect(200);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('adds the user to their existing groups on the target once a provisioning role brings them there', async () => {
    const user = await admin(request(a.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'late@wso2.com', emails: ['late@wso2.com'] });
    expect(user.status).toBe(201);
    await admin(request(a.url).post('/scim2/Groups')).send({ schemas: [GROUP], displayName: 'eng', members: [{ value: user.body.id }] }).expect(201);
    const staff = await admin(request(a.url).post('/scim2/Groups')).send({ schemas: [GROUP], displayName: 'staff' });
    await quiescence(a.url, 20_000);
    expect((await admin(request(b.url).get('/scim2/Users')).query({ filter: 'userName eq "late@wso2.com"' })).body.totalResults).toBe(0);

    await admin(request(a.url).patch(`/scim2/Groups/${staff.body.id}`)).send({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }] }).expect(200);
    await quiescence(a.url, 20_000);
    const failed = await admin(request(a.url).get('/api/server/v1/provisioning/jobs')).query({ state: 'failed' });
    expect(failed.body).toEqual([]);
    const remote = await admin(request(b.url).get('/scim2/Users')).query({ filter: 'userName eq "late@wso2.com"' });
    expect(remote.body.totalResults).toBe(1);
    const remoteId = remote.body.Resources[0].id;
    for (const name of ['eng', 'staff']) {
      const group = await admin(request(b.url).get('/scim2/Groups')).query({ filter: `displayName eq "${name}"` });
      expect(group.body.totalResults, name).toBe(1);
      expect(group.body.Resources[0].members?.map((m: { value: string }) => m.value), name).toEqual([remoteId]);
    }
  });
});
