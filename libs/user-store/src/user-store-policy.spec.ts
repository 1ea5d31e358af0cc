import { describe, expect, it } from 'vitest';
import { ValidationError } from '@provisioning/errors';
import { UserStorePolicy, usernameKey } from './index';

const EMAIL_REGEX = String.raw`^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,4}$`;

function thrown(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('UserStorePolicy rules', () => {
  const policy = new UserStorePolicy({ usernameRegex: EMAIL_REGEX, enableEmailDomain: true });

  it('has the contract defaults: usernames 3-255 without whitespace, passwords 5-256 with spaces, no control characters', () => {
    const defaults = new UserStorePolicy();
    expect(defaults.enableEmailDomain).toBe(false);
    expect(defaults.superTenantDomain).toBe('carbon.super');
    expect(defaults.usernameRegexSource).toBe('^[\\S]{3,255}$');
    expect(defaults.passwordRegexSource).toBe('^[^\\p{Cc}]{5,256}$');
    // What third-party SCIM suites send: 36-character ids and long email addresses.
    expect(() => defaults.validateUsername('0b7b2d5e-8f0c-4d7e-9d8e-3c7a1f2b4e6d')).not.toThrow();
    expect(() => defaults.validateUsername(`${'long.name'.repeat(10)}@subdomain.example.com`)).not.toThrow();
    expect(() => defaults.validateUsername('x'.repeat(256))).toThrow();
    expect(() => defaults.validatePassword('test123')).not.toThrow();
    expect(() => defaults.validatePassword('correct horse battery staple')).not.toThrow();
    expect(() => defaults.validatePassword('x'.repeat(257))).toThrow();
  });

  it('refuses control characters in usernames and passwords whatever the rule', () => {
    const lax = new UserStorePolicy({ usernameRegex: '.+', passwordRegex: '[\\s\\S]+' });
    expect(() => lax.validatePassword('password\u0000')).toThrow(/control character/);
    expect(() => lax.validatePassword('pass\u0085word')).toThrow(/control character/);
    expect(() => lax.validateUsername('kim\u0007')).toThrow(/control character/);
    expect(thrown(() => lax.validateUsername('kim\u0000')).message).toContain('kim\\u0000');
  });

  it('refuses usernames longer than 1024 characters whatever the rule', () => {
    const lax = new UserStorePolicy({ usernameRegex: '.+' });
    expect(() => lax.validateUsername('x'.repeat(1024))).not.toThrow();
    expect(() => lax.validateUsername('x'.repeat(1025))).toThrow(/longer than 1024 characters/);
  });

  it('echoes at most 200 characters of a refused username', () => {
    const error = thrown(() => policy.validateUsername('y'.repeat(1_500_000)));
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toContain('1500000 characters');
  });

  it('fails to build with a broken rule, naming the key', () => {
    expect(thrown(() => new UserStorePolicy({ passwordRegex: '[', passwordRegexKey: 'user_store.password_java_regex' })).message).toContain(
      "Invalid regular expression in user_store.password_java_regex = '['",
    );
  });

  it('accepts a username that matches and rejects one that does not, showing the rule', () => {
    expect(() => policy.validateUsername('kim@wso2.com')).not.toThrow();
    const error = thrown(() => policy.validateUsername('kim'));
    expect(error.scimType).toBe('invalidValue');
    expect(error.message).toBe(
      `The username "kim" does not satisfy the username rule (user_store.username_java_script_regex): it must match ${EMAIL_REGEX}`,
    );
  });

  it('rejects a bad password without ever showing it', () => {
    expect(() => policy.validatePassword('test123')).not.toThrow();
    for (const secret of ['abc', 'x'.repeat(257)]) {
      const error = thrown(() => policy.validatePassword(secret));
      expect(error.scimType).toBe('invalidValue');
      expect(error.message).toBe('The password does not satisfy the password rule (user_store.password_java_script_regex): it must match ^[^\\p{Cc}]{5,256}$');
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain(secret);
    }
  });

  it('checks the super admin username at start-up with a plain explanation', () => {
    const guide = new UserStorePolicy({ usernameRegex: String.raw`^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,4}$`, enableEmailDomain: true });
    const error = thrown(() => guide.assertSuperAdminUsername('admin@wso2.com'));
    expect(error.message).toContain('a backslash followed by any character');
    expect(error.details).toMatchObject({ key: 'user_store.username_java_script_regex', username: 'admin@wso2.com' });
    expect(() => policy.assertSuperAdminUsername('admin@wso2.com')).not.toThrow();
  });

  it.each([
    ['Kim@WSO2.com', 'kim@wso2.com'],
    ['kim@wso2.com', 'kim@wso2.com'],
    ['E\u0301mile', '\u00e9mile'], // NFD and NFC spellings are one user
  ])('normalises %j to the uniqueness key %j', (input, key) => {
    expect(usernameKey(input)).toBe(key);
    expect(policy.usernameKey(input)).toBe(key);
  });
});

describe('tenant-qualified usernames', () => {
  const email = new UserStorePolicy({ enableEmailDomain: true });
  const plain = new UserStorePolicy({ enableEmailDomain: false });

  it.each([
    // [email domain, input, tenant from path, username, tenant]
    [true, 'tod@gmail.com@wso2.com', undefined, 'tod@gmail.com', 'wso2.com'],
    [true, 'tod@gmail.com', undefined, 'tod@gmail.com', 'carbon.super'],
    [true, 'admin@wso2.com', undefined, 'admin@wso2.com', 'carbon.super'],
    [true, 'admin', undefined, 'admin', 'carbon.super'],
    [true, 'tod@gmail.com@carbon.super', undefined, 'tod@gmail.com', 'carbon.super'],
    [true, 'tod@gmail.com@WSO2.COM', undefined, 'tod@gmail.com', 'wso2.com'],
    [true, 'tod@gmail.com', 'wso2.com', 'tod@gmail.com', 'wso2.com'],
    [true, 'tod@gmail.com@wso2.com', 'wso2.com', 'tod@gmail.com', 'wso2.com'],
    [false, 'tod@wso2.com', undefined, 'tod', 'wso2.com'],
    [false, 'tod', undefined, 'tod', 'carbon.super'],
    [false, 'tod@gmail.com@carbon.super', undefined, 'tod@gmail.com', 'carbon.super'],
    [false, 'tod@gmail.com', undefined, 'tod', 'gmail.com'],
    [false, 'tod', 'wso2.com', 'tod', 'wso2.com'],
    [false, 'tod@wso2.com', 'wso2.com', 'tod', 'wso2.com'],
    [false, 'tod@wso2.com', 'WSO2.com', 'tod', 'wso2.com'],
    [false, 'admin', 'carbon.super', 'admin', 'carbon.super'],
  ] as const)('email domain %s: %j on tenant path %j -> %j in %j', (emailDomain, input, pathTenant, username, tenantDomain) => {
    const policy = emailDomain ? email : plain;
    expect(policy.parseQualifiedUsername(input, pathTenant)).toEqual({ username, tenantDomain });
  });

  it.each([
    [true, 'tod@gmail.com@other.com', 'wso2.com', 'names tenant "other.com" but the request is for tenant "wso2.com"'],
    [false, 'tod@other.com', 'wso2.com', 'names tenant "other.com" but the request is for tenant "wso2.com"'],
    [false, 'tod@carbon.super', 'wso2.com', 'names tenant "carbon.super"'],
    [false, '', undefined, 'The username is empty'],
    [false, '@wso2.com', undefined, 'has no username before "@wso2.com"'],
    [false, 'tod@', undefined, 'names no tenant domain'],
    [true, 'a@b@', undefined, 'names no tenant domain'],
    [false, 'tod@bad_domain!', undefined, '"bad_domain!" is not a valid tenant domain'],
    [false, 'tod', 'not a domain', '"not a domain" is not a valid tenant domain'],
  ] as const)('email domain %s: rejects %j on tenant path %j', (emailDomain, input, pathTenant, message) => {
    const policy = emailDomain ? email : plain;
    const error = thrown(() => policy.parseQualifiedUsername(input, pathTenant));
    expect(error.scimType).toBe('invalidValue');
    expect(error.message).toContain(message);
  });

  it.each([
    // [email domain, username, tenant, qualified]
    [true, 'admin@wso2.com', 'carbon.super', 'admin@wso2.com'],
    [true, 'admin', 'carbon.super', 'admin'],
    [true, 'tod@gmail.com', 'wso2.com', 'tod@gmail.com@wso2.com'],
    [false, 'tod', 'carbon.super', 'tod'],
    [false, 'tod@gmail.com', 'carbon.super', 'tod@gmail.com@carbon.super'],
    [false, 'tod', 'WSO2.com', 'tod@wso2.com'],
    [false, 'tod@gmail.com', 'wso2.com', 'tod@gmail.com@wso2.com'],
  ] as const)('email domain %s: qualifies %j in %j as %j, which parses back', (emailDomain, username, tenant, qualified) => {
    const policy = emailDomain ? email : plain;
    expect(policy.qualify(username, tenant)).toBe(qualified);
    expect(policy.parseQualifiedUsername(qualified)).toEqual({ username, tenantDomain: tenant.toLowerCase() });
  });

  it('refuses to qualify a non-email tenant user when email domains are enabled', () => {
    expect(thrown(() => email.qualify('tod', 'wso2.com')).message).toContain('tenant users must have email usernames');
  });
});
