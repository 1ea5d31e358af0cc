import { describe, expect, it } from 'vitest';
import { expectScimError } from '../test/expect-scim-error';
import { readSample } from '../test/rfc-samples';
import { attribute } from './attribute-builder';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_RESOURCE_TYPE, USER_SCHEMA, extractPassword, projectAttributes, validateResource } from './index';
import type { ResourceTypeDefinition, ResourceTypeName, ScimResource } from './index';

const create = (body: unknown, type: ResourceTypeName = 'User'): ScimResource => validateResource(body, type, { mode: 'create' }).resource;

/** What the server owns (readOnly): dropped from input, added back when the resource is stored. */
function serverOwned(sample: ScimResource): { stripped: ScimResource; owned: ScimResource; manager?: unknown } {
  const { id, meta, groups, ...stripped } = sample;
  const owned: ScimResource = { id, meta, ...(groups === undefined ? {} : { groups }) };
  if (Array.isArray(sample.members)) {
    // members.display is readOnly (the server shows the member's name): dropped, then the server's.
    stripped.members = (sample.members as Record<string, unknown>[]).map(({ display: _display, ...member }) => member);
    owned.members = sample.members;
  }
  const extension = stripped[ENTERPRISE_USER_SCHEMA] as Record<string, unknown> | undefined;
  if (!extension) return { stripped, owned };
  const { displayName, ...manager } = extension.manager as Record<string, unknown>;
  return { stripped: { ...stripped, [ENTERPRISE_USER_SCHEMA]: { ...extension, manager } }, owned, manager: displayName };
}

describe('RFC 7643 examples round-trip through validateResource + projectAttributes', () => {
  const examples: [string, ResourceTypeName, string | undefined][] = [
    ['rfc7643-8.1-minimal-user.json', 'User', undefined],
    ['rfc7643-8.2-full-user.json', 'User', 't1meMa$heen'],
    ['rfc7643-8.3-enterprise-user.json', 'User', 't1meMa$heen'],
    ['rfc7643-8.4-group.json', 'Group', undefined],
  ];

  it.each(examples)('%s', (file, type, password) => {
    const sample = readSample(file);
    const { resource, warnings } = validateResource(sample, type, { mode: 'create' });
    const { stripped, owned, manager } = serverOwned(sample);
    // Validation keeps everything the client may send and drops exactly the readOnly attributes.
    expect(resource).toEqual(stripped);
    expect(warnings).toEqual([]);
    // PUT of the same representation is accepted too.
    expect(validateResource(sample, type, { mode: 'replace', existing: sample }).resource).toEqual(stripped);
    // The password is taken out for hashing.
    const extracted = extractPassword(resource);
    expect(extracted.password).toBe(password);
    expect(extracted.resource.password).toBeUndefined();
    // Stored with the server's attributes and served: identical to the example, without the password.
    const stored: ScimResource = { ...resource, ...owned };
    if (manager !== undefined) {
      const extension = stored[ENTERPRISE_USER_SCHEMA] as Record<string, unknown>;
      stored[ENTERPRISE_USER_SCHEMA] = { ...extension, manager: { ...(extension.manager as object), displayName: manager } };
    }
    const { password: _password, ...served } = sample;
    expect(projectAttributes(stored, {}, type)).toEqual(served);
  });
});

describe('validateResource: SCIM 1.x compatibility', () => {
  it("accepts the WSO2 guide's request (SCIM 1.0 URN, plain-string email)", () => {
    const body = {
      schemas: ['urn:scim:schemas:core:1.0'],
      userName: 'kim@wso2.com',
      password: 'test123',
      name: { familyName: 'paul' },
      emails: ['kim@wso2.com'],
      entitlements: [{ value: '00e2x000001AT3y', display: 'ChatterFreeUser' }],
    };
    const { resource, password } = extractPassword(create(body));
    expect(password).toBe('test123');
    expect(resource).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'kim@wso2.com',
      name: { familyName: 'paul' },
      emails: [{ value: 'kim@wso2.com', primary: true }],
      entitlements: [{ value: '00e2x000001AT3y', display: 'ChatterFreeUser' }],
    });
  });

  it('rewrites the SCIM 1.0 core URN of a Group too', () => {
    expect(create({ schemas: ['urn:scim:schemas:core:1.0'], displayName: 'G', members: ['u1'] }, 'Group')).toEqual({
      schemas: [GROUP_SCHEMA],
      displayName: 'G',
      members: [{ value: 'u1' }],
    });
  });

  it('marks only the first plain email primary, and wraps other plain values', () => {
    const resource = create({ schemas: [USER_SCHEMA], userName: 'k', emails: ['a@x.org', 'b@x.org'], phoneNumbers: ['555'] });
    expect(resource.emails).toEqual([{ value: 'a@x.org', primary: true }, { value: 'b@x.org' }]);
    expect(resource.phoneNumbers).toEqual([{ value: '555' }]);
  });

  it('rewrites the SCIM 1.0 enterprise extension (managerId becomes value)', () => {
    const resource = create({
      schemas: ['urn:scim:schemas:core:1.0', 'urn:scim:schemas:extension:enterprise:1.0'],
      userName: 'k',
      'urn:scim:schemas:extension:enterprise:1.0': { employeeNumber: '7', manager: { managerId: 'm1' } },
    });
    expect(resource).toEqual({ schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA], userName: 'k', [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '7', manager: { value: 'm1' } } });
  });
});

