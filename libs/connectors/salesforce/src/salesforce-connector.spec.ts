import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackHttp, runConnectorContract, sampleOperation } from '@provisioning/connector-kit/testing';
import type { ConnectorContext, OutboundConnector, RemoteCallRecord } from '@provisioning/connector-kit';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { salesforceConnector } from './index';
import { emulatorProperties, salesforceUser, silentLogger as silent } from './testing/emulator-fixtures';

const properties = emulatorProperties;
const userAttributes = (overrides: Record<string, string> = {}) => salesforceUser('contract', { UserPermissionsMarketingUser: 'false', ...overrides });

let contractEmu: RunningEmulator;
runConnectorContract(salesforceConnector, {
  setup: async () => {
    contractEmu = await startSalesforceEmulator();
  },
  teardown: async () => contractEmu.close(),
  validProperties: () => properties(contractEmu),
  target: {
    read: async (id) => contractEmu.state.user(id) as unknown as Record<string, unknown> | undefined,
    isActive: (record) => record.IsActive === true,
    createAttributes: () => userAttributes(),
    updateAttribute: ['LastName', 'Updated'],
    rejectedCreateAttributes: () => userAttributes({ Email: 'not an email' }),
  },
});

describe('Salesforce connector against the emulator', () => {
  let emu: RunningEmulator;
  let tokenRequests = 0;
  const context = (): ConnectorContext => ({
    idpName: 'Salesforce.com',
    tenantDomain: 'carbon.super',
    logger: silent,
    requestTimeoutMs: 2_000,
    http: loopbackHttp(),
    onTokenRequest: () => (tokenRequests += 1),
  });
  const connect = (overrides: Record<string, string> = {}): OutboundConnector =>
    salesforceConnector.create(salesforceConnector.parseConfig(properties(emu, overrides)), context());

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ foreignUsernames: ['taken@elsewhere.com'] });
  });
  afterAll(async () => emu.close());

  it('sends "true"/"false" as JSON booleans and reuses one token', async () => {
    const before = emu.state.tokenRequests.count;
    const connector = connect();
    const a = await connector.provision(sampleOperation('create', userAttributes({ UserPermissionsMarketingUser: 'true' })));
    await connector.provision(sampleOperation('create', userAttributes()));
    expect(emu.state.user(a.remoteId!)?.UserPermissionsMarketingUser).toBe(true);
    expect(emu.state.tokenRequests.count - before).toBe(1);
  });

  it('re-authenticates once when the token expires', async () => {
    const connector = connect();
    await connector.provision(sampleOperation('create', userAttributes()));
    const before = emu.state.tokenRequests.count;
    emu.state.expireTokens();
    const created = await connector.provision(sampleOperation('create', userAttributes()));
    expect(created.outcome).toBe('created');
    expect(emu.state.tokenRequests.count - before).toBe(1);
  });

  it('reports Salesforce rejections with the remote code and message, and logs the calls', async () => {
    const calls: RemoteCallRecord[] = [];
    const connector = connect();
    const error = await connector
      .provision(sampleOperation('create', userAttributes({ ProfileId: '00e000000000000AAA' })), { record: (c) => calls.push(c) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'upstream-rejected', remoteCode: 'INVALID_CROSS_REFERENCE_KEY', status: 400 });
    const post = calls.find((c) => c.method === 'POST' && c.path.endsWith('/sobjects/User'));
    expect(post).toMatchObject({ status: 400, remoteCode: 'INVALID_CROSS_REFERENCE_KEY' });
    expect(JSON.stringify(calls)).not.toContain('passwordTOKEN');
    expect(JSON.stringify(calls)).not.toContain('emulator-client-secret');
  });

  it('deprovisions by PATCH IsActive=false, never DELETE', async () => {
    const connector = connect();
    const attrs = userAttributes();
    const created = await connector.provision(sampleOperation('create', attrs));
    await connector.provision(sampleOperation('deprovision', {}, { remoteId: created.remoteId }));
    expect(emu.state.user(created.remoteId!)?.IsActive).toBe(false);
    expect(emu.state.requestLog.some((r) => r.method === 'DELETE')).toBe(false);
  });

  it('links to an existing user of the org instead of duplicating, and explains a username taken in another org', async () => {
    const connector = connect();
    const attrs = userAttributes();
    const first = await connector.provision(sampleOperation('create', attrs));
    const again = await connector.provision(sampleOperation('create', { ...attrs, LastName: 'Relinked' }));
    expect(again).toMatchObject({ outcome: 'linked', remoteId: first.remoteId });
    expect(emu.state.user(first.remoteId!)?.LastName).toBe('Relinked');
    const foreign = await connector.provision(sampleOperation('create', userAttributes({ Username: 'taken@elsewhere.com' }))).catch((e: unknown) => e);
    expect(foreign).toMatchObject({ kind: 'upstream-rejected', remoteCode: 'DUPLICATE_USERNAME' });
    expect((foreign as Error).message).toMatch(/sf-prov-pattern/);
  });

  it('treats 5xx as retryable and a refused token as a pause (not a dead letter), without asking again at once', async () => {
    emu.state.injectFault({ method: 'POST', path: '/sobjects/User$', times: 1, action: { type: 'status', status: 503 } });
    const outage = await connect().provision(sampleOperation('create', userAttributes())).catch((e: unknown) => e);
    expect(outage).toMatchObject({ kind: 'upstream-unavailable', status: 503 });
    const wrong = connect({ 'sf-password': 'wrong' });
    const before = emu.state.tokenRequests.count;
    const badGrant = await wrong.provision(sampleOperation('create', userAttributes())).catch((e: unknown) => e);
    expect(badGrant).toMatchObject({ kind: 'upstream-throttled', remoteCode: 'invalid_grant' });
    const again = await wrong.provision(sampleOperation('create', userAttributes())).catch((e: unknown) => e);
    expect(again).toMatchObject({ kind: 'upstream-throttled', remoteCode: 'invalid_grant' });
    expect(emu.state.tokenRequests.count - before).toBe(1);
  });

  it('times out a hung call with the outcome unknown', async () => {
    emu.state.injectFault({ method: 'POST', path: '/sobjects/User$', times: 1, action: { type: 'apply-then-hang' } });
    const hung = await connect().provision(sampleOperation('create', userAttributes())).catch((e: unknown) => e);
    expect(hung).toMatchObject({ kind: 'upstream-unavailable', outcomeUnknown: true });
  });

  it('previews the exact payload and warns about a non-boolean value in a boolean field', async () => {
    const preview = await connect().preview(sampleOperation('create', userAttributes({ UserPermissionsMarketingUser: '+94771234567' })));
    expect(preview.method).toBe('POST');
    expect(preview.path).toBe('/services/data/v60.0/sobjects/User');
    expect(preview.body.UserPermissionsMarketingUser).toBe('+94771234567');
    expect(preview.warnings.join(' ')).toMatch(/UserPermissionsMarketingUser is a boolean field/);
  });

  it('tests the connection and reports API usage', async () => {
    const report = await connect().testConnection();
    expect(report.ok).toBe(true);
    expect(report.apiUsage?.max).toBeGreaterThan(0);
    const bad = await connect({ 'sf-client-secret': 'nope' }).testConnection();
    expect(bad.ok).toBe(false);
  });

  it('validates its configuration with the key, value and reason', () => {
    expect(() => salesforceConnector.parseConfig(properties(emu, { 'sf-api-version': '41', 'sf-domain-name': 'gopher://example.com' }))).toThrow(
      /sf-api-version: must look like v60.0 \(value "41"\).*sf-domain-name: must be an https URL/,
    );
  });
});
