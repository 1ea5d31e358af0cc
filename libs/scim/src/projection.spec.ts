import { describe, expect, it } from 'vitest';
import { readSample } from '../test/rfc-samples';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA, projectAttributes } from './index';

const user = readSample('rfc7643-8.3-enterprise-user.json');
const group = readSample('rfc7643-8.4-group.json');
const keys = (value: Record<string, unknown>): string[] => Object.keys(value).sort();

describe('projectAttributes (RFC 7644 3.4.2.5, RFC 7643 2.2 "returned")', () => {
  it('returns the default set without parameters: everything but the password (returned never)', () => {
    const projected = projectAttributes(user, {}, 'User');
    const { password: _password, ...expected } = user;
    expect(projected).toEqual(expected);
  });

  it('attributes: the named ones plus returned-always (id, schemas), never the password', () => {
    const projected = projectAttributes(user, { attributes: ['userName', 'password'] }, 'User');
    expect(projected).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: 'bjensen@example.com' });
  });

  it('userName is returned "default", not "always": attributes=displayName leaves it out', () => {
    expect(keys(projectAttributes(user, { attributes: 'displayName' }, 'User'))).toEqual(['displayName', 'id', 'schemas']);
  });

  it('sub-attribute paths keep only those sub-attributes, of every value', () => {
    const projected = projectAttributes(user, { attributes: ['name.familyName', 'emails.value', 'meta.lastModified'] }, 'User');
    expect(projected).toEqual({
      schemas: [USER_SCHEMA],
      id: user.id,
      name: { familyName: 'Jensen' },
      emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }],
      meta: { lastModified: '2011-05-13T04:42:34Z' },
    });
  });

  it('is case-insensitive and comma-separated strings work (query-string form)', () => {
    const projected = projectAttributes(user, { attributes: 'USERNAME, Name.GivenName' }, 'User');
    expect(projected).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: 'bjensen@example.com', name: { givenName: 'Barbara' } });
  });

  it('understands extension-qualified names and whole extensions', () => {
    const one = projectAttributes(user, { attributes: [`${ENTERPRISE_USER_SCHEMA}:manager.value`] }, 'User');
    expect(one).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: user.id,
      [ENTERPRISE_USER_SCHEMA]: { manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
    });
    const whole = projectAttributes(user, { attributes: [ENTERPRISE_USER_SCHEMA.toLowerCase()] }, 'User');
    expect(whole[ENTERPRISE_USER_SCHEMA]).toEqual(user[ENTERPRISE_USER_SCHEMA]);
  });

  it('excludedAttributes removes from the default set, never returned-always attributes', () => {
    const projected = projectAttributes(user, { excludedAttributes: ['emails', 'id', 'schemas', 'name.middleName', ENTERPRISE_USER_SCHEMA] }, 'User');
    expect(projected.emails).toBeUndefined();
    expect(projected.id).toBe(user.id);
    expect(projected.password).toBeUndefined();
    expect(projected.name).toEqual({
      formatted: 'Ms. Barbara J Jensen, III',
      familyName: 'Jensen',
      givenName: 'Barbara',
      honorificPrefix: 'Ms.',
      honorificSuffix: 'III',
    });
    // The extension is gone, and "schemas" no longer names it.
    expect(projected[ENTERPRISE_USER_SCHEMA]).toBeUndefined();
    expect(projected.schemas).toEqual([USER_SCHEMA]);
  });

  it('excludes an extension attribute by its qualified name', () => {
    const projected = projectAttributes(user, { excludedAttributes: `${ENTERPRISE_USER_SCHEMA}:manager` }, 'User');
    const { manager: _manager, ...rest } = user[ENTERPRISE_USER_SCHEMA] as Record<string, unknown>;
    expect(projected[ENTERPRISE_USER_SCHEMA]).toEqual(rest);
  });

  it('applies to Groups', () => {
    expect(projectAttributes(group, { attributes: ['members.value'] }, 'Group')).toEqual({
      schemas: group.schemas,
      id: group.id,
      members: [{ value: '2819c223-7f76-453a-919d-413861904646' }, { value: '902c246b-6245-4190-8e05-00816be7344a' }],
    });
    expect(keys(projectAttributes(group, { excludedAttributes: 'members' }, 'Group'))).toEqual(['displayName', 'id', 'meta', 'schemas']);
  });

  it('ignores names the resource type does not have and does not change the input', () => {
    const before = JSON.stringify(user);
    expect(keys(projectAttributes(user, { attributes: ['shoeSize', 'userName'] }, 'User'))).toEqual(['id', 'schemas', 'userName']);
    expect(JSON.stringify(user)).toBe(before);
  });
});
