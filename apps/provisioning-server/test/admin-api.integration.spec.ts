import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { SF_PASSWORD, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually } from './support/server-process';

const boot = (extraToml = '') => startGuideServer('admin-api-', { extraToml });

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);

describe('admin API', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  let pem: string;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    ({ server } = await boot());
    pem = await salesforceCertificatePem();
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('lists every registered connector with WSO2 property descriptors', async () => {
    const res = await auth(request(server.url).get('/api/server/v1/identity-providers/meta/outbound-provisioning-connectors'));
    expect(res.status).toBe(200);
    expect(res.body.map((c: { connectorId: string }) => c.connectorId)).toEqual(['c2FsZXNmb3JjZQ', 'Z29vZ2xlYXBwcw', 'ZmFjZWJvb2s', 'U0NJTTI']);
    const secret = res.body[0].properties.find((p: { key: string }) => p.key === 'sf-client-secret');
    expect(secret).toMatchObject({ displayName: 'Client Secret', isMandatory: true, isConfidential: true });
  });

  it('rejects a garbage certificate with a 400', async () => {
    const body = { ...guideIdentityProvider(emu.url, pem), name: 'Bad cert', certificate: { certificates: ['not a certificate'] } };
    const res = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/certificate\.certificates\[0\]/);
    expect(res.body.traceId).toBeTruthy();
  });

  it('names a bad connector property and never echoes a secret', async () => {
    const body = guideIdentityProvider('http://example.com', pem);
    body.name = 'Bad domain';
    const res = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/sf-domain-name: must use https/);
    expect(JSON.stringify(res.body)).not.toContain(SF_PASSWORD);
  });

  it('answers malformed JSON and unknown ids with clear errors, not 500', async () => {
    const bad = await auth(request(server.url).post('/api/server/v1/identity-providers')).set('Content-Type', 'application/json').send('{"name": ');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/not valid JSON/);
    const missing = await auth(request(server.url).get('/api/server/v1/identity-providers/nope'));
    expect(missing.status).toBe(404);
  });

  it('keeps a stored secret when a PUT omits it, and rejects a duplicate name', async () => {
    const created = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, pem));
    expect(created.status).toBe(201);
    const dup = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, pem));
    expect(dup.status).toBe(409);
    const connectorUrl = `/api/server/v1/identity-providers/${created.body.id}/provisioning/outbound-connectors/c2FsZXNmb3JjZQ`;
    const current = await auth(request(server.url).get(connectorUrl));
    const publicProps = current.body.properties.filter((p: { isConfidential?: boolean }) => !p.isConfidential);
    const put = await auth(request(server.url).put(connectorUrl)).send({ isEnabled: true, properties: publicProps });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.properties).toContainEqual({ key: 'sf-password', isConfidential: true, isSet: true });
    await auth(request(server.url).delete(`/api/server/v1/identity-providers/${created.body.id}`)).expect(204);
  });

  it('lists, gets and updates local claims by base64url id', async () => {
    const list = await auth(request(server.url).get('/api/server/v1/claim-dialects/local/claims'));
    expect(list.status).toBe(200);
    const username = list.body.find((c: { claimURI: string }) => c.claimURI === 'http://wso2.org/claims/username');
    const id = Buffer.from('http://wso2.org/claims/username').toString('base64url');
    expect(username.id).toBe(id);
    const put = await auth(request(server.url).put(`/api/server/v1/claim-dialects/local/claims/${id}`)).send({
      claimURI: 'http://wso2.org/claims/username',
      displayName: 'Username',
      attributeMapping: [{ mappedAttribute: 'mail', userstore: 'PRIMARY' }],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.attributeMapping).toEqual([{ mappedAttribute: 'mail', userstore: 'PRIMARY' }]);
    const garbage = await auth(request(server.url).get('/api/server/v1/claim-dialects/local/claims/%%%'));
    expect(garbage.status).toBe(400);
  });

  it('records a "not supported" failure for the Google stub and still serves Salesforce', async () => {
    const google = await auth(request(server.url).post('/api/server/v1/identity-providers')).send({
      name: 'Google',
      provisioning: {
        outboundConnectors: {
          connectors: [
            {
              connectorId: 'Z29vZ2xlYXBwcw',
              isEnabled: true,
              properties: [
                { key: 'google_prov_domain_name', value: 'example.com' },
                { key: 'google_prov_service_acc_email', value: 'svc@example.com' },
                { key: 'google_prov_admin_email', value: 'admin@example.com' },
                { key: 'google_prov_private_key', value: 'k' },
              ],
            },
          ],
        },
      },
    });
    expect(google.status, JSON.stringify(google.body)).toBe(201);
    await auth(request(server.url).post('/api/server/v1/identity-providers')).send({ ...guideIdentityProvider(emu.url, pem), name: 'SF2' }).expect(201);
    await auth(request(server.url).put('/api/server/v1/applications/resident'))
      .send({ provisioningConfigurations: { outboundProvisioningIdps: [{ idp: 'Google', connector: 'googleapps' }, { idp: 'SF2', connector: 'salesforce' }] } })
      .expect(200);
    const user = await auth(request(server.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'stub.user@wso2.com', emails: ['stub.user@wso2.com'], name: { familyName: 'Stub' } });
    expect(user.status).toBe(201);
    await eventually(() => emu.state.usersByUsername('stub.user@wso2.com'), 10_000, 'salesforce delivery');
    const job = await eventually(async () => {
      const res = await auth(request(server.url).get('/api/server/v1/provisioning/jobs?state=failed&user=stub.user@wso2.com'));
      return (res.body as Array<{ connectorType: string; lastError?: { kind: string } }>).find((j) => j.connectorType === 'googleapps');
    }, 10_000, 'google failure');
    expect(job.lastError).toMatchObject({ kind: 'not-supported' });
  });
});

describe('blocking provisioning with fail_on_blocking_outbound_provision_failure', () => {
  let emu: RunningEmulator;
  let server: RunningServer;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    ({ server } = await boot('\n[outbound_provisioning_management]\nfail_on_blocking_outbound_provision_failure = true\n'));
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('answers after the outbound result and leaves no local user when Salesforce rejects the create', async () => {
    const idp = guideIdentityProvider(emu.url, await salesforceCertificatePem(), { blocking: true });
    idp.claims.provisioningClaims = idp.claims.provisioningClaims.map((c) => (c.claim.uri === 'ProfileId' ? { ...c, defaultValue: '00e000000000000AAA' } : c));
    await auth(request(server.url).post('/api/server/v1/identity-providers')).send(idp).expect(201);
    await auth(request(server.url).put('/api/server/v1/applications/resident'))
      .send({ provisioningConfigurations: { outboundProvisioningIdps: [{ idp: 'Salesforce.com', connector: 'salesforce', blocking: true }] } })
      .expect(200);
    const res = await auth(request(server.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'blocked@wso2.com', emails: ['blocked@wso2.com'], name: { familyName: 'B' } });
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/Salesforce\.com/);
    const list = await auth(request(server.url).get('/scim2/Users').query({ filter: 'userName eq "blocked@wso2.com"' }));
    expect(list.body.totalResults).toBe(0);
  });
});
