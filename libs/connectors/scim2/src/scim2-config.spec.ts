import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { scim2Connector, scim2Manifest } from './index';

const base = { 'scim2-user-ep': 'https://scim.example.com/scim2/Users', 'scim2-username': 'svc', 'scim2-password': 'basic-secret' };
const parse = (properties: Record<string, string>) => scim2Connector.parseConfig(properties);

describe('SCIM 2.0 configuration', () => {
  it('has WSO2 connector id U0NJTTI (base64url of SCIM2) with our lower-case type', () => {
    expect(scim2Manifest).toMatchObject({ type: 'scim2', wso2Name: 'SCIM2', connectorId: 'U0NJTTI' });
  });

  it('derives the Groups and ServiceProviderConfig endpoints from the Users endpoint and defaults to BASIC + deactivate', () => {
    expect(parse({ ...base, 'scim2-user-ep': 'https://scim.example.com/scim2/Users/' })).toMatchObject({
      usersUrl: 'https://scim.example.com/scim2/Users',
      groupsUrl: 'https://scim.example.com/scim2/Groups',
      groupsConfigured: false,
      serviceProviderConfigUrl: 'https://scim.example.com/scim2/ServiceProviderConfig',
      auth: { mode: 'BASIC', username: 'svc' },
      deprovision: 'DEACTIVATE',
    });
  });

  it('names the credentials each authentication mode needs', () => {
    expect(() => parse({ 'scim2-user-ep': base['scim2-user-ep'] })).toThrow(
      /scim2-username: is required when scim2-authentication-mode is BASIC.*scim2-password: is required when scim2-authentication-mode is BASIC/,
    );
    expect(() => parse({ 'scim2-user-ep': base['scim2-user-ep'], 'scim2-authentication-mode': 'BEARER' })).toThrow(/scim2-access-token: is required when scim2-authentication-mode is BEARER/);
    expect(() => parse({ 'scim2-user-ep': base['scim2-user-ep'], 'scim2-authentication-mode': 'API_KEY', 'scim2-api-key-value': 'k' })).toThrow(
      /scim2-api-key-header: is required when scim2-authentication-mode is API_KEY/,
    );
    expect(() => parse({ ...base, 'scim2-authentication-mode': 'DIGEST' })).toThrow(/scim2-authentication-mode: must be one of BASIC, BEARER, API_KEY \(value "DIGEST"\)/);
  });

  it('requires the default password when password provisioning is on, without echoing secrets', () => {
    expect(() => parse({ ...base, 'scim2-enable-pwd-provisioning': 'true' })).toThrow(/scim2-default-pwd: is required when scim2-enable-pwd-provisioning is true/);
    const config = parse({ ...base, 'scim2-enable-pwd-provisioning': 'true', 'scim2-default-pwd': 'Initial-Pa55' });
    expect(config.defaultPassword?.reveal()).toBe('Initial-Pa55');
    expect(inspect(config, { depth: 10 })).not.toMatch(/Initial-Pa55|basic-secret/);
    expect(parse({ ...base, 'scim2-default-pwd': 'ignored-when-off' }).defaultPassword).toBeUndefined();
  });

  it('checks the endpoints and the API key header', () => {
    // Where an endpoint may point (https, public hosts) is the host's egress policy, checked on save.
    expect(() => parse({ ...base, 'scim2-user-ep': 'ftp://scim.example.com/scim2/Users' })).toThrow(/scim2-user-ep: must be an https URL/);
    expect(() => parse({ ...base, 'scim2-user-ep': 'https://scim.example.com/scim2' })).toThrow(/scim2-user-ep: must be the Users endpoint, ending in \/Users/);
    expect(() => parse({ ...base, 'scim2-group-ep': 'https://scim.example.com/scim2/Users' })).toThrow(/scim2-group-ep: must be the Groups endpoint/);
    expect(() => parse({ ...base, 'scim2-user-ep': 'https://scim.example.com/scim2/Users?tenant=a' })).toThrow(/without a query/);
    expect(() => parse({ ...base, 'scim2-authentication-mode': 'API_KEY', 'scim2-api-key-header': 'X API Key', 'scim2-api-key-value': 'k' })).toThrow(
      /scim2-api-key-header: must be an HTTP header name/,
    );
    expect(() => parse({ ...base, 'scim2-authentication-mode': 'API_KEY', 'scim2-api-key-header': 'Host', 'scim2-api-key-value': 'k' })).toThrow(/names a header the HTTP layer sets itself/);
    expect(() => parse({ ...base, 'scim2-deprovision-mode': 'ARCHIVE' })).toThrow(/scim2-deprovision-mode: must be one of DEACTIVATE, DELETE/);
  });
});
