import { afterEach, describe, expect, it } from 'vitest';
import { sampleOperation } from '@provisioning/connector-kit/testing';
import { startScimTarget } from './testing';
import type { RunningScimTarget } from './testing';
import { connect, rejection, userAttributes } from './testing/spec-helpers';

const noBasic = { 'scim2-username': '', 'scim2-password': '' };

describe('SCIM 2.0 connector: authentication modes', () => {
  let target: RunningScimTarget | undefined;
  afterEach(async () => target?.close());

  it('BASIC sends username and password', async () => {
    target = await startScimTarget();
    expect((await connect(target).provision(sampleOperation('create', userAttributes()))).outcome).toBe('created');
    expect(target.state.requests.at(-1)?.headers.authorization).toMatch(/^Basic /);
  });

  it('BEARER sends the access token', async () => {
    target = await startScimTarget({ auth: { mode: 'BEARER', token: 'bearer-token-value' } });
    const connector = connect(target, { ...noBasic, 'scim2-authentication-mode': 'BEARER', 'scim2-access-token': 'bearer-token-value' });
    expect((await connector.provision(sampleOperation('create', userAttributes()))).outcome).toBe('created');
    expect(target.state.requests.at(-1)?.headers.authorization).toBe('Bearer bearer-token-value');
  });

  it('API_KEY sends the key in the configured header', async () => {
    target = await startScimTarget({ auth: { mode: 'API_KEY', header: 'X-API-Key', value: 'api-key-value' } });
    const connector = connect(target, { ...noBasic, 'scim2-authentication-mode': 'api_key', 'scim2-api-key-header': 'X-API-Key', 'scim2-api-key-value': 'api-key-value' });
    expect((await connector.provision(sampleOperation('create', userAttributes()))).outcome).toBe('created');
    expect(target.state.requests.at(-1)?.headers['x-api-key']).toBe('api-key-value');
    expect(target.state.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('a refused credential is a permanent rejection naming the properties to check', async () => {
    target = await startScimTarget({ auth: { mode: 'BEARER', token: 'right' } });
    const connector = connect(target, { ...noBasic, 'scim2-authentication-mode': 'BEARER', 'scim2-access-token': 'wrong' });
    const error = await rejection(connector.provision(sampleOperation('create', userAttributes())));
    expect(error).toMatchObject({ kind: 'upstream-rejected', status: 401 });
    expect((error as Error).message).toMatch(/check scim2-access-token/);
    expect((error as Error).message).not.toContain('wrong');
  });
});