describe('validateResource: normalisation', () => {
  it('spells names as the schema does, drops unassigned values, coerces "true"', () => {
    const resource = create({ SCHEMAS: [USER_SCHEMA], USERNAME: 'k', Name: { GivenName: 'Kim', familyName: null }, nickName: null, emails: [], ACTIVE: 'true' });
    expect(resource).toEqual({ schemas: [USER_SCHEMA], userName: 'k', name: { givenName: 'Kim' }, active: true });
  });

  it('derives schemas from the content', () => {
    expect(create({ schemas: [USER_SCHEMA], userName: 'k', [ENTERPRISE_USER_SCHEMA]: { costCenter: '1' } }).schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
    expect(create({ schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA], userName: 'k' }).schemas).toEqual([USER_SCHEMA]);
  });

  it('only warns about non-canonical values', () => {
    const { resource, warnings } = validateResource(
      { schemas: [USER_SCHEMA], userName: 'k', emails: [{ value: 'a@x', type: 'Work' }, { value: 'b@x', type: 'private' }] },
      'User',
      { mode: 'create' },
    );
    expect((resource.emails as unknown[]).length).toBe(2);
    expect(warnings).toEqual([{ path: 'emails[1].type', message: expect.stringContaining('"private"') }]);
  });

  it('ignores readOnly attributes, whatever their content (RFC 7644 3.3)', () => {
    const resource = create({ schemas: [USER_SCHEMA], userName: 'k', id: 'mine', meta: 'garbage', groups: [{ value: 'g' }] });
    expect(resource).toEqual({ schemas: [USER_SCHEMA], userName: 'k' });
  });
});

describe('validateResource: errors', () => {
  it.each([
    ['not an object', 'nope'],
    ['no schemas', { userName: 'k' }],
    ['schemas not strings', { schemas: [1], userName: 'k' }],
    ['schemas without the core URN', { schemas: [ENTERPRISE_USER_SCHEMA], userName: 'k' }],
    ['unknown schema URN', { schemas: [USER_SCHEMA, 'urn:example:custom'], userName: 'k' }],
    ['unknown attribute', { schemas: [USER_SCHEMA], userName: 'k', shoeSize: 42 }],
    ['unknown sub-attribute', { schemas: [USER_SCHEMA], userName: 'k', name: { shoe: 'x' } }],
    ['unknown extension attribute', { schemas: [USER_SCHEMA], userName: 'k', [ENTERPRISE_USER_SCHEMA]: { shoe: 'x' } }],
    ['unknown extension object', { schemas: [USER_SCHEMA], userName: 'k', 'urn:example:custom': { a: 1 } }],
    ['a name twice', { schemas: [USER_SCHEMA], userName: 'k', USERNAME: 'j' }],
  ])('%s -> invalidSyntax', (_label, body) => {
    expectScimError(() => create(body), 'invalidSyntax');
  });

  it.each([
    ['missing userName', { schemas: [USER_SCHEMA] }],
    ['blank userName', { schemas: [USER_SCHEMA], userName: '  ' }],
    ['userName not a string', { schemas: [USER_SCHEMA], userName: 7 }],
    ['boolean', { schemas: [USER_SCHEMA], userName: 'k', active: 'yes' }],
    ['multi-valued not an array', { schemas: [USER_SCHEMA], userName: 'k', emails: 'a@x' }],
    ['complex not an object', { schemas: [USER_SCHEMA], userName: 'k', name: 'Kim' }],
    ['two primaries', { schemas: [USER_SCHEMA], userName: 'k', emails: [{ value: 'a', primary: true }, { value: 'b', primary: true }] }],
    ['binary not base64', { schemas: [USER_SCHEMA], userName: 'k', x509Certificates: [{ value: 'not base64!' }] }],
    ['password not a string', { schemas: [USER_SCHEMA], userName: 'k', password: 123 }],
    ['extension not an object', { schemas: [USER_SCHEMA], userName: 'k', [ENTERPRISE_USER_SCHEMA]: 'x' }],
  ])('%s -> invalidValue', (_label, body) => {
    expectScimError(() => create(body), 'invalidValue');
  });

  it('Group: displayName is required; User schemas are refused', () => {
    expectScimError(() => create({ schemas: [GROUP_SCHEMA], members: [] }, 'Group'), 'invalidValue');
    expectScimError(() => create({ schemas: [USER_SCHEMA], displayName: 'G' }, 'Group'), 'invalidSyntax');
    expect(create({ schemas: [GROUP_SCHEMA], displayName: 'G' }, 'Group')).toEqual({ schemas: [GROUP_SCHEMA], displayName: 'G' });
  });
});

