import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackHttp, sampleOperation } from '@provisioning/connector-kit/testing';
import type { OutboundConnector } from '@provisioning/connector-kit';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { salesforceConnector } from './index';
import { emulatorProperties, salesforceUser, silentLogger as silent } from './testing/emulator-fixtures';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

const attrs = (overrides: Record<string, string> = {}) => salesforceUser('depth', overrides);

describe('Salesforce connector: grants, username pattern, freeze, usage ceiling', () => {
  let emu: RunningEmulator;
  const base = () => emulatorProperties(emu);
  const connect = (props: Record<string, string>, idpName = 'Salesforce.com'): OutboundConnector =>
    salesforceConnector.create(salesforceConnector.parseConfig(props), { idpName, tenantDomain: 'carbon.super', logger: silent, requestTimeoutMs: 3_000, http: loopbackHttp() });

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ jwtPublicKeyPem: keys.publicKey });
  });
  afterAll(async () => emu.close());

  it('authenticates with the JWT bearer grant', async () => {
    const { 'sf-password': _p, ...props } = base();
    const before = emu.state.tokenRequests.byGrantType['urn:ietf:params:oauth:grant-type:jwt-bearer'] ?? 0;
    const created = await connect({ ...props, 'sf-jwt-private-key': keys.privateKey }).provision(sampleOperation('create', attrs()));
    expect(created.outcome).toBe('created');
    expect(emu.state.tokenRequests.byGrantType['urn:ietf:params:oauth:grant-type:jwt-bearer']).toBe(before + 1);
  });

  it('authenticates with the client credentials grant', async () => {
    const { 'sf-password': _p, 'sf-username': _u, ...props } = base();
    const created = await connect({ ...props, 'sf-usePasswordGrant': 'false' }).provision(sampleOperation('create', attrs()));
    expect(created.outcome).toBe('created');
  });

  it('builds the username from sf-prov-pattern and sf-prov-domainName, with no space from the IdP name', async () => {
    const connector = connect({ ...base(), 'sf-prov-pattern': '{UN}-{IDP}', 'sf-prov-separator': '-', 'sf-prov-domainName': 'acme.example.com' }, 'My Sales Org');
    const created = await connector.provision(sampleOperation('create', attrs(), { username: 'kim@wso2.com' }));
    expect(created.remoteName).toBe('kim-wso2.com-My-Sales-Org@acme.example.com');
    expect(emu.state.user(created.remoteId!)?.Username).toBe('kim-wso2.com-My-Sales-Org@acme.example.com');
  });

  it('freezes instead of deactivating when configured, and unfreezes a user who comes back', async () => {
    const connector = connect({ ...base(), 'sf-deprovisioning-mode': 'freeze' });
    const a = attrs();
    const created = await connector.provision(sampleOperation('create', a));
    const gone = await connector.provision(sampleOperation('deprovision', {}, { remoteId: created.remoteId }));
    expect(gone.outcome).toBe('deprovisioned');
    expect(emu.state.user(created.remoteId!)?.IsActive).toBe(true);
    expect(emu.state.userLoginFor(created.remoteId!)?.IsFrozen).toBe(true);
    const back = await connector.provision(sampleOperation('create', a));
    expect(back).toMatchObject({ outcome: 'linked', remoteId: created.remoteId });
    expect(emu.state.userLoginFor(created.remoteId!)?.IsFrozen).toBe(false);
  });

  it('reactivates a deactivated user who comes back instead of failing on DUPLICATE_USERNAME', async () => {
    const connector = connect(base());
    const a = attrs();
    const created = await connector.provision(sampleOperation('create', a));
    await connector.provision(sampleOperation('deprovision', {}, { remoteId: created.remoteId }));
    expect(emu.state.user(created.remoteId!)?.IsActive).toBe(false);
    const back = await connector.provision(sampleOperation('create', a));
    expect(back).toMatchObject({ outcome: 'linked', remoteId: created.remoteId });
    expect(emu.state.user(created.remoteId!)?.IsActive).toBe(true);
  });

  it('stops calling near the daily API limit and reports throttling', async () => {
    const connector = connect({ ...base(), 'sf-api-usage-limit-percent': '90' });
    emu.state.apiUsage.used = Math.floor(emu.state.apiUsage.max * 0.95);
    await connector.provision(sampleOperation('create', attrs()));
    const calls = emu.state.requestLog.length;
    const next = await connector.provision(sampleOperation('create', attrs())).catch((e: unknown) => e);
    expect(next).toMatchObject({ kind: 'upstream-throttled', remoteCode: 'API_USAGE_CEILING' });
    expect(emu.state.requestLog.length).toBe(calls);
    emu.state.apiUsage.used = 0;
  });

  it('maps REQUEST_LIMIT_EXCEEDED to throttled and UNABLE_TO_LOCK_ROW to retryable', async () => {
    emu.state.injectFault({ method: 'POST', path: '/sobjects/User$', times: 1, action: { type: 'error-code', errorCode: 'REQUEST_LIMIT_EXCEEDED', status: 403 } });
    const limited = await connect(base()).provision(sampleOperation('create', attrs())).catch((e: unknown) => e);
    expect(limited).toMatchObject({ kind: 'upstream-throttled', remoteCode: 'REQUEST_LIMIT_EXCEEDED', status: 403 });
    emu.state.injectFault({ method: 'POST', path: '/sobjects/User$', times: 1, action: { type: 'error-code', errorCode: 'UNABLE_TO_LOCK_ROW', status: 400 } });
    const locked = await connect(base()).provision(sampleOperation('create', attrs())).catch((e: unknown) => e);
    expect(locked).toMatchObject({ kind: 'upstream-unavailable', remoteCode: 'UNABLE_TO_LOCK_ROW' });
  });

  it('rejects an incomplete JWT configuration by key', () => {
    const { 'sf-username': _u, 'sf-password': _p, ...props } = base();
    expect(() => salesforceConnector.parseConfig({ ...props, 'sf-jwt-private-key': keys.privateKey })).toThrow(/sf-username: is required for the JWT bearer grant/);
    expect(() => salesforceConnector.parseConfig({ ...base(), 'sf-jwt-private-key': 'nope' })).toThrow(/sf-jwt-private-key: must be a PEM private key/);
    expect(() => salesforceConnector.parseConfig({ ...base(), 'sf-deprovisioning-mode': 'delete' })).toThrow(/sf-deprovisioning-mode: must be deactivate or freeze \(value "delete"\)/);
  });
});
