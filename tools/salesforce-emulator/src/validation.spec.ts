import { describe, expect, it } from 'vitest';
import { SalesforceApiError } from './salesforce-error';
import { USER_LOGIN_SCHEMA, USER_SCHEMA } from './schema';
import { coerceFields, usernameProblem, validateRecord } from './validation';

const complete = {
  Username: 'jane@example.com',
  LastName: 'Doe',
  Email: 'jane@example.com',
  Alias: 'jdoe',
  TimeZoneSidKey: 'America/Los_Angeles',
  LocaleSidKey: 'en_US',
  EmailEncodingKey: 'UTF-8',
  ProfileId: '00e2x000001AT3y',
  LanguageLocaleKey: 'en_US',
};

function apiErrorOf(fn: () => unknown): SalesforceApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SalesforceApiError) return err;
    throw err;
  }
  throw new Error('expected a SalesforceApiError');
}

describe('coerceFields', () => {
  it('maps field names case-insensitively to canonical names and ignores attributes', () => {
    const values = coerceFields(USER_SCHEMA, { attributes: { type: 'User' }, username: 'a@b.co', isactive: false });
    expect([...values.entries()]).toEqual([['Username', 'a@b.co'], ['IsActive', false]]);
  });

  it('turns empty strings into null', () => {
    expect(coerceFields(USER_SCHEMA, { FirstName: '' }).get('FirstName')).toBeNull();
  });

  it('rejects unknown fields with INVALID_FIELD', () => {
    const err = apiErrorOf(() => coerceFields(USER_SCHEMA, { Nickname__c: 'x' }));
    expect(err.status).toBe(400);
    expect(err.errors[0]).toEqual({ errorCode: 'INVALID_FIELD', message: "No such column 'Nickname__c' on sobject of type User" });
  });

  it('rejects strings in boolean fields with JSON_PARSER_ERROR', () => {
    const err = apiErrorOf(() => coerceFields(USER_SCHEMA, { UserPermissionsMarketingUser: 'false' }));
    expect(err.errors[0].errorCode).toBe('JSON_PARSER_ERROR');
    expect(err.errors[0].message).toContain('Cannot deserialize instance of boolean from VALUE_STRING value false');
  });

  it('rejects non-object bodies', () => {
    expect(apiErrorOf(() => coerceFields(USER_SCHEMA, [complete])).errors[0].errorCode).toBe('JSON_PARSER_ERROR');
  });
});

describe('validateRecord', () => {
  const check = (body: Record<string, unknown>, mode: 'create' | 'update' = 'create') =>
    validateRecord(USER_SCHEMA, coerceFields(USER_SCHEMA, body), mode);

  it('accepts a complete user', () => {
    expect(check(complete)).toBeUndefined();
  });

  it('lists every missing required field', () => {
    const { Alias: _a, TimeZoneSidKey: _t, ...rest } = complete;
    expect(check({ ...rest, Email: '' })).toEqual({
      statusCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [Email, Alias, TimeZoneSidKey]',
      fields: ['Email', 'Alias', 'TimeZoneSidKey'],
    });
  });

  it('on update only complains about required fields set to null', () => {
    expect(check({ FirstName: 'J' }, 'update')).toBeUndefined();
    expect(check({ LastName: null }, 'update')?.fields).toEqual(['LastName']);
  });

  it('rejects read-only fields', () => {
    expect(check({ ...complete, Name: 'x', CreatedDate: '2024-01-01T00:00:00.000+0000' })).toMatchObject({
      statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      fields: ['Name', 'CreatedDate'],
    });
  });

  it('enforces lengths, username and email shape, and picklists', () => {
    expect(check({ ...complete, Alias: 'ninechars' })).toMatchObject({ statusCode: 'STRING_TOO_LONG', fields: ['Alias'] });
    expect(check({ ...complete, Username: 'not-an-email' })).toMatchObject({ statusCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['Username'] });
    expect(check({ ...complete, Username: `${'a'.repeat(70)}@example.com` })).toMatchObject({ statusCode: 'FIELD_INTEGRITY_EXCEPTION' });
    expect(check({ ...complete, Email: 'nope' })).toMatchObject({ statusCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] });
    expect(check({ ...complete, TimeZoneSidKey: 'Mars/Olympus' })).toMatchObject({
      statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: 'Time Zone: bad value for restricted picklist field: Mars/Olympus',
      fields: ['TimeZoneSidKey'],
    });
    expect(check({ ...complete, LocaleSidKey: 'en_us' })?.statusCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  });

  it('accepts the common picklist values', () => {
    for (const tz of ['America/Los_Angeles', 'Europe/London', 'Asia/Colombo']) expect(check({ ...complete, TimeZoneSidKey: tz })).toBeUndefined();
    for (const enc of ['UTF-8', 'ISO-8859-1']) expect(check({ ...complete, EmailEncodingKey: enc })).toBeUndefined();
    expect(check({ ...complete, LocaleSidKey: 'en_GB', LanguageLocaleKey: 'en_GB' })).toBeUndefined();
  });

  it('allows only IsFrozen on UserLogin', () => {
    expect(validateRecord(USER_LOGIN_SCHEMA, coerceFields(USER_LOGIN_SCHEMA, { IsFrozen: true }), 'update')).toBeUndefined();
    expect(validateRecord(USER_LOGIN_SCHEMA, coerceFields(USER_LOGIN_SCHEMA, { UserId: '005000000000001' }), 'update')?.statusCode).toBe(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
    );
  });
});

describe('usernameProblem', () => {
  it('accepts email-shaped usernames up to 80 characters', () => {
    expect(usernameProblem('a.b+c@sub.example.org')).toBeUndefined();
    expect(usernameProblem(`${'a'.repeat(68)}@example.com`)).toBeUndefined();
    expect(usernameProblem(`${'a'.repeat(69)}@example.com`)).toBeDefined();
    expect(usernameProblem('a@b')).toBeDefined();
    expect(usernameProblem('a b@c.com')).toBeDefined();
  });
});
