import { describe, expect, it } from 'vitest';
import { ValidationError } from '@provisioning/errors';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, needsRehash, verifyPassword } from './index';

const FORMAT = /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

describe('password hashing', () => {
  it('hashes with scrypt N=2^15, r=8, p=1, a 16-byte salt and a PHC-style string', async () => {
    const stored = await hashPassword('test123');
    expect(stored).toMatch(FORMAT);
    expect(stored).not.toContain('test123');
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ ln: 15, r: 8, p: 1 });
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
  });

  it('verifies the right password only', async () => {
    const stored = await hashPassword('pässwörd-ü');
    expect(await verifyPassword('pässwörd-ü', stored)).toBe(true);
    expect(await verifyPassword('pässwörd-u', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('reads the parameters from the stored string, so they can be raised later', async () => {
    const weaker = await hashPassword('secret', { ln: 12, r: 8, p: 1 });
    expect(weaker.startsWith('$scrypt$ln=12,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('secret', weaker)).toBe(true);
    expect(needsRehash(weaker)).toBe(true);
    expect(needsRehash(await hashPassword('secret'))).toBe(false);
    expect(needsRehash(await hashPassword('secret'), { ln: 16, r: 8, p: 1 })).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['other scheme', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
    ['absurd cost', '$scrypt$ln=30,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g'],
    ['truncated hash', '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA'],
    ['plain text', 'test123'],
  ])('never verifies a malformed stored value (%s) and asks for a rehash', async (_label, stored) => {
    expect(await verifyPassword('test123', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it('refuses unsafe parameters', async () => {
    await expect(hashPassword('x', { ln: 15, r: 8, p: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(hashPassword('x', { ln: 22, r: 8, p: 1 })).rejects.toThrow(/needs more than 256 MiB/);
  });
});
