import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { RESIDENT, SF_CLIENT_SECRET, SF_PASSWORD, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually, runsSettled } from './support/server-process';

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);
const SF = 'c2FsZXNmb3JjZQ';
const SCIM2 = 'U0NJTTI';
const INTERNAL_PAGE = '<html><body>internal admin console: db password hunter2-INTERNAL</body></html>';

/** A stand-in for an internal service (metadata endpoint, admin console) on loopback. */
async function internalService(): Promise<{ url: string; hits: IncomingMessage[]; close(): Promise<void>; server: Server }> {
  const hits: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    hits.push(req);
    if (req.url?.startsWith('/redirect')) {
      res.writeHead(307, { location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/landing` }).end();
      return;
    }
    res.writeHead(req.url?.startsWith('/json') ? 400 : 500, { 'content-type': req.url?.startsWith('/json') ? 'application/json' : 'text/html' });
    res.end(req.url?.startsWith('/json') ? JSON.stringify({ error: 'invalid_grant', error_description: `${'x'.repeat(5000)} ${INTERNAL_PAGE}` }) : INTERNAL_PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function withProperty(body: ReturnType<typeof guideIdentityProvider>, key: string, value: string) {
  const connector = body.provisioning.outboundConnectors.connectors[0]!;
  connector.properties = connector.properties.map((p) => (p.key === key ? { key, value } : p));
  return body;
}

describe('outbound connections: the egress policy', () => {
  let emu: RunningEmulator;
  let strict: RunningServer;
  let pem: string;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    // No allowlist: connectors may reach public addresses only.
    ({ server: strict } = await startGuideServer('egress-strict-', { allowedHosts: [] }));
    pem = await salesforceCertificatePem();
  });
  afterAll(async () => {
    await strict?.close();
    await emu?.close();
  });

  it.each([
    ['https://10.0.0.5/services/oauth2/token', /sf-token-endpoint: points at the IP address 10\.0\.0\.5, a private address/],
    ['https://[fd00::1]/services/oauth2/token', /sf-token-endpoint: points at the IP address \[fd00::1\]/],
    ['https://metadata.google.internal/computeMetadata/v1/', /sf-token-endpoint: points at metadata\.google\.internal/],
    ['http://2130706433/', /sf-token-endpoint: points at the IP address 127\.0\.0\.1, a loopback address/],
    ['http://0x7f.1/', /sf-token-endpoint: points at the IP address 127\.0\.0\.1/],
    ['http://127.1/', /sf-token-endpoint: points at the IP address 127\.0\.0\.1/],
    ['https://169.254.169.254/latest/meta-data/', /sf-token-endpoint: points at the IP address 169\.254\.169\.254, a link-local address/],
    ['http://login.salesforce.com/services/oauth2/token', /sf-token-endpoint: must use https/],
  ])('refuses sf-token-endpoint %s when the configuration is saved (400 naming the property)', async (endpoint, message) => {
    const body = withProperty(guideIdentityProvider('https://mydomain.my.salesforce.com', pem), 'sf-token-endpoint', endpoint);
    const res = await auth(request(strict.url).post('/api/server/v1/identity-providers')).send({ ...body, name: `Refused ${Math.random()}` });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('refuses the loopback emulator itself unless the operator lists it in [outbound] allowed_hosts', async () => {
    const res = await auth(request(strict.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, pem));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/sf-domain-name: points at the IP address 127\.0\.0\.1.*allowed_hosts.*sf-token-endpoint/);
  });

  it('refuses SCIM 2.0 endpoints the same way', async () => {
    const res = await auth(request(strict.url).post('/api/server/v1/identity-providers')).send({
      name: 'Internal SCIM',
      provisioning: {
        outboundConnectors: {
          connectors: [
            {
              connectorId: SCIM2,
              isEnabled: true,
              properties: [
                { key: 'scim2-user-ep', value: 'https://[::ffff:127.0.0.1]:8443/scim2/Users' },
                { key: 'scim2-username', value: 'u' },
                { key: 'scim2-password', value: 'p' },
              ],
            },
          ],
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/scim2-user-ep: points at the IP address \[::ffff:7f00:1\], a loopback address/);
  });
});

describe('outbound connections: what comes back from a wrong endpoint', () => {
  let emu: RunningEmulator;
  let internal: Awaited<ReturnType<typeof internalService>>;
  let server: RunningServer;
  let pem: string;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    internal = await internalService();
    // Loopback listed (the tests' emulators), so connections really happen and answers come back.
    ({ server } = await startGuideServer('egress-answers-'));
    pem = await salesforceCertificatePem();
  });
  afterAll(async () => {
    await server?.close();
    await internal?.close();
    await emu?.close();
  });

  async function idpWithTokenEndpoint(name: string, endpoint: string): Promise<string> {
    const body = withProperty(guideIdentityProvider(emu.url, pem), 'sf-token-endpoint', endpoint);
    const res = await auth(request(server.url).post('/api/server/v1/identity-providers')).send({ ...body, name });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  }

  it('never quotes the raw body of a token endpoint that is not an OAuth server, and bounds a parsed error', async () => {
    const html = await idpWithTokenEndpoint('Internal HTML', `${internal.url}/admin`);
    const report = await auth(request(server.url).post(`/api/server/v1/identity-providers/${html}/provisioning/outbound-connectors/${SF}/test`));
    expect(report.status).toBe(200);
    expect(report.body.ok).toBe(false);
    expect(JSON.stringify(report.body)).not.toContain('hunter2');
    expect(report.body.checks[0].detail).toMatch(/HTTP 500/);

    const json = await idpWithTokenEndpoint('Internal JSON', `${internal.url}/json`);
    const bounded = await auth(request(server.url).post(`/api/server/v1/identity-providers/${json}/provisioning/outbound-connectors/${SF}/test`));
    expect(bounded.body.checks[0].detail).toMatch(/invalid_grant/);
    expect(bounded.body.checks[0].detail).not.toContain('hunter2');
    expect(bounded.body.checks[0].detail.length).toBeLessThan(600);
  });

  it('never follows a redirect from the token endpoint, so credentials travel nowhere else', async () => {
    const id = await idpWithTokenEndpoint('Redirecting', `${internal.url}/redirect`);
    const before = internal.hits.length;
    const report = await auth(request(server.url).post(`/api/server/v1/identity-providers/${id}/provisioning/outbound-connectors/${SF}/test`));
    expect(report.body.ok).toBe(false);
    expect(report.body.checks[0].detail).toMatch(/redirected \(HTTP 307\).*redirects are never followed/);
    expect(internal.hits.slice(before).map((h) => h.url)).toEqual(['/redirect']);
  });

  it('keeps the raw body of a REST answer out of the provisioning log', async () => {
    // Token from the emulator, REST calls to the internal service.
    const body = withProperty(guideIdentityProvider(internal.url, pem), 'sf-token-endpoint', `${emu.url}/services/oauth2/token`);
    const created = await auth(request(server.url).post('/api/server/v1/identity-providers')).send({ ...body, name: 'Internal REST' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await auth(request(server.url).put('/api/server/v1/applications/resident'))
      .send({ provisioningConfigurations: { outboundProvisioningIdps: [{ idp: 'Internal REST', connector: 'salesforce', blocking: false, rules: false, jit: false }] } })
      .expect(200);
    await auth(request(server.url).post('/scim2/Users'))
      .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'rest@wso2.com', emails: ['rest@wso2.com'], name: { familyName: 'Rest' } })
      .expect(201);
    const logs = await eventually(async () => {
      const res = await auth(request(server.url).get('/api/server/v1/provisioning/logs?user=rest@wso2.com'));
      const items = (res.body.items ?? res.body) as unknown[];
      return items.length > 0 ? JSON.stringify(res.body) : undefined;
    });
    expect(logs).toMatch(/"httpStatus":500.*answered 500/);
    expect(logs).not.toContain('hunter2');
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send({ provisioningConfigurations: { outboundProvisioningIdps: [] } }).expect(200);
  });
});

describe('stored secrets follow their endpoint only when sent again', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  let idpId: string;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    ({ server } = await startGuideServer('egress-secrets-'));
    const res = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, await salesforceCertificatePem()));
    idpId = res.body.id;
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  const put = (properties: Array<{ key: string; value: string }>) =>
    auth(request(server.url).put(`/api/server/v1/identity-providers/${idpId}/provisioning/outbound-connectors/${SF}`)).send({ isEnabled: true, properties });

  const publicProperties = (overrides: Record<string, string> = {}) =>
    Object.entries({
      'sf-api-version': 'v41.0',
      'sf-domain-name': emu.url,
      'sf-clientid': 'emulator-client-id',
      'sf-username': 'admin@emulator.test',
      'sf-token-endpoint': `${emu.url}/services/oauth2/token`,
      ...overrides,
    }).map(([key, value]) => ({ key, value }));

  it('refuses a new token endpoint, domain or JWT audience without the confidential properties, naming them', async () => {
    for (const [key, value] of [
      ['sf-token-endpoint', 'https://attacker.example.com/services/oauth2/token'],
      ['sf-domain-name', 'https://attacker.example.com'],
      ['sf-jwt-audience', 'https://attacker.example.com'],
    ] as const) {
      const res = await put(publicProperties({ [key]: value }));
      expect(res.status, key).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`Changing ${key}.*requires sending sf-client-secret, sf-password again`));
    }
    // Nothing was stored: the connector still points at the emulator.
    const stored = await auth(request(server.url).get(`/api/server/v1/identity-providers/${idpId}/provisioning/outbound-connectors/${SF}`));
    expect(JSON.stringify(stored.body)).toContain(`${emu.url}/services/oauth2/token`);
  });

  it('accepts the move when the secrets come with it, and keeps stored secrets for changes that do not move', async () => {
    const moved = await put([...publicProperties({ 'sf-token-endpoint': `${emu.url}/services/oauth2/token?moved` }), { key: 'sf-client-secret', value: SF_CLIENT_SECRET }, { key: 'sf-password', value: SF_PASSWORD }]);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const unmoved = await put(publicProperties({ 'sf-token-endpoint': `${emu.url}/services/oauth2/token?moved`, 'sf-prov-separator': '_' }));
    expect(unmoved.status, JSON.stringify(unmoved.body)).toBe(200);
    const report = await auth(request(server.url).post(`/api/server/v1/identity-providers/${idpId}/provisioning/outbound-connectors/${SF}/test`));
    expect(report.body.ok).toBe(true);
  });
});

describe('linking never writes to another user\'s account', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  let idpId: string;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    ({ server } = await startGuideServer('egress-linking-'));
    const res = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, await salesforceCertificatePem()));
    idpId = res.body.id;
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    await runsSettled(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  const scimUser = (userName: string, familyName: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    emails: [{ value: 'shared@wso2.com', primary: true }],
    name: { familyName, givenName: familyName.slice(0, 8) },
  });

  it('fails the second user (REMOTE_ACCOUNT_IN_USE) before any write to the first user\'s account, and its delete deactivates nothing', async () => {
    await auth(request(server.url).post('/scim2/Users')).send(scimUser('first@wso2.com', 'First')).expect(201);
    const owner = await eventually(() => emu.state.usersByUsername('shared@wso2.com'));
    expect(owner.LastName).toBe('First');
    const writes = () => emu.state.requestLog.filter((r) => r.method === 'PATCH' && r.path.endsWith(owner.Id));

    const second = await auth(request(server.url).post('/scim2/Users')).send(scimUser('second@wso2.com', 'Second')).expect(201);
    const failed = await eventually(async () => {
      const res = await auth(request(server.url).get('/api/server/v1/provisioning/jobs?user=second@wso2.com&state=failed'));
      const items = (res.body.items ?? res.body) as Array<{ lastError?: { remoteCode?: string; message?: string } }>;
      return items[0];
    });
    expect(failed.lastError?.remoteCode).toBe('REMOTE_ACCOUNT_IN_USE');
    expect(failed.lastError?.message).toMatch(/already belongs to local user "first@wso2.com"; nothing was written to it/);
    expect(writes()).toEqual([]);
    expect(emu.state.user(owner.Id)?.LastName).toBe('First');

    // The failed user's delete looks the username up: it must not deactivate the first user's account.
    await auth(request(server.url).delete(`/scim2/Users/${second.body.id}`)).expect(204);
    await eventually(async () => {
      const res = await auth(request(server.url).get('/api/server/v1/provisioning/jobs?user=second@wso2.com'));
      const items = (res.body.items ?? res.body) as Array<{ operation: string; state: string }>;
      return items.find((j) => j.operation === 'deprovision' && j.state === 'failed');
    });
    expect(writes()).toEqual([]);
    expect(emu.state.user(owner.Id)?.IsActive).toBe(true);
  });

  it('previews a warning when the username would come from a default every user shares', async () => {
    const res = await auth(request(server.url).post(`/api/server/v1/identity-providers/${idpId}/provisioning/preview`)).send({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'noemail@wso2.com',
      name: { familyName: 'NoEmail' },
    });
    expect(res.status).toBe(200);
    expect(res.body[0].preview.warnings.join(' ')).toMatch(/Username comes from the provisioning default "samuel@wso2.com", which every user shares/);
  });
});
