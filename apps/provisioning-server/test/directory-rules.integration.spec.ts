import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually } from './support/server-process';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const admin = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);

describe('/Me never reaches a privileged remote field', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  const me = { username: 'eve@wso2.com', password: 'eve-secret1' };
  const asMe = (r: request.Test) => r.auth(me.username, me.password);
  const jobsOfMe = async () => (await admin(request(server.url).get(`/api/server/v1/provisioning/jobs?user=${me.username}`))).body as unknown[];

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    ({ server } = await startGuideServer('me-privileged-'));
    await admin(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, await salesforceCertificatePem())).expect(201);
    await admin(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    await admin(request(server.url).post('/scim2/Users'))
      .send({ schemas: [USER], userName: me.username, password: me.password, name: { familyName: 'Eve' }, emails: [me.username] })
      .expect(201);
    await eventually(() => emu.state.usersByUsername(me.username), 10_000, 'provisioned');
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('refuses a mobile number the guide maps to UserPermissionsMarketingUser (403 naming the attribute), and sends nothing', async () => {
    const before = (await jobsOfMe()).length;
    const res = await asMe(request(server.url).patch('/scim2/Me')).send({ schemas: [PATCH], Operations: [{ op: 'add', path: 'phoneNumbers', value: [{ type: 'mobile', value: 'true' }] }] });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.detail).toMatch(/phoneNumbers\.mobile.*Salesforce\.com as UserPermissionsMarketingUser, a privileged field/);
    const put = await asMe(request(server.url).put('/scim2/Me')).send({ schemas: [USER], userName: me.username, name: { familyName: 'Eve' }, emails: [{ value: me.username }], phoneNumbers: [{ type: 'mobile', value: 'true' }] });
    expect(put.status).toBe(403);
    expect((await jobsOfMe()).length).toBe(before);
    expect(emu.state.usersByUsername(me.username)?.UserPermissionsMarketingUser).toBe(false);
    const mine = await asMe(request(server.url).get('/scim2/Me'));
    expect(mine.body.phoneNumbers).toBeUndefined();
  });

  it('still lets the user change what targets send into ordinary fields, and an administrator anything', async () => {
    const own = await asMe(request(server.url).patch('/scim2/Me')).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'name.familyName', value: 'Evening' }] });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    await eventually(() => (emu.state.usersByUsername(me.username)?.LastName === 'Evening' ? true : undefined), 10_000, 'LastName delivered');
    const byAdmin = await admin(request(server.url).patch(`/scim2/Users/${own.body.id}`)).send({ schemas: [PATCH], Operations: [{ op: 'add', path: 'phoneNumbers', value: [{ type: 'mobile', value: 'true' }] }] });
    expect(byAdmin.status).toBe(200);
  });

  it('allows the same change when no enabled target maps it to a privileged field', async () => {
    await admin(request(server.url).put('/api/server/v1/applications/resident')).send({ provisioningConfigurations: { outboundProvisioningIdps: [] } }).expect(200);
    const res = await asMe(request(server.url).patch('/scim2/Me')).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+94771234567' }] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});

describe('a tenant keeps an administrator; group members are what they claim', () => {
  let server: RunningServer;
  const domain = 'last.example.com';
  const owner = { username: 'owner@last.example.com', password: 'owner-secret1' };
  const asOwner = (r: request.Test) => r.auth(owner.username, owner.password);

  beforeAll(async () => {
    ({ server } = await startGuideServer('last-admin-'));
    await admin(request(server.url).post('/api/server/v1/tenants')).send({ domain, owners: [{ ...owner, email: owner.username }] }).expect(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses to delete or deactivate the last administrator of a tenant', async () => {
    const found = await asOwner(request(server.url).get(`/t/${domain}/scim2/Users?filter=${encodeURIComponent(`userName eq "${owner.username}"`)}`));
    const id = found.body.Resources[0].id as string;
    const deleted = await asOwner(request(server.url).delete(`/t/${domain}/scim2/Users/${id}`));
    expect(deleted.status).toBe(409);
    expect(deleted.body.detail).toMatch(/last administrator of tenant last\.example\.com/);
    const deactivated = await asOwner(request(server.url).patch(`/t/${domain}/scim2/Users/${id}`)).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(deactivated.status).toBe(409);
    // Still there and still able to sign in.
    await asOwner(request(server.url).get(`/t/${domain}/scim2/Users/${id}`)).expect(200);
  });

  it('says a member is of the other type instead of calling its id unknown', async () => {
    const user = await asOwner(request(server.url).post(`/t/${domain}/scim2/Users`)).send({ schemas: [USER], userName: 'member@last.example.com' }).expect(201);
    const res = await asOwner(request(server.url).post(`/t/${domain}/scim2/Groups`)).send({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Typed',
      members: [{ value: user.body.id, type: 'Group' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(new RegExp(`members\\[0\\]: "${user.body.id}" is a User, not a Group`));
  });
});

describe('root /.search', () => {
  let server: RunningServer;

  beforeAll(async () => {
    ({ server } = await startGuideServer('root-search-'));
    // More users than one page holds (1000), and a group.
    for (let batch = 0; batch < 1100 / 4; batch += 1) {
      await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          admin(request(server.url).post('/scim2/Users')).send({ schemas: [USER], userName: `u${String(batch * 4 + i).padStart(4, '0')}@wso2.com` }).expect(201),
        ),
      );
    }
    await admin(request(server.url).post('/scim2/Groups')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'zz-group' }).expect(201);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  const search = (body: Record<string, unknown>) =>
    admin(request(server.url).post('/scim2/.search')).send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...body });

  it('counts and pages past the first 1000 users', async () => {
    const all = await search({ startIndex: 1001, count: 200 });
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.totalResults).toBe(1102);
    expect(all.body.Resources).toHaveLength(102);
    expect(all.body.Resources.at(-1).displayName).toBe('zz-group');
    // Descending: the group (no userName, unassigned) first, then users from the last one.
    const sorted = await search({ sortBy: 'userName', sortOrder: 'descending', startIndex: 1, count: 3 });
    expect(sorted.body.Resources.map((r: { userName?: string; displayName?: string }) => r.userName ?? r.displayName)).toEqual(['zz-group', 'u1099@wso2.com', 'u1098@wso2.com']);
    const tail = await search({ sortBy: 'userName', startIndex: 1100, count: 5 });
    expect(tail.body.Resources.map((r: { userName?: string; displayName?: string }) => r.userName ?? r.displayName)).toEqual(['u1098@wso2.com', 'u1099@wso2.com', 'zz-group']);
    const filtered = await search({ filter: 'userName sw "u10"', startIndex: 50, count: 1000 });
    expect(filtered.body.totalResults).toBe(100);
    expect(filtered.body.Resources).toHaveLength(51);
  });
});
