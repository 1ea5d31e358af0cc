import { describe, expect, it } from 'vitest';
import { EgressPolicy, EgressRefusedError } from './egress-policy';
import { nonPublicReason } from './address-class';
import { parseAllowedHost } from './allowed-hosts';

const policy = new EgressPolicy();

describe('nonPublicReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.3.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.100.100.200', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['fd00:ec2::254', 'unique local'],
  ])('%s is not public (%s)', (address, words) => {
    expect(nonPublicReason(address)).toContain(words);
  });

  it.each(['93.184.216.34', '2606:4700::6810:85e5', '::ffff:93.184.216.34'])('%s is public', (address) => {
    expect(nonPublicReason(address)).toBeUndefined();
  });
});

describe('EgressPolicy.checkUrl (when a configuration is saved)', () => {
  it.each([
    'https://10.0.0.5/services/oauth2/token',
    'https://[fd00::1]/x',
    'https://[::ffff:127.0.0.1]/x',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://127.1/',
    'http://0177.0.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://0.0.0.0/',
    'https://93.184.216.34/',
    'https://localhost/',
    'https://api.localhost/',
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://METADATA.google.internal./',
  ])('refuses %s', (url) => {
    expect(policy.checkUrl(url)).toMatch(/allowed_hosts/);
  });

  it('refuses plain http to a public name, credentials in the URL and other schemes', () => {
    expect(policy.checkUrl('http://login.salesforce.com/services/oauth2/token')).toMatch(/https/);
    expect(policy.checkUrl('https://user:secret@login.salesforce.com/')).toMatch(/credentials/);
    expect(policy.checkUrl('file:///etc/passwd')).toMatch(/https/);
    expect(policy.checkUrl('not a url')).toMatch(/valid URL/);
  });

  it('accepts https names (their addresses are checked on every connection)', () => {
    expect(policy.checkUrl('https://login.salesforce.com/services/oauth2/token')).toBeUndefined();
    // A name that merely starts like a loopback address is a name like any other.
    expect(policy.checkUrl('https://127.0.0.1.evil.example/')).toBeUndefined();
  });

  it('accepts what the operator lists, by host or by host and port, in any spelling of the address', () => {
    const listed = new EgressPolicy({ allowedHosts: ['127.1:8555', 'LocalHost', '[::1]:9443'] });
    expect(listed.checkUrl('http://127.0.0.1:8555/services/oauth2/token')).toBeUndefined();
    expect(listed.checkUrl('http://2130706433:8555/')).toBeUndefined();
    expect(listed.checkUrl('http://127.0.0.1:8556/')).toMatch(/allowed_hosts/);
    expect(listed.checkUrl('http://localhost:1234/')).toBeUndefined();
    expect(listed.checkUrl('http://[::1]:9443/')).toBeUndefined();
    expect(listed.checkUrl('http://[::1]:9444/')).toMatch(/allowed_hosts/);
  });
});

describe('EgressPolicy.resolveChecked (on every connection)', () => {
  const resolving = (answers: Record<string, string[]>) =>
    new EgressPolicy({
      resolver: async (host) => (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    });

  it('refuses a name whose addresses include one that is not public', async () => {
    const p = resolving({ '127.0.0.1.evil.example': ['127.0.0.1'], 'split.example': ['93.184.216.34', '10.1.2.3'], 'mapped.example': ['::ffff:169.254.169.254'] });
    await expect(p.resolveChecked('127.0.0.1.evil.example', 443)).rejects.toThrow(/loopback/);
    await expect(p.resolveChecked('split.example', 443)).rejects.toThrow(/10\.1\.2\.3/);
    await expect(p.resolveChecked('mapped.example', 443)).rejects.toThrow(/link-local/);
  });

  it('answers the checked address itself, so the connection cannot be rebound', async () => {
    const p = resolving({ 'public.example': ['93.184.216.34'] });
    expect(await p.resolveChecked('public.example', 443)).toEqual({ address: '93.184.216.34', family: 4 });
  });

  it('refuses IP literals and local names that are not listed, and lets listed hosts resolve anywhere', async () => {
    await expect(policy.resolveChecked('::1', 443)).rejects.toBeInstanceOf(EgressRefusedError);
    await expect(policy.resolveChecked('169.254.169.254', 80)).rejects.toThrow(/link-local/);
    await expect(policy.resolveChecked('metadata.google.internal', 80)).rejects.toThrow(/metadata/);
    const listed = new EgressPolicy({ allowedHosts: ['emulator.test:8555'], resolver: async () => [{ address: '127.0.0.1', family: 4 }] });
    expect(await listed.resolveChecked('emulator.test', 8555)).toEqual({ address: '127.0.0.1', family: 4 });
    await expect(listed.resolveChecked('emulator.test', 8556)).rejects.toThrow(/loopback/);
  });
});

describe('parseAllowedHost', () => {
  it('reads host and host:port entries and refuses anything else, naming it', () => {
    expect(parseAllowedHost('127.0.0.1:8555')).toEqual({ host: '127.0.0.1', port: 8555 });
    expect(parseAllowedHost('Scim.Example.COM')).toEqual({ host: 'scim.example.com' });
    expect(parseAllowedHost('[::1]:9443')).toEqual({ host: '[::1]', port: 9443 });
    expect(() => parseAllowedHost('http://127.0.0.1:8555')).toThrow(/outbound.allowed_hosts.*http:\/\/127/);
    expect(() => parseAllowedHost('127.0.0.1:99999')).toThrow(/allowed_hosts/);
    expect(() => parseAllowedHost('')).toThrow(/empty/);
  });
});
