import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually } from './support/server-process';

interface TenantFixture {
  domain: string;
  admin: { username: string; password: string };
  userId: string;
  groupId: string;
  idpId: string;
  jobId: number;
}

/**
 * Tenants: created by the super admin; each tenant's admin works only on `/t/{tenant}/...`. Every
 * endpoint is tried across tenants and must reveal or change nothing.
 */
describe('tenant isolation', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  const fixtures: Record<'a' | 'b', TenantFixture> = {} as Record<'a' | 'b', TenantFixture>;

  async function makeTenant(key: 'a' | 'b'): Promise<TenantFixture> {
    const domain = `${key}.example.com`;
    const admin = { username: `owner@${domain}`, password: `secret-${key}1` };
    const res = await request(server.url).post('/api/server/v1/tenants').auth(ADMIN.username, ADMIN.password).send({ domain, owners: [{ username: admin.username, password: admin.password, email: admin.username }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const as = (r: request.Test) => r.auth(admin.username, admin.password);
    const base = `/t/${domain}`;
    const idp = await as(request(server.url).post(`${base}/api/server/v1/identity-providers`)).send({ ...guideIdentityProvider(emu.url, await salesforceCertificatePem()), name: `SF ${key}` });
    expect(idp.status, JSON.stringify(idp.body)).toBe(201);
    await as(request(server.url).put(`${base}/api/server/v1/applications/resident`))
      .send({ provisioningConfigurations: { outboundProvisioningIdps: [{ idp: `SF ${key}`, connector: 'salesforce' }] } })
      .expect(200);
    const userName = `user@${key}-mail.com`;
    const user = await as(request(server.url).post(`${base}/scim2/Users`)).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { familyName: key }, emails: [userName] });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    // Delivered before it joins a group (the guide maps the role claim to ProfileId, which a group's
    // name is not: an update carrying it is refused, a create carrying it would be too).
    await eventually(() => emu.state.usersByUsername(userName), 10_000, 'delivered');
    const group = await as(request(server.url).post(`${base}/scim2/Groups`)).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `group-${key}`, members: [{ value: user.body.id }] });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    const job = await eventually(async () => {
      const jobs = await as(request(server.url).get(`${base}/api/server/v1/provisioning/jobs`));
      return (jobs.body as Array<{ id: number }>)[0];
    }, 10_000, 'a job');
    return { domain, admin, userId: user.body.id, groupId: group.body.id, idpId: idp.body.id, jobId: job.id };
  }

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    ({ server } = await startGuideServer('tenants-'));
    fixtures.a = await makeTenant('a');
    fixtures.b = await makeTenant('b');
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  /** Every endpoint, as [method, path suffix, body?], for a tenant's own resources. */
  function endpoints(f: TenantFixture): Array<[string, string, unknown?]> {
    const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'name.familyName', value: 'Hacked' }] };
    const search = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] };
    return [
      ['GET', '/scim2/Users'],
      ['GET', `/scim2/Users/${f.userId}`],
      ['PUT', `/scim2/Users/${f.userId}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'x@y.com' }],
      ['PATCH', `/scim2/Users/${f.userId}`, patch],
      ['DELETE', `/scim2/Users/${f.userId}`],
      ['POST', '/scim2/Users/.search', search],
      ['GET', '/scim2/Groups'],
      ['GET', `/scim2/Groups/${f.groupId}`],
      ['PATCH', `/scim2/Groups/${f.groupId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove', path: 'members' }] }],
      ['DELETE', `/scim2/Groups/${f.groupId}`],
      ['POST', '/scim2/.search', search],
      ['POST', '/scim2/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'DELETE', path: `/Users/${f.userId}` }] }],
      ['GET', '/scim2/Me'],
      ['GET', '/api/server/v1/identity-providers'],
      ['GET', `/api/server/v1/identity-providers/${f.idpId}`],
      ['PATCH', `/api/server/v1/identity-providers/${f.idpId}`, [{ operation: 'REPLACE', path: '/description', value: 'x' }]],
      ['DELETE', `/api/server/v1/identity-providers/${f.idpId}`],
      ['GET', `/api/server/v1/identity-providers/${f.idpId}/provisioning/outbound-connectors`],
      ['GET', `/api/server/v1/identity-providers/${f.idpId}/provisioning/outbound-connectors/c2FsZXNmb3JjZQ`],
      ['POST', `/api/server/v1/identity-providers/${f.idpId}/provisioning/preview`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'p@q.com' }],
      ['POST', `/api/server/v1/identity-providers/${f.idpId}/provisioning/outbound-connectors/c2FsZXNmb3JjZQ/test`],
      ['GET', '/api/server/v1/applications/resident'],
      ['PUT', '/api/server/v1/applications/resident', { provisioningConfigurations: { outboundProvisioningIdps: [] } }],
      ['GET', '/api/server/v1/claim-dialects/local/claims'],
      ['GET', '/api/server/v1/provisioning/jobs'],
      ['POST', `/api/server/v1/provisioning/jobs/${f.jobId}/discard`],
      ['GET', `/api/server/v1/provisioning/status?user=user@${f.domain[0]}-mail.com`],
      ['GET', '/api/server/v1/provisioning/logs'],
      ['GET', '/api/server/v1/tenants'],
    ];
  }

  function send(method: string, path: string, body: unknown, auth: { username: string; password: string }) {
    const agent = request(server.url);
    const r = method === 'GET' ? agent.get(path) : method === 'POST' ? agent.post(path) : method === 'PUT' ? agent.put(path) : method === 'PATCH' ? agent.patch(path) : agent.delete(path);
    const withAuth = r.auth(auth.username, auth.password);
    return body === undefined ? withAuth : withAuth.send(body as object);
  }

  it("a tenant admin cannot use another tenant's paths at all (401, then 429, on every endpoint)", async () => {
    for (const [method, suffix, body] of endpoints(fixtures.b)) {
      const res = await send(method, `/t/${fixtures.b.domain}${suffix}`, body, fixtures.a.admin);
      // 401, or 429 once repeated failed sign-ins lock that name out for a while: denied either way.
      expect([401, 429], `${method} ${suffix}`).toContain(res.status);
    }
  });

  it("a tenant admin cannot reach another tenant's resources through its own paths (404, nothing changed)", async () => {
    for (const [method, suffix, body] of endpoints(fixtures.b)) {
      if (!/\/(Users|Groups|identity-providers|jobs)\/(?!\.search)[^/?]+/.test(suffix)) continue;
      const res = await send(method, `/t/${fixtures.a.domain}${suffix}`, body, fixtures.a.admin);
      expect([404, 400], `${method} ${suffix} -> ${res.status}`).toContain(res.status);
    }
    const b = (r: request.Test) => r.auth(fixtures.b.admin.username, fixtures.b.admin.password);
    const user = await b(request(server.url).get(`/t/${fixtures.b.domain}/scim2/Users/${fixtures.b.userId}`));
    expect(user.status).toBe(200);
    expect(user.body.name.familyName).toBe('b');
    expect((await b(request(server.url).get(`/t/${fixtures.b.domain}/scim2/Groups/${fixtures.b.groupId}`))).body.members).toHaveLength(1);
    expect((await b(request(server.url).get(`/t/${fixtures.b.domain}/api/server/v1/identity-providers/${fixtures.b.idpId}`))).status).toBe(200);
  });

  it("the super admin is not a tenant user, and the super tenant's API shows no tenant data", async () => {
    for (const [method, suffix, body] of endpoints(fixtures.a).filter(([m]) => m === 'GET')) {
      const res = await send(method, `/t/${fixtures.a.domain}${suffix}`, body, ADMIN);
      expect([401, 429], `${method} ${suffix}`).toContain(res.status);
    }
    const users = await request(server.url).get('/scim2/Users').auth(ADMIN.username, ADMIN.password);
    expect(JSON.stringify(users.body)).not.toMatch(/-mail\.com|example\.com/);
    const idps = await request(server.url).get('/api/server/v1/identity-providers').auth(ADMIN.username, ADMIN.password);
    expect(idps.body.totalResults).toBe(0);
    const jobs = await request(server.url).get('/api/server/v1/provisioning/jobs').auth(ADMIN.username, ADMIN.password);
    expect(jobs.body).toEqual([]);
    const groups = await request(server.url).get('/scim2/Groups').auth(ADMIN.username, ADMIN.password);
    expect(groups.body.totalResults).toBe(0);
  });

  it('only the super admin manages tenants', async () => {
    const asTenant = await request(server.url).get(`/t/${fixtures.a.domain}/api/server/v1/tenants`).auth(fixtures.a.admin.username, fixtures.a.admin.password);
    expect(asTenant.status).toBe(403);
    const list = await request(server.url).get('/api/server/v1/tenants').auth(ADMIN.username, ADMIN.password);
    expect(list.body.tenants.map((t: { domain: string }) => t.domain)).toEqual(['a.example.com', 'b.example.com']);
    const dup = await request(server.url).post('/api/server/v1/tenants').auth(ADMIN.username, ADMIN.password).send({ domain: 'a.example.com', owners: [{ username: 'x@a.example.com', password: 'secret12' }] });
    expect(dup.status).toBe(409);
    const bad = await request(server.url).post('/api/server/v1/tenants').auth(ADMIN.username, ADMIN.password).send({ domain: 'not a domain', owners: [] });
    expect(bad.status).toBe(400);
  });

  it("each tenant's users reach their own tenant's Salesforce configuration", async () => {
    expect(emu.state.usersByUsername('user@a-mail.com')).toBeDefined();
    expect(emu.state.usersByUsername('user@b-mail.com')).toBeDefined();
  });
});