describe('validateResource: replace and immutable attributes (RFC 7644 3.5.1)', () => {
  const withBadge: ResourceTypeDefinition = {
    ...USER_RESOURCE_TYPE,
    schema: { ...USER_RESOURCE_TYPE.schema, attributes: [...USER_RESOURCE_TYPE.schema.attributes, attribute('badge', 'string', 'Badge', { mutability: 'immutable' })] },
  };
  const existing = { schemas: [USER_SCHEMA], id: '1', userName: 'k', badge: 'B-1' };

  it('keeps the stored value when the body omits it, accepts the same value', () => {
    expect(validateResource({ schemas: [USER_SCHEMA], userName: 'k2' }, withBadge, { mode: 'replace', existing }).resource).toEqual({ schemas: [USER_SCHEMA], userName: 'k2', badge: 'B-1' });
    expect(validateResource({ schemas: [USER_SCHEMA], userName: 'k', BADGE: 'B-1' }, withBadge, { mode: 'replace', existing }).resource.badge).toBe('B-1');
  });

  it('refuses another value with mutability, but sets one when there was none', () => {
    expectScimError(() => validateResource({ schemas: [USER_SCHEMA], userName: 'k', badge: 'B-2' }, withBadge, { mode: 'replace', existing }), 'mutability');
    const { badge: _badge, ...withoutBadge } = existing;
    expect(validateResource({ schemas: [USER_SCHEMA], userName: 'k', badge: 'B-2' }, withBadge, { mode: 'replace', existing: withoutBadge }).resource.badge).toBe('B-2');
    expect(validateResource({ schemas: [USER_SCHEMA], userName: 'k', badge: 'B-2' }, withBadge, { mode: 'create' }).resource.badge).toBe('B-2');
  });
});

describe('extractPassword', () => {
  it('takes the password out, whatever the case of the key, without changing the input', () => {
    const input = { schemas: [USER_SCHEMA], userName: 'k', Password: 's3cret' };
    expect(extractPassword(input)).toEqual({ resource: { schemas: [USER_SCHEMA], userName: 'k' }, password: 's3cret' });
    expect(input.Password).toBe('s3cret');
  });

  it('handles no password, null, and refuses non-strings', () => {
    expect(extractPassword({ userName: 'k' })).toEqual({ resource: { userName: 'k' } });
    expect(extractPassword({ userName: 'k', password: null })).toEqual({ resource: { userName: 'k' } });
    expectScimError(() => extractPassword({ password: 5 }), 'invalidValue');
  });
});

describe('members.display is readOnly (issue 10)', () => {
  it('ignores a display a client sends for a member, on create and on replace', () => {
    const body = { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides', members: [{ value: 'u1', display: 'Anything At All' }, { value: 'u2', type: 'User' }] };
    expect(create(body, 'Group').members).toEqual([{ value: 'u1' }, { value: 'u2', type: 'User' }]);
    const existing = { schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Tour Guides', members: [{ value: 'u1', display: 'Babs' }] };
    const replaced = validateResource({ ...body, members: [{ value: 'u1', display: 'Other' }] }, 'Group', { mode: 'replace', existing }).resource;
    expect(replaced.members).toEqual([{ value: 'u1' }]);
  });
});
