import { describe, expect, it } from 'vitest';
import { ValidationError } from '@provisioning/errors';
import { CredentialCache } from './index';

const cred = { tenantDomain: 'carbon.super', username: 'admin@wso2.com', password: 'admin' };
const user = { userId: 'u-1', passwordHash: '$scrypt$ln=15,r=8,p=1$salt$hash-v1' };

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('CredentialCache', () => {
  it('misses, then hits after remember', () => {
    const cache = new CredentialCache();
    expect(cache.lookup(cred, user)).toBe(false);
    cache.remember(cred, user);
    expect(cache.lookup(cred, user)).toBe(true);
  });

  it.each([
    ['another password', { ...cred, password: 'admin2' }, user],
    ['another username', { ...cred, username: 'Admin@wso2.com' }, user],
    ['another tenant', { ...cred, tenantDomain: 'wso2.com' }, user],
    ['a changed stored hash (password changed elsewhere)', cred, { ...user, passwordHash: '$scrypt$ln=15,r=8,p=1$salt$hash-v2' }],
    ['another user with the same name (re-created)', cred, { ...user, userId: 'u-2' }],
  ])('misses for %s', (_label, presented, current) => {
    const cache = new CredentialCache();
    cache.remember(cred, user);
    expect(cache.lookup(presented, current)).toBe(false);
  });

  it('expires entries after the TTL, counted from the verification', () => {
    const c = clock();
    const cache = new CredentialCache({ ttlMs: 60_000, now: c.now });
    cache.remember(cred, user);
    c.advance(59_999);
    expect(cache.lookup(cred, user)).toBe(true);
    c.advance(1);
    expect(cache.lookup(cred, user)).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('drops a user on invalidateUser and keeps the others', () => {
    const cache = new CredentialCache();
    const other = { tenantDomain: 'carbon.super', username: 'kim@wso2.com', password: 'test123' };
    const otherUser = { userId: 'u-2', passwordHash: 'h' };
    cache.remember(cred, user);
    cache.remember({ ...cred, username: 'ADMIN@wso2.com' }, user);
    cache.remember(other, otherUser);
    cache.invalidateUser('u-1');
    expect(cache.size).toBe(1);
    expect(cache.lookup(cred, user)).toBe(false);
    expect(cache.lookup(other, otherUser)).toBe(true);
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new CredentialCache({ maxEntries: 2 });
    const a = { ...cred, password: 'a' };
    const b = { ...cred, password: 'b' };
    const c = { ...cred, password: 'c' };
    cache.remember(a, user);
    cache.remember(b, user);
    expect(cache.lookup(a, user)).toBe(true); // a is now the most recent
    cache.remember(c, user);
    expect(cache.size).toBe(2);
    expect(cache.lookup(b, user)).toBe(false);
    expect(cache.lookup(a, user)).toBe(true);
    expect(cache.lookup(c, user)).toBe(true);
  });

  it('keys by a process-secret HMAC: another secret never hits', () => {
    const secret = new Uint8Array(32).fill(7);
    const one = new CredentialCache({ secret });
    one.remember(cred, user);
    expect(new CredentialCache({ secret: new Uint8Array(32).fill(8) }).lookup(cred, user)).toBe(false);
    expect(one.lookup(cred, user)).toBe(true);
  });

  it('never caches credentials containing NUL (the key would be ambiguous)', () => {
    const cache = new CredentialCache();
    const tricky = { tenantDomain: 'carbon.super', username: 'admin@wso2.com\0admin', password: '' };
    cache.remember(tricky, user);
    expect(cache.size).toBe(0);
    expect(cache.lookup(tricky, user)).toBe(false);
  });

  it.each([
    [{ ttlMs: 0 }, 'ttlMs must be positive'],
    [{ maxEntries: 0 }, 'maxEntries must be a positive integer'],
    [{ secret: new Uint8Array(8) }, 'at least 16 bytes'],
  ])('rejects bad options %j', (options, message) => {
    expect(() => new CredentialCache(options)).toThrow(ValidationError);
    expect(() => new CredentialCache(options)).toThrow(message);
  });
});
