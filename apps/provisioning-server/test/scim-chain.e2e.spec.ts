import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from './support/fault-proxy';
import type { FaultProxy } from './support/fault-proxy';
import { pool, quiescence } from './support/fault-run';
import { ADMIN, guideToml, startServerProcess, tempDir } from './support/server-process';
import type { ServerProcess } from './support/server-process';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USERS = 20;

interface ScimUser {
  id: string;
  userName: string;
  active?: boolean;
  name?: { familyName?: string };
}

/**
 * Two instances of this server: users, updates, group membership and deletes made in the first are
 * provisioned into the second through the outbound SCIM 2.0 connector, across a proxy that fails a
 * fifth of the calls (503s, and requests applied whose answer is lost).
 */
describe('SCIM 2.0 outbound into a second instance of this server', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let proxy: FaultProxy;
  const ids: string[] = [];
  let groupId: string;

  const asAdmin = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);

  beforeAll(async () => {
    const dirB = tempDir('chain-b-');
    b = await startServerProcess(guideToml(dirB), dirB);
    proxy = await startFaultProxy(b.url);
    const dirA = tempDir('chain-a-');
    a = await startServerProcess(guideToml(dirA, '', { initial_backoff_ms: 50, max_backoff_ms: 500, max_attempts: 60, request_timeout_ms: 2000 }), dirA);
    const idp = await asAdmin(request(a.url).post('/api/server/v1/identity-providers')).send({
      name: 'Downstream',
      claims: {
        userIdClaim: { uri: 'userName' },
        mappings: [
          { idpClaim: 'userName', localClaim: { uri: 'http://wso2.org/claims/username' } },
          { idpClaim: 'name.familyName', localClaim: { uri: 'http://wso2.org/claims/lastname' } },
          { idpClaim: 'name.givenName', localClaim: { uri: 'http://wso2.org/claims/givenname' } },
          { idpClaim: 'emails', localClaim: { uri: 'http://wso2.org/claims/emailaddress' } },
        ],
        provisioningClaims: [],
      },
      provisioning: {
        outboundConnectors: {
          connectors: [
            {
              connectorId: 'U0NJTTI',
              isEnabled: true,
              properties: [
                { key: 'scim2-user-ep', value: `${proxy.url}/scim2/Users` },
                { key: 'scim2-group-ep', value: `${proxy.url}/scim2/Groups` },
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
    const test = await asAdmin(request(a.url).post(`/api/server/v1/identity-providers/${idp.body.id}/provisioning/outbound-connectors/U0NJTTI/test`));
    expect(test.body.ok, JSON.stringify(test.body)).toBe(true);
    await asAdmin(request(a.url).put('/api/server/v1/applications/resident'))
      .send({ provisioningConfigurations: { outboundProvisioningIdps: [{ idp: 'Downstream', connector: 'scim2' }] } })
      .expect(200);
    proxy.setFaultRate(0.2);
  }, 120_000);

  afterAll(async () => {
    await a?.stop('SIGTERM');
    await b?.stop('SIGTERM');
    await proxy?.close();
  });

  it('creates, updates, groups and deprovisions through the connector, despite the faults', async () => {
    await pool([...Array(USERS).keys()], 5, async (i) => {
      const userName = `chain${i}@wso2.com`;
      const res = await asAdmin(request(a.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: `G${i}`, familyName: `F${i}` }, emails: [userName] });
      expect(res.status).toBe(201);
      ids[i] = res.body.id;
    });
    const group = await asAdmin(request(a.url).post('/scim2/Groups')).send({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'engineering',
      members: ids.slice(0, 10).map((value) => ({ value })),
    });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    groupId = group.body.id;
    const parent = await asAdmin(request(a.url).post('/scim2/Groups')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'all-staff', members: [{ value: groupId, type: 'Group' }] });
    expect(parent.status, JSON.stringify(parent.body)).toBe(201);
    await pool([...Array(10).keys()], 5, async (i) => {
      await asAdmin(request(a.url).patch(`/scim2/Users/${ids[i]}`)).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'name.familyName', value: `Changed${i}` }] }).expect(200);
    });
    await asAdmin(request(a.url).patch(`/scim2/Groups/${groupId}`))
      .send({
        schemas: [PATCH],
        Operations: [
          ...ids.slice(0, 5).map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })),
          { op: 'add', path: 'members', value: ids.slice(10, 15).map((value) => ({ value })) },
        ],
      })
      .expect(200);
    await pool([...Array(6).keys()].map((i) => i + 14), 5, async (i) => {
      await asAdmin(request(a.url).delete(`/scim2/Users/${ids[i]}`)).expect(204);
    });

    await quiescence(a.url, 120_000);
    const failed = await asAdmin(request(a.url).get('/api/server/v1/provisioning/jobs').query({ state: 'failed' }));
    expect(failed.body, JSON.stringify(failed.body.slice(0, 2))).toEqual([]);
    proxy.setFaultRate(0);
    // Bulk requests carry many operations each, so fewer calls meet the 20% fault rate.
    expect(proxy.stats.refused + proxy.stats.dropped, 'faults were injected').toBeGreaterThan(0);

    const inB = await asAdmin(request(b.url).get('/scim2/Users').query({ filter: 'userName sw "chain"', count: 100 }));
    const byName = new Map<string, ScimUser>((inB.body.Resources as ScimUser[]).map((u) => [u.userName.toLowerCase(), u]));
    expect(byName.size, 'no duplicates, nothing missing').toBe(USERS);
    for (let i = 0; i < USERS; i += 1) {
      const u = byName.get(`chain${i}@wso2.com`)!;
      expect(u, `chain${i}`).toBeDefined();
      expect(u.active !== false, `chain${i} active`).toBe(i < 14);
      expect(u.name?.familyName).toBe(i < 10 ? `Changed${i}` : `F${i}`);
    }
    const groups = await asAdmin(request(b.url).get('/scim2/Groups').query({ filter: 'displayName eq "engineering"' }));
    expect(groups.body.totalResults).toBe(1);
    const members = new Set((groups.body.Resources[0].members ?? []).map((m: { value: string }) => m.value));
    // chain14 was a member and was deleted: the group on B lost it too.
    const expected = new Set(ids.slice(5, 14).map((_id, k) => byName.get(`chain${k + 5}@wso2.com`)!.id));
    expect(members).toEqual(expected);
    // The nested group's users reach the parent group on B too (flattened), following every change.
    const parents = await asAdmin(request(b.url).get('/scim2/Groups').query({ filter: 'displayName eq "all-staff"' }));
    expect(new Set((parents.body.Resources[0].members ?? []).map((m: { value: string }) => m.value))).toEqual(expected);
  }, 240_000);
});
