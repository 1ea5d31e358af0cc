import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, BULK_REQUEST, ENTERPRISE_SCHEMA, expectScimError, GROUP_SCHEMA, PATCH_OP, scimUser, startScimServer } from './support/scim-harness';
import type { ScimServer } from './support/scim-harness';

const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

interface BulkResult {
  method: string;
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: { status: string; scimType?: string; detail: string };
}

const post = (bulkId: string, path: string, data: Record<string, unknown>) => ({ method: 'POST', bulkId, path, data });
const idOf = (result: BulkResult | undefined) => result?.location?.split('/').pop() ?? '';

/** RFC 7644 3.7 Bulk through HTTP. */
describe('SCIM 2.0 Bulk over HTTP', () => {
  let scim: ScimServer;
  const api = () => request(scim.url);
  const bulk = (body: unknown) => asAdmin(api().post('/scim2/Bulk')).send(body as object);
  const count = async (filter: string) => (await asAdmin(api().get('/scim2/Users')).query({ filter })).body.totalResults as number;

  beforeAll(async () => {
    scim = await startScimServer('scim-bulk-');
  });
  afterAll(async () => {
    await scim?.close();
  });

  it('creates a group and users that reference each other by bulkId, whatever the order of the operations', async () => {
    const res = await bulk({
      schemas: [BULK_REQUEST],
      Operations: [
        // The group comes first and names users created later in the request.
        post('tour', '/Groups', {
          schemas: [GROUP_SCHEMA],
          displayName: 'Tour Guides',
          members: [
            { type: 'User', value: 'bulkId:babs' },
            { type: 'User', value: 'bulkId:mandy' },
          ],
        }),
        // Mandy's manager is Babs, also by bulkId.
        post('mandy', '/Users', { ...scimUser('mandy@bulk.example.com'), [ENTERPRISE_SCHEMA]: { manager: { value: 'bulkId:babs' } } }),
        post('babs', '/Users', scimUser('babs@bulk.example.com', { name: { familyName: 'Jensen' } })),
        { method: 'PATCH', path: '/Users/bulkId:babs', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Tour Guide' }] } },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.schemas).toEqual([BULK_RESPONSE]);
    const results = res.body.Operations as BulkResult[];
    // Answered in request order, each with its own status.
    expect(results.map((r) => [r.method, r.bulkId, r.status])).toEqual([
      ['POST', 'tour', '201'],
      ['POST', 'mandy', '201'],
      ['POST', 'babs', '201'],
      ['PATCH', undefined, '200'],
    ]);
    const [group, mandy, babs, patch] = results;
    expect(group!.location).toMatch(new RegExp(`^${scim.url}/scim2/Groups/[0-9a-f-]{36}$`));
    expect(babs!.location).toMatch(new RegExp(`^${scim.url}/scim2/Users/[0-9a-f-]{36}$`));
    expect(babs!.version).toMatch(/^W\/".+"$/);
    expect(patch!.location).toBe(babs!.location);

    const stored = await asAdmin(api().get(`/scim2/Groups/${idOf(group)}`));
    expect(stored.status).toBe(200);
    expect(stored.body.members.map((m: { value: string; display: string }) => [m.value, m.display]).sort()).toEqual(
      [
        [idOf(babs), 'babs@bulk.example.com'],
        [idOf(mandy), 'mandy@bulk.example.com'],
      ].sort(),
    );
    const mandyNow = await asAdmin(api().get(`/scim2/Users/${idOf(mandy)}`));
    expect(mandyNow.body[ENTERPRISE_SCHEMA].manager.value).toBe(idOf(babs));
    expect(mandyNow.body.groups.map((g: { value: string }) => g.value)).toEqual([idOf(group)]);
    const babsNow = await asAdmin(api().get(`/scim2/Users/${idOf(babs)}`));
    expect(babsNow.body.title).toBe('Tour Guide');
    expect(JSON.stringify([stored.body, mandyNow.body])).not.toContain('bulkId:');
  });

  it('stops after failOnErrors errors (RFC 7644 3.7.3): later operations are not executed', async () => {
    const res = await bulk({
      schemas: [BULK_REQUEST],
      failOnErrors: 1,
      Operations: [
        post('ok1', '/Users', scimUser('fail1.ok@bulk.example.com')),
        post('dup', '/Users', scimUser('fail1.ok@bulk.example.com')),
        post('later', '/Users', scimUser('fail1.later@bulk.example.com')),
      ],
    });
    expect(res.status).toBe(200);
    const results = res.body.Operations as BulkResult[];
    expect(results.map((r) => [r.bulkId, r.status])).toEqual([
      ['ok1', '201'],
      ['dup', '409'],
    ]);
    expect(results[1]!.response).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness' });
    expect(await count('userName eq "fail1.later@bulk.example.com"')).toBe(0);

    const two = await bulk({
      schemas: [BULK_REQUEST],
      failOnErrors: 2,
      Operations: [
        post('bad1', '/Users', scimUser('not-an-email')),
        post('ok2', '/Users', scimUser('fail2.ok@bulk.example.com')),
        { method: 'DELETE', path: '/Users/no-such-user' },
        post('never', '/Users', scimUser('fail2.never@bulk.example.com')),
        { method: 'DELETE', path: '/Users/no-such-user-either' },
      ],
    });
    const statuses = (two.body.Operations as BulkResult[]).map((r) => r.status);
    expect(statuses).toEqual(['400', '201', '404']);
    expect(await count('userName eq "fail2.ok@bulk.example.com"')).toBe(1);
    expect(await count('userName eq "fail2.never@bulk.example.com"')).toBe(0);

    // Without failOnErrors every operation runs, errors or not.
    const all = await bulk({
      schemas: [BULK_REQUEST],
      Operations: [post('e1', '/Users', scimUser('bad')), post('e2', '/Users', scimUser('bad2')), post('fine', '/Users', scimUser('fail3.fine@bulk.example.com'))],
    });
    expect((all.body.Operations as BulkResult[]).map((r) => r.status)).toEqual(['400', '400', '201']);
  });

  it('reports operation-level problems per operation: unknown bulkId references, bad paths, circular references', async () => {
    const res = await bulk({
      schemas: [BULK_REQUEST],
      Operations: [
        post('g', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Dangling', members: [{ value: 'bulkId:nobody' }] }),
        post('p', '/Printers', { name: 'x' }),
        post('a', '/Users', { ...scimUser('cycle.a@bulk.example.com'), [ENTERPRISE_SCHEMA]: { manager: { value: 'bulkId:b' } } }),
        post('b', '/Users', { ...scimUser('cycle.b@bulk.example.com'), [ENTERPRISE_SCHEMA]: { manager: { value: 'bulkId:a' } } }),
        post('ok', '/Users', scimUser('fine@bulk.example.com')),
      ],
    });
    expect(res.status).toBe(200);
    const results = res.body.Operations as BulkResult[];
    expect(results.map((r) => r.bulkId)).toEqual(['g', 'p', 'a', 'b', 'ok']);
    expect(results[0]!.status).toBe('400');
    expect(results[0]!.response!.detail).toMatch(/bulkId:nobody/);
    expect(results[1]!.status).toBe('400');
    expect(results[2]!.status).toBe('409');
    expect(results[3]!.status).toBe('409');
    expect(results[4]!.status).toBe('201');
    expect(await count('userName sw "cycle."')).toBe(0);
  });

  it('fails operations that reference the bulkId of a failed POST, in their data or their path, naming it', async () => {
    const res = await bulk({
      schemas: [BULK_REQUEST],
      Operations: [
        post('broken', '/Users', scimUser('not-an-email')),
        { method: 'PATCH', path: '/Users/bulkId:broken', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 't' }] } },
        post('g', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Orphans', members: [{ value: 'bulkId:broken' }] }),
        { method: 'DELETE', path: '/Users/bulkId:broken' },
      ],
    });
    const results = res.body.Operations as BulkResult[];
    expect(results.map((r) => r.status)).toEqual(['400', '400', '400', '400']);
    for (const result of results.slice(1)) {
      expect(result.response).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('bulkId:broken') });
      expect(result.response!.detail).not.toContain('undefined');
    }
  });

  it('refuses more than maxOperations operations with 413 tooMany, before executing any', async () => {
    const operations = Array.from({ length: 1001 }, (_, i) => post(`u${i}`, '/Users', scimUser(`many${i}@bulk.example.com`)));
    const res = await bulk({ schemas: [BULK_REQUEST], Operations: operations });
    expectScimError(res, 413, 'tooMany');
    expect(res.body.detail).toMatch(/maxOperations \(1000\)/);
    expect(await count('userName sw "many"')).toBe(0);
  });

  it('refuses a payload larger than maxPayloadSize with 413, before executing any', async () => {
    const padding = 'x'.repeat(1_048_576);
    const res = await bulk({ schemas: [BULK_REQUEST], Operations: [post('big', '/Users', scimUser('big@bulk.example.com', { nickName: padding }))] });
    // The JSON body limit (1 MiB, the advertised maxPayloadSize) answers before planBulk sees the
    // request, so the detail is the body parser's, without scimType (RFC 7644 3.7.4 requires neither).
    expectScimError(res, 413);
    expect(await count('userName eq "big@bulk.example.com"')).toBe(0);
  });

  it('refuses a malformed BulkRequest with 400', async () => {
    expectScimError(await bulk({ Operations: [] }), 400, 'invalidSyntax');
    expectScimError(await bulk({ schemas: [BULK_REQUEST], Operations: [] }), 400, 'invalidSyntax');
    expectScimError(await bulk({ schemas: [BULK_REQUEST], failOnErrors: 0, Operations: [post('x', '/Users', scimUser('x@bulk.example.com'))] }), 400, 'invalidValue');
    expectScimError(
      await bulk({ schemas: [BULK_REQUEST], Operations: [post('same', '/Users', scimUser('s1@bulk.example.com')), post('same', '/Users', scimUser('s2@bulk.example.com'))] }),
      400,
      'invalidValue',
    );
  });
});
