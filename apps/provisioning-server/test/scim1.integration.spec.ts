import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { GUIDE_SCIM_BODY, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { asAdmin, scimUser, startScimServer } from './support/scim-harness';
import type { ScimServer } from './support/scim-harness';
import { eventually } from './support/server-process';

const CORE_1 = 'urn:scim:schemas:core:1.0';
const ENTERPRISE_1 = 'urn:scim:schemas:extension:enterprise:1.0';

interface Scim1Errors {
  Errors: Array<{ description: string; code: string }>;
}

function expectScim1Error(res: request.Response, status: number, description?: RegExp): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.type).toBe('application/json');
  const body = res.body as Scim1Errors;
  expect(Object.keys(body)).toEqual(['Errors']);
  expect(body.Errors).toHaveLength(1);
  expect(body.Errors[0]!.code).toBe(String(status));
  if (description) expect(body.Errors[0]!.description).toMatch(description);
}

/** SCIM 1.1 compatibility endpoint `/wso2/scim/Users` (WSO2's SCIM 1.1 service), backed by the SCIM 2.0 user service. */
describe('SCIM 1.1 /wso2/scim/Users', () => {
  let scim: ScimServer;
  const api = () => request(scim.url);

  beforeAll(async () => {
    scim = await startScimServer('scim1-');
  });
  afterAll(async () => {
    await scim?.close();
  });

  it('creates the guide user from its SCIM 1.0 body and answers in the SCIM 1.1 shape', async () => {
    const res = await asAdmin(api().post('/wso2/scim/Users')).set('Content-Type', 'application/json').send(GUIDE_SCIM_BODY);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.type).toBe('application/json');
    const id = res.body.id as string;
    expect(res.headers.location).toBe(`${scim.url}/wso2/scim/Users/${id}`);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.body).toEqual({
      schemas: [CORE_1],
      id,
      userName: 'kim@wso2.com',
      name: { familyName: 'paul' },
      emails: [{ value: 'kim@wso2.com', primary: true }],
      entitlements: [{ value: '00e2x000001AT3y', display: 'ChatterFreeUser' }],
      meta: { created: expect.any(String), lastModified: expect.any(String), location: `${scim.url}/wso2/scim/Users/${id}`, version: 'W/"1"' },
    });
    expect(Date.parse(res.body.meta.created)).not.toBeNaN();
    expect(JSON.stringify(res.body)).not.toContain('test123');

    // The same user through SCIM 2.0, with the 2.0 shape.
    const v2 = await asAdmin(api().get(`/scim2/Users/${id}`));
    expect(v2.status).toBe(200);
    expect(v2.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User']);
    expect(v2.body.meta.resourceType).toBe('User');
  });

  it('gets by id with ETag and If-None-Match, and lists with a SCIM 1.1 filter (operators in any case)', async () => {
    const created = await asAdmin(api().post('/wso2/scim/Users')).send({ schemas: [CORE_1], userName: 'list1@wso2.com', name: { familyName: 'Lister', givenName: 'Ann' }, emails: ['list1@wso2.com'] });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const got = await asAdmin(api().get(`/wso2/scim/Users/${id}`));
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    await asAdmin(api().get(`/wso2/scim/Users/${id}`)).set('If-None-Match', got.headers.etag!).expect(304);

    const list = await asAdmin(api().get('/wso2/scim/Users')).query({ filter: 'userName Eq "list1@wso2.com"' });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ schemas: [CORE_1], totalResults: 1, itemsPerPage: 1, startIndex: 1, Resources: [created.body] });

    const mixed = await asAdmin(api().get('/wso2/scim/Users')).query({ filter: 'name.familyName SW "List" AND emails PR', attributes: 'userName' });
    expect(mixed.body.totalResults).toBe(1);
    expect(mixed.body.Resources).toEqual([{ schemas: [CORE_1], id, userName: 'list1@wso2.com' }]);

    const none = await asAdmin(api().get('/wso2/scim/Users')).query({ filter: 'userName eq "nobody@wso2.com"' });
    expect(none.body).toEqual({ schemas: [CORE_1], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });

    const paged = await asAdmin(api().get('/wso2/scim/Users')).query({ sortBy: 'userName', startIndex: 2, count: 1 });
    expect(paged.body.startIndex).toBe(2);
    expect(paged.body.itemsPerPage).toBe(1);
    expect(paged.body.totalResults).toBeGreaterThanOrEqual(3);
  });

  it('answers an invalid filter with 400 in the SCIM 1.1 error shape', async () => {
    expectScim1Error(await asAdmin(api().get('/wso2/scim/Users')).query({ filter: 'userName xx "a"' }), 400, /Invalid filter/);
    expectScim1Error(await asAdmin(api().get('/wso2/scim/Users')).query({ filter: 'userName eq' }), 400, /Invalid filter/);
  });

  it('round-trips the SCIM 1.0 enterprise extension (manager.managerId) and filters on its 1.0 name', async () => {
    const res = await asAdmin(api().post('/wso2/scim/Users')).send({
      schemas: [CORE_1, ENTERPRISE_1],
      userName: 'emp@wso2.com',
      [ENTERPRISE_1]: { employeeNumber: '701984', manager: { managerId: '26118915-6090-4610-87e4-49d8ca9f808d' } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.schemas).toEqual([CORE_1, ENTERPRISE_1]);
    expect(res.body[ENTERPRISE_1]).toEqual({ employeeNumber: '701984', manager: { managerId: '26118915-6090-4610-87e4-49d8ca9f808d' } });
    expect(res.body).not.toHaveProperty(['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']);

    const found = await asAdmin(api().get('/wso2/scim/Users')).query({ filter: `${ENTERPRISE_1}:employeeNumber eq "701984"` });
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(res.body.id);
    const byManager = await asAdmin(api().get('/wso2/scim/Users')).query({ filter: 'manager.managerId eq "26118915-6090-4610-87e4-49d8ca9f808d"' });
    expect(byManager.body.totalResults).toBe(1);
  });

  it('replaces with PUT (SCIM 1.0 body), honouring If-Match', async () => {
    const created = await asAdmin(api().post('/wso2/scim/Users')).send({ schemas: [CORE_1], userName: 'put1@wso2.com', name: { familyName: 'Before' }, nickName: 'gone' });
    const id = created.body.id as string;
    const put = await asAdmin(api().put(`/wso2/scim/Users/${id}`))
      .set('If-Match', created.headers.etag!)
      .send({ schemas: [CORE_1], userName: 'put1@wso2.com', name: { familyName: 'After' }, emails: ['put1@wso2.com', 'other@wso2.com'] });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.name).toEqual({ familyName: 'After' });
    expect(put.body).not.toHaveProperty('nickName');
    expect(put.body.emails).toEqual([{ value: 'put1@wso2.com', primary: true }, { value: 'other@wso2.com' }]);
    expect(put.body.meta.version).toBe('W/"2"');
    expect(put.headers.etag).toBe('W/"2"');

    expectScim1Error(
      await asAdmin(api().put(`/wso2/scim/Users/${id}`)).set('If-Match', created.headers.etag!).send({ schemas: [CORE_1], userName: 'put1@wso2.com' }),
      412,
      /has changed/,
    );
  });

  it('applies a SCIM 1.1 PATCH: meta.attributes removals first, "operation": "delete" values, then additions', async () => {
    const created = await asAdmin(api().post('/wso2/scim/Users')).send({
      schemas: [CORE_1],
      userName: 'patch1@wso2.com',
      name: { familyName: 'Patch', givenName: 'Pat' },
      emails: [
        { value: 'patch1@wso2.com', type: 'work', primary: true },
        { value: 'old@home.org', type: 'home' },
      ],
      phoneNumbers: [{ value: '555-1', type: 'work' }],
      title: 'Tour Guide',
    });
    const id = created.body.id as string;
    const patched = await asAdmin(api().patch(`/wso2/scim/Users/${id}`)).send({
      schemas: [CORE_1],
      name: { familyName: 'Patched' },
      nickName: 'Pat',
      emails: [{ value: 'old@home.org', operation: 'delete' }, 'new@home.org'],
      phoneNumbers: [{ value: '555-2', type: 'mobile' }],
      meta: { attributes: ['title', 'name.givenName'] },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.schemas).toEqual([CORE_1]);
    expect(patched.body.name).toEqual({ familyName: 'Patched' });
    expect(patched.body.nickName).toBe('Pat');
    expect(patched.body).not.toHaveProperty('title');
    expect(patched.body.emails).toEqual([{ value: 'patch1@wso2.com', type: 'work', primary: true }, { value: 'new@home.org' }]);
    expect(patched.body.phoneNumbers).toEqual([
      { value: '555-1', type: 'work' },
      { value: '555-2', type: 'mobile' },
    ]);
    const stored = await asAdmin(api().get(`/wso2/scim/Users/${id}`));
    expect(stored.body).toEqual(patched.body);

    // Nothing to change: the resource as it is; a stale If-Match still fails.
    const noop = await asAdmin(api().patch(`/wso2/scim/Users/${id}`)).send({ schemas: [CORE_1] });
    expect(noop.status).toBe(200);
    expect(noop.body.meta.version).toBe(patched.body.meta.version);
    expectScim1Error(await asAdmin(api().patch(`/wso2/scim/Users/${id}`)).set('If-Match', 'W/"1"').send({ nickName: 'x' }), 412);
    expectScim1Error(await asAdmin(api().patch(`/wso2/scim/Users/${id}`)).send({ emails: [{ operation: 'delete' }] }), 400, /naming the value to delete/);
  });

  it('deletes with 200 (SCIM 1.1), then 404 in the SCIM 1.1 error shape', async () => {
    const created = await asAdmin(api().post('/wso2/scim/Users')).send({ schemas: [CORE_1], userName: 'del1@wso2.com' });
    const del = await asAdmin(api().delete(`/wso2/scim/Users/${created.body.id}`));
    expect(del.status).toBe(200);
    expect(del.text).toBe('');
    expectScim1Error(await asAdmin(api().get(`/wso2/scim/Users/${created.body.id}`)), 404);
    expectScim1Error(await asAdmin(api().delete(`/wso2/scim/Users/${created.body.id}`)), 404);
  });

  it('maps every failure to the SCIM 1.1 error shape: 401, 403, 400 (JSON, schema, policy), 409, unknown routes', async () => {
    const unauthenticated = await api().get('/wso2/scim/Users');
    expectScim1Error(unauthenticated, 401);
    expect(unauthenticated.headers['www-authenticate']).toMatch(/^Basic/);
    expectScim1Error(await api().get('/wso2/scim/Users').auth('admin@wso2.com', 'wrong'), 401);

    await asAdmin(api().post('/wso2/scim/Users')).send({ schemas: [CORE_1], userName: 'plain@wso2.com', password: 'plainpass' }).expect(201);
    expectScim1Error(await api().get('/wso2/scim/Users').auth('plain@wso2.com', 'plainpass'), 403, /lacks the admin role/);

    expectScim1Error(
      await asAdmin(api().post('/wso2/scim/Users')).set('Content-Type', 'application/json').send('{"schemas":["urn:scim:schemas:core:1.0"],\u201CuserName\u201D:"x@wso2.com"}'),
      400,
      /typographic quote/,
    );
    expectScim1Error(await asAdmin(api().post('/wso2/scim/Users')).send({ schemas: [CORE_1], userName: 'nope@wso2.com', shoeSize: 44 }), 400, /Unknown attribute "shoeSize"/);
    expectScim1Error(await asAdmin(api().post('/wso2/scim/Users')).send({ schemas: [CORE_1], userName: 'not-an-email' }), 400);
    expectScim1Error(await asAdmin(api().post('/wso2/scim/Users')).send({ schemas: [CORE_1], userName: 'plain@wso2.com' }), 409);
    expectScim1Error(await asAdmin(api().get('/wso2/scim/Groups')), 404);
  });

  it('leaves /wso2/scim2 (SCIM 2.0) as it was', async () => {
    const res = await asAdmin(api().post('/wso2/scim2/Users')).send(scimUser('v2only@wso2.com'));
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`${scim.url}/wso2/scim2/Users/${res.body.id}`);
    const missing = await asAdmin(api().get('/wso2/scim2/Users/does-not-exist'));
    expect(missing.status).toBe(404);
    expect(missing.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });
});

