import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { GUIDE_PROFILE_ID, RESIDENT, SF_PASSWORD, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually } from './support/server-process';

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);
const BAD_PROFILE = '00e000000000000AAA';

/** A user Salesforce rejects is visible as failed in jobs, status and logs; retry after the fix delivers it. */
describe('operator API', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  let idpId: string;
  let body: ReturnType<typeof guideIdentityProvider>;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    // Retry is examined here: fixing the mapping must not already repair the user through an automatic run.
    ({ server } = await startGuideServer('operator-', { provisioning: { automatic_runs: false } }));
    body = guideIdentityProvider(emu.url, await salesforceCertificatePem());
    body.claims.provisioningClaims = body.claims.provisioningClaims.map((c) => (c.claim.uri === 'ProfileId' ? { ...c, defaultValue: BAD_PROFILE } : c));
    const created = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(body);
    idpId = created.body.id;
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('previews the exact Salesforce payload with no side effect, warning about a mobile number in a boolean field', async () => {
    const res = await auth(request(server.url).post(`/api/server/v1/identity-providers/${idpId}/provisioning/preview`)).send({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'preview@wso2.com',
      emails: ['preview@wso2.com'],
      phoneNumbers: [{ type: 'mobile', value: '+94771234567' }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { preview } = res.body[0];
    expect(preview.method).toBe('POST');
    expect(preview.body).toMatchObject({ Username: 'preview@wso2.com', UserPermissionsMarketingUser: '+94771234567', UserPermissionsOfflineUser: false });
    expect(preview.warnings.join(' ')).toMatch(/UserPermissionsMarketingUser is a boolean field/);
    expect(emu.state.usersByUsername('preview@wso2.com')).toBeUndefined();
  });

  it('previews with the IdP role mappings applied, exactly as delivery sends them', async () => {
    const withMapping = { ...body, roles: { mappings: [{ idpRole: '00eSALESPROFILE', localRole: 'Sales' }], outboundProvisioningRoles: [] } };
    await auth(request(server.url).put(`/api/server/v1/identity-providers/${idpId}`)).send(withMapping).expect(200);
    const res = await auth(request(server.url).post(`/api/server/v1/identity-providers/${idpId}/provisioning/preview`)).send({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'mapped@wso2.com',
      emails: ['mapped@wso2.com'],
      roles: [{ value: 'Sales' }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body[0].preview.body.ProfileId).toBe('00eSALESPROFILE');
    await auth(request(server.url).put(`/api/server/v1/identity-providers/${idpId}`)).send(body).expect(200);
  });

  it('tests the connector: authenticates, checks permissions, reports API usage', async () => {
    const res = await auth(request(server.url).post(`/api/server/v1/identity-providers/${idpId}/provisioning/outbound-connectors/c2FsZXNmb3JjZQ/test`));
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.apiUsage.max).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toContain(SF_PASSWORD);
  });

  it('shows a rejected user as failed with Salesforce\'s error, and delivers it on retry after the fix', async () => {
    const user = await auth(request(server.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'rejected@wso2.com', emails: ['rejected@wso2.com'], name: { familyName: 'R' } });
    expect(user.status).toBe(201);
    const failed = await eventually(async () => {
      const jobs = await auth(request(server.url).get('/api/server/v1/provisioning/jobs').query({ state: 'failed', user: 'rejected@wso2.com' }));
      return jobs.body.length > 0 ? jobs.body[0] : undefined;
    }, 10_000, 'the failed job');
    expect(failed.lastError).toMatchObject({ remoteCode: 'INVALID_CROSS_REFERENCE_KEY', status: 400 });

    const status = await auth(request(server.url).get('/api/server/v1/provisioning/status').query({ user: 'rejected@wso2.com' }));
    expect(status.body.connectors[0]).toMatchObject({ idp: 'Salesforce.com', connector: 'salesforce', remoteId: null, state: 'failed' });
    expect(status.body.connectors[0].lastError.remoteCode).toBe('INVALID_CROSS_REFERENCE_KEY');

    const logs = await auth(request(server.url).get('/api/server/v1/provisioning/logs').query({ user: 'rejected@wso2.com' }));
    expect(logs.body[0]).toMatchObject({ operation: 'create', outcome: 'failed', httpStatus: 400, remoteCode: 'INVALID_CROSS_REFERENCE_KEY' });
    expect(logs.body[0].calls.some((c: { path: string; body?: { ProfileId?: string } }) => c.path.endsWith('/sobjects/User') && c.body?.ProfileId === BAD_PROFILE)).toBe(true);
    expect(JSON.stringify(logs.body)).not.toContain(SF_PASSWORD);

    const fixed = { ...body, claims: { ...body.claims, provisioningClaims: body.claims.provisioningClaims.map((c) => (c.claim.uri === 'ProfileId' ? { ...c, defaultValue: GUIDE_PROFILE_ID } : c)) } };
    await auth(request(server.url).put(`/api/server/v1/identity-providers/${idpId}`)).send(fixed).expect(200);
    const retried = await auth(request(server.url).post(`/api/server/v1/provisioning/jobs/${failed.id}/retry`));
    expect(retried.status).toBe(200);
    await eventually(() => emu.state.usersByUsername('rejected@wso2.com'), 10_000, 'delivery after retry');
    const after = await auth(request(server.url).get('/api/server/v1/provisioning/status').query({ user: 'rejected@wso2.com' }));
    expect(after.body.connectors[0]).toMatchObject({ state: 'provisioned', remoteId: emu.state.usersByUsername('rejected@wso2.com')!.Id });
    const again = await auth(request(server.url).post(`/api/server/v1/provisioning/jobs/${failed.id}/retry`));
    expect(again.status).toBe(409);
  });

  it('exposes Prometheus metrics and health probes without credentials', async () => {
    const metrics = await request(server.url).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/provisioning_jobs\{state="succeeded"\} [1-9]/);
    expect(metrics.text).toMatch(/provisioning_jobs\{state="failed"\} 0/);
    expect(metrics.text).toMatch(/provisioning_token_requests_total\{connector="salesforce",outcome="success"\} 1/);
    expect(metrics.text).toMatch(/provisioning_remote_calls_total\{connector="salesforce",outcome="upstream-rejected"\} 1/);
    expect(metrics.text).toMatch(/provisioning_delivery_latency_seconds_count\{connector="salesforce",operation="create"\} 1/);
    expect((await request(server.url).get('/health/live')).status).toBe(200);
    expect((await request(server.url).get('/health/ready')).body).toMatchObject({ status: 'UP' });
  });
});
