import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { booleanProperty, connectorIdOf, enumProperty, parseProperties, Secret, secretProperty, urlProperty } from './index';
import type { ConnectorManifest } from './index';

const manifest: ConnectorManifest = {
  type: 'demo',
  connectorId: connectorIdOf('demo'),
  displayName: 'Demo',
  description: 'demo',
  capabilities: { users: { create: false, update: false, deprovision: false }, groups: false, passwords: false, preview: false, connectionTest: false },
  properties: [
    { key: 'url', displayName: 'URL', type: 'url', isMandatory: true, isConfidential: false },
    { key: 'secret', displayName: 'Secret', type: 'secret', isMandatory: true, isConfidential: true },
    { key: 'flag', displayName: 'Flag', type: 'boolean', isMandatory: false, isConfidential: false, defaultValue: 'true' },
  ],
};
const schema = z.object({ url: urlProperty, secret: secretProperty, flag: booleanProperty });

describe('parseProperties', () => {
  it('applies defaults and wraps secrets', () => {
    const config = parseProperties(manifest, schema, { url: 'https://x.example', secret: 's3cr3t' });
    expect(config.flag).toBe(true);
    expect(config.secret).toBeInstanceOf(Secret);
    expect(config.secret.reveal()).toBe('s3cr3t');
    expect(JSON.stringify(config)).not.toContain('s3cr3t');
    expect(inspect(config)).not.toContain('s3cr3t');
    expect(`${config.secret}`).toBe('[REDACTED]');
  });

  it('names every missing mandatory key', () => {
    expect(() => parseProperties(manifest, schema, {})).toThrow(/url: is required.*secret: is required/);
  });

  it('names the key, the value and the reason for a bad value, but never a secret value', () => {
    expect(() => parseProperties(manifest, schema, { url: 'ftp://example.com', secret: 'zz', flag: 'maybe' })).toThrow(
      /url: must be an https URL.*"ftp:\/\/example.com".*flag: must be true or false \(value "maybe"\)/,
    );
    try {
      parseProperties(manifest, schema, { url: 'nope', secret: 'topsecret', extra: '1' });
    } catch (error) {
      expect((error as Error).message).toContain('extra');
      expect((error as Error).message).not.toContain('topsecret');
    }
  });

  it('accepts http(s) URLs only (where they may point is the egress policy of the host)', () => {
    expect(parseProperties(manifest, schema, { url: 'https://login.salesforce.com', secret: 'x' }).url).toBe('https://login.salesforce.com');
    expect(() => parseProperties(manifest, schema, { url: 'ftp://a', secret: 'x' })).toThrow(/must be an https URL/);
    expect(() => parseProperties(manifest, schema, { url: 'nope', secret: 'x' })).toThrow(/not a valid URL/);
  });

  it('derives the WSO2 connector ids', () => {
    expect(connectorIdOf('salesforce')).toBe('c2FsZXNmb3JjZQ');
    expect(connectorIdOf('googleapps')).toBe('Z29vZ2xlYXBwcw');
    expect(connectorIdOf('facebook')).toBe('ZmFjZWJvb2s');
    expect(connectorIdOf('SCIM2')).toBe('U0NJTTI');
  });
});

describe('enumProperty', () => {
  const mode = z.object({ mode: enumProperty(['BASIC', 'BEARER']) });
  const modeManifest: ConnectorManifest = {
    ...manifest,
    properties: [{ key: 'mode', displayName: 'Mode', type: 'string', isMandatory: true, isConfidential: false, options: ['BASIC', 'BEARER'] }],
  };

  it('accepts any case and yields the canonical spelling', () => {
    expect(parseProperties(modeManifest, mode, { mode: 'bearer' }).mode).toBe('BEARER');
  });

  it('lists the allowed values in its message', () => {
    expect(() => parseProperties(modeManifest, mode, { mode: 'digest' })).toThrow(/mode: must be one of BASIC, BEARER \(value "digest"\)/);
  });
});

describe('isPrivilegedField', () => {
  it('matches names and prefix patterns, in any case', async () => {
    const { isPrivilegedField } = await import('./index');
    const manifest = { privilegedFields: ['ProfileId', 'UserPermissions*'] };
    expect(isPrivilegedField(manifest, 'profileid')).toBe(true);
    expect(isPrivilegedField(manifest, 'UserPermissionsMarketingUser')).toBe(true);
    expect(isPrivilegedField(manifest, 'LastName')).toBe(false);
    expect(isPrivilegedField({}, 'ProfileId')).toBe(false);
  });
});