describe('SCIM 1.1 users are provisioned like SCIM 2.0 users', () => {
  let scim: ScimServer;
  let emu: RunningEmulator;
  const api = () => request(scim.url);

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    scim = await startScimServer('scim1-sf-');
    await asAdmin(api().post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, await salesforceCertificatePem(), { blocking: true })).expect(201);
    await asAdmin(api().put('/api/server/v1/applications/resident'))
      .send({ provisioningConfigurations: { outboundProvisioningIdps: [{ idp: 'Salesforce.com', connector: 'salesforce', blocking: true }] } })
      .expect(200);
  });
  afterAll(async () => {
    await scim?.close();
    await emu?.close();
  });

  it('creates the guide user in Salesforce (blocking: X-Provisioning-Status), updates it, and deactivates it on delete', async () => {
    const created = await asAdmin(api().post('/wso2/scim/Users')).set('Content-Type', 'application/json').send(GUIDE_SCIM_BODY);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers['x-provisioning-status']).toBe('Salesforce.com/salesforce=succeeded');
    expect(emu.state.usersByUsername('kim@wso2.com')).toMatchObject({ Email: 'kim@wso2.com', LastName: 'paul', IsActive: true });

    const patched = await asAdmin(api().patch(`/wso2/scim/Users/${created.body.id}`)).send({ schemas: [CORE_1], name: { familyName: 'Paul' } });
    expect(patched.status).toBe(200);
    expect(patched.headers['x-provisioning-status']).toBe('Salesforce.com/salesforce=succeeded');
    expect(emu.state.usersByUsername('kim@wso2.com')).toMatchObject({ LastName: 'Paul' });

    await asAdmin(api().delete(`/wso2/scim/Users/${created.body.id}`)).expect(200);
    await eventually(() => (emu.state.usersByUsername('kim@wso2.com')?.IsActive === false ? true : undefined), 10_000, 'the Salesforce user deactivated');
  });
});
