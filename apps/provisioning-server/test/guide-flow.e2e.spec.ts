import { readdirSync, readFileSync } from 'node:fs';
import { databaseRows } from './support/database-rows';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { GUIDE_PROFILE_ID, GUIDE_SCIM_BODY, RESIDENT, SF_CLIENT_SECRET, SF_PASSWORD, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { ADMIN, eventually, guideToml, startServerProcess, tempDir } from './support/server-process';
import type { ServerProcess } from './support/server-process';

/**
 * The flow of the WSO2 guide, end to end: the real server process, the Salesforce emulator, the
 * guide's configuration and SCIM request; then an update (PATCH) and a delete (deactivation).
 */
describe('the WSO2 Salesforce guide, end to end', () => {
  let emu: RunningEmulator;
  let server: ServerProcess;
  let idpId: string;
  let userId: string;
  const api = () => request(server.url);

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    const dataDir = tempDir('guide-e2e-');
    server = await startServerProcess(guideToml(dataDir), dataDir);
  });

  afterAll(async () => {
    const code = await server?.stop('SIGTERM');
    await emu?.close();
    expect(code).toBe(0);
  });

  it('rejects missing or wrong credentials with 401 and a Basic challenge', async () => {
    const none = await api().get('/api/server/v1/identity-providers');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    const wrong = await api().get('/api/server/v1/identity-providers').auth(ADMIN.username, 'nope');
    expect(wrong.status).toBe(401);
  });

  it('registers the guide IdP with its certificate, twelve claim mappings and defaults, and the Salesforce connector', async () => {
    const body = guideIdentityProvider(emu.url, await salesforceCertificatePem());
    const res = await api().post('/api/server/v1/identity-providers').auth(ADMIN.username, ADMIN.password).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.location).toContain(res.body.id);
    idpId = res.body.id;
    expect(res.body.claims.mappings).toHaveLength(12);
    expect(res.body.claims.provisioningClaims).toHaveLength(12);
    expect(res.body.certificate.certificates[0]).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(SF_CLIENT_SECRET);
    expect(text).not.toContain(SF_PASSWORD);
  });

  it('names the IdP in the resident service provider', async () => {
    const res = await api().put('/api/server/v1/applications/resident').auth(ADMIN.username, ADMIN.password).send(RESIDENT);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.provisioningConfigurations.outboundProvisioningIdps[0]).toMatchObject({ idp: 'Salesforce.com', connector: 'salesforce' });
  });

  it('answers the guide request with typographic quotes with a 400 naming the character and where it is', async () => {
    let n = 0;
    const curly = GUIDE_SCIM_BODY.replace(/"/g, () => (n++ % 2 === 0 ? '\u201C' : '\u201D'));
    const res = await api().post('/wso2/scim2/Users').auth(ADMIN.username, ADMIN.password).set('Content-Type', 'application/json').send(curly);
    expect(res.status).toBe(400);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(res.body.status).toBe('400');
    expect(res.body.detail).toMatch(/typographic quote '\u201C' \(U\+201C\) at line 1, column 2/);
  });

  it('creates the guide user through /wso2/scim2 and provisions all twelve fields to Salesforce', async () => {
    const res = await api().post('/wso2/scim2/Users').auth(ADMIN.username, ADMIN.password).set('Content-Type', 'application/json').send(GUIDE_SCIM_BODY);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.password).toBeUndefined();
    expect(res.body.schemas).toContain('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(res.headers.location).toMatch(new RegExp(`/wso2/scim2/Users/${res.body.id}$`));
    userId = res.body.id;

    const sfUser = await eventually(() => emu.state.usersByUsername('kim@wso2.com'), 15_000, 'the user in Salesforce');
    expect(sfUser).toMatchObject({
      Username: 'kim@wso2.com',
      Email: 'kim@wso2.com',
      LastName: 'paul',
      Alias: 'Samuel',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_US',
      LocaleSidKey: 'en_US',
      ProfileId: expect.stringMatching(new RegExp(`^${GUIDE_PROFILE_ID}`)), // Salesforce answers with the 18-character form
      TimeZoneSidKey: 'America/Los_Angeles',
      UserPermissionsCallCenterAutoLogin: false,
      UserPermissionsMarketingUser: false,
      UserPermissionsOfflineUser: false,
      IsActive: true,
    });
  });

  it('a user created through SCIM authenticates but gets 403 on the admin API', async () => {
    const res = await api().get('/api/server/v1/identity-providers').auth('kim@wso2.com', 'test123');
    expect(res.status).toBe(403);
  });

  it('finds the user with a userName filter', async () => {
    const res = await api().get('/scim2/Users').query({ filter: 'userName eq "KIM@wso2.com"' }).auth(ADMIN.username, ADMIN.password);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(userId);
    const bad = await api().get('/scim2/Users').query({ filter: 'userName eq' }).auth(ADMIN.username, ADMIN.password);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidFilter');
  });

  it('sends an update to Salesforce as a PATCH of the changed field', async () => {
    const sfId = emu.state.usersByUsername('kim@wso2.com')!.Id;
    const res = await api()
      .patch(`/scim2/Users/${userId}`)
      .auth(ADMIN.username, ADMIN.password)
      .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'name.familyName', value: 'Paulson' }] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await eventually(() => (emu.state.user(sfId)?.LastName === 'Paulson' ? true : undefined), 15_000, 'LastName update');
    const patches = emu.state.requestLog.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/sobjects/User/${sfId}`));
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body).toEqual({ LastName: 'Paulson' });
  });

  it('deactivates the Salesforce user on delete, never sending an HTTP DELETE', async () => {
    const sfId = emu.state.usersByUsername('kim@wso2.com')!.Id;
    const res = await api().delete(`/scim2/Users/${userId}`).auth(ADMIN.username, ADMIN.password);
    expect(res.status).toBe(204);
    await eventually(() => (emu.state.user(sfId)?.IsActive === false ? true : undefined), 15_000, 'deactivation');
    expect(emu.state.requestLog.some((r) => r.method === 'DELETE')).toBe(false);
    const gone = await api().get(`/scim2/Users/${userId}`).auth(ADMIN.username, ADMIN.password);
    expect(gone.status).toBe(404);
  });

  it('used exactly one OAuth token request for the whole flow', () => {
    expect(emu.state.tokenRequests.count).toBe(1);
  });

  it('never returns a connector secret, and no byte of the data directory holds one in plain text', async () => {
    for (const path of [`/api/server/v1/identity-providers/${idpId}`, `/api/server/v1/identity-providers/${idpId}/provisioning/outbound-connectors`, `/api/server/v1/identity-providers/${idpId}/provisioning/outbound-connectors/c2FsZXNmb3JjZQ`]) {
      const res = await api().get(path).auth(ADMIN.username, ADMIN.password);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(SF_CLIENT_SECRET);
      expect(JSON.stringify(res.body)).not.toContain(SF_PASSWORD);
    }
    for (const file of readdirSync(server.dataDir)) {
      if (file === 'deployment.toml') continue;
      const bytes = readFileSync(join(server.dataDir, file));
      expect(bytes.includes(Buffer.from(SF_CLIENT_SECRET)), file).toBe(false);
      expect(bytes.includes(Buffer.from(SF_PASSWORD)), file).toBe(false);
    }
    // On PostgreSQL the rows live in the database: none of them holds a secret in plain text either.
    const rows = await databaseRows(server.dataDir);
    expect(rows).not.toContain(SF_CLIENT_SECRET);
    expect(rows).not.toContain(SF_PASSWORD);
    expect(server.output()).not.toContain(SF_CLIENT_SECRET);
    expect(server.output()).not.toContain(SF_PASSWORD);
  });
});
