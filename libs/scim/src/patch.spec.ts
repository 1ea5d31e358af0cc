import { describe, expect, it } from 'vitest';
import { expectScimError } from '../test/expect-scim-error';
import { readSample } from '../test/rfc-samples';
import { attribute } from './attribute-builder';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_RESOURCE_TYPE, USER_SCHEMA, applyPatch } from './index';
import type { ResourceTypeDefinition, ScimResource } from './index';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const body = (...Operations: Record<string, unknown>[]): Record<string, unknown> => ({ schemas: [PATCH], Operations });
const fullUser = (): ScimResource => readSample('rfc7643-8.2-full-user.json');
const enterpriseUser = (): ScimResource => readSample('rfc7643-8.3-enterprise-user.json');
const minimalUser = (): ScimResource => readSample('rfc7643-8.1-minimal-user.json');
const group = (): ScimResource => readSample('rfc7643-8.4-group.json');
const patchUser = (start: ScimResource, ...operations: Record<string, unknown>[]): ScimResource => applyPatch(start, body(...operations), 'User').resource;

describe('applyPatch: request validation', () => {
  it.each([
    ['not an object', [], 'invalidSyntax'],
    ['no schemas', { Operations: [{ op: 'add', path: 'title', value: 'x' }] }, 'invalidSyntax'],
    ['wrong schema', { schemas: [USER_SCHEMA], Operations: [{ op: 'add', path: 'title', value: 'x' }] }, 'invalidSyntax'],
    ['no operations', { schemas: [PATCH], Operations: [] }, 'invalidSyntax'],
    ['unknown op', body({ op: 'move', path: 'title', value: 'x' }), 'invalidSyntax'],
    ['remove without path', body({ op: 'remove' }), 'noTarget'],
    ['add without value', body({ op: 'add', path: 'title' }), 'invalidValue'],
    ['path not a string', body({ op: 'add', path: 5, value: 'x' }), 'invalidPath'],
  ])('%s -> %s', (_label, request, scimType) => {
    expectScimError(() => applyPatch(minimalUser(), request, 'User'), scimType);
  });

  it('accepts op names and member names in any case', () => {
    const result = applyPatch(minimalUser(), { SCHEMAS: [PATCH], operations: [{ OP: 'ADD', Path: 'title', VALUE: 'Boss' }, { op: 'Replace', path: 'TITLE', value: 'Chief' }] }, 'User');
    expect(result.resource.title).toBe('Chief');
  });
});

describe('applyPatch: paths', () => {
  it.each([
    ['shoeSize'],
    ['name.shoeSize'],
    ['emails[type eq "work"'],
    ['emails[shoeSize eq "x"]'],
    ['emails[type eq]'],
    ['userName[value eq "x"]'],
    ['name[givenName eq "x"]'],
    ['emails[type eq "work"].shoeSize'],
    ['emails[type eq "work"]value'],
    ['urn:example:unknown:attr'],
  ])('%s -> invalidPath', (path) => {
    expectScimError(() => patchUser(fullUser(), { op: 'replace', path, value: 'x' }), 'invalidPath');
  });

  // Issue 10: a value naming an unknown attribute or sub-attribute does not conform to the schema:
  // invalidSyntax, as for unknown attributes on POST/PUT. invalidPath stays for a bad "path" (above).
  it.each([
    ['unknown key in a path-less value', { op: 'add', value: { shoeSize: 42 } }],
    ['unknown sub-attribute key in a path-less value', { op: 'add', value: { 'name.shoeSize': 42 } }],
    ['unknown sub-attribute of a complex value', { op: 'add', path: 'name', value: { bogus: 'x' } }],
    ['unknown sub-attribute in a path-less complex value', { op: 'add', value: { name: { bogus: 'x' } } }],
    ['unknown sub-attribute in a multi-valued value', { op: 'add', path: 'emails', value: [{ value: 'a@x', shoe: 1 }] }],
    ['unknown sub-attribute in a filtered value', { op: 'replace', path: 'emails[type eq "work"]', value: { value: 'a@x', shoe: 1 } }],
    ['unknown attribute in an extension value', { op: 'add', path: ENTERPRISE_USER_SCHEMA, value: { bogus: 'x' } }],
  ])('%s -> invalidSyntax', (_label, operation) => {
    expectScimError(() => patchUser(fullUser(), operation), 'invalidSyntax');
  });

  it('understands URN-qualified paths, with a filter value that contains ":"', () => {
    const start = { ...group(), members: [{ value: 'urn:x:1', display: 'X' }, { value: 'y' }] };
    const result = applyPatch(start, body({ op: 'remove', path: `${GROUP_SCHEMA}:members[value eq "urn:x:1"]` }), 'Group').resource;
    expect(result.members).toEqual([{ value: 'y' }]);
  });
});

describe('applyPatch: add and replace', () => {
  it('replace of a complex attribute merges sub-attributes (RFC 7644 3.5.2.3)', () => {
    const result = patchUser(fullUser(), { op: 'replace', path: 'name', value: { givenName: 'Babs' } });
    expect(result.name).toEqual({ ...(fullUser().name as object), givenName: 'Babs' });
  });

  it('path-less add merges complex attributes too, and accepts dotted and URN-qualified keys', () => {
    const result = patchUser(fullUser(), {
      op: 'add',
      value: { name: { middleName: 'J.' }, 'name.honorificSuffix': 'IV', [`${ENTERPRISE_USER_SCHEMA}:employeeNumber`]: '42' },
    });
    expect(result.name).toMatchObject({ givenName: 'Barbara', middleName: 'J.', honorificSuffix: 'IV' });
    expect(result[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: '42' });
    expect(result.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
  });

  it('replace of a missing attribute adds it; replace with null clears it', () => {
    expect(patchUser(minimalUser(), { op: 'replace', path: 'nickName', value: 'Babs' }).nickName).toBe('Babs');
    expect(patchUser(fullUser(), { op: 'replace', path: 'title', value: null }).title).toBeUndefined();
  });

  it('adding a value with primary true resets the other primary values (RFC 7644 3.5.2)', () => {
    const result = patchUser(fullUser(), { op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'other', primary: true }] });
    expect(result.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'new@example.com', type: 'other', primary: true },
    ]);
    const flipped = patchUser(fullUser(), { op: 'replace', path: 'emails[type eq "home"].primary', value: true });
    expect((flipped.emails as Record<string, unknown>[]).map((email) => email.primary)).toEqual([false, true]);
  });

  it('add with an eq filter that matches nothing creates the value (Azure AD style)', () => {
    const result = patchUser(minimalUser(), { op: 'add', path: 'emails[type eq "work"].value', value: 'bjensen@example.com' });
    expect(result.emails).toEqual([{ type: 'work', value: 'bjensen@example.com' }]);
  });

  it('accepts one value for a multi-valued attribute, SCIM 1.1 plain strings and "False"', () => {
    const result = patchUser(minimalUser(), { op: 'add', path: 'phoneNumbers', value: { value: '555', type: 'work' } }, { op: 'add', path: 'emails', value: ['a@example.com'] }, { op: 'replace', path: 'active', value: 'False' });
    expect(result.phoneNumbers).toEqual([{ value: '555', type: 'work' }]);
    expect(result.emails).toEqual([{ value: 'a@example.com', primary: true }]);
    expect(result.active).toBe(false);
  });

  it('extension: add by extension URN merges, removing its last attribute drops it from schemas', () => {
    const added = patchUser(minimalUser(), { op: 'add', path: ENTERPRISE_USER_SCHEMA, value: { costCenter: '4130', department: 'Tours' } });
    expect(added[ENTERPRISE_USER_SCHEMA]).toEqual({ costCenter: '4130', department: 'Tours' });
    expect(added.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
    const removed = patchUser(added, { op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:costCenter` }, { op: 'remove', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:DEPARTMENT' });
    expect(removed[ENTERPRISE_USER_SCHEMA]).toBeUndefined();
    expect(removed.schemas).toEqual([USER_SCHEMA]);
  });

  it('readOnly sub-attributes inside a value are ignored (manager.displayName stays the server\'s)', () => {
    const result = patchUser(enterpriseUser(), { op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:manager`, value: { value: 'other-id', displayName: 'Someone' } });
    expect((result[ENTERPRISE_USER_SCHEMA] as Record<string, unknown>).manager).toEqual({ value: 'other-id', $ref: '../Users/26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' });
  });

  it('ignores meta in a path-less value and reports no change for same values', () => {
    const result = applyPatch(fullUser(), body({ op: 'replace', value: { meta: { version: 'W/"x"' }, title: 'Tour Guide', id: fullUser().id } }), 'User');
    expect(result.changed).toBe(false);
    expect(result.resource.meta).toEqual(fullUser().meta);
  });
});

describe('applyPatch: remove', () => {
  it('removes a sub-attribute of a singular complex attribute, and the parent when it empties', () => {
    const result = patchUser(minimalUser(), { op: 'add', path: 'name.givenName', value: 'B' }, { op: 'remove', path: 'name.givenName' });
    expect(result.name).toBeUndefined();
  });

  it('removes a sub-attribute of the matching values only', () => {
    const result = patchUser(fullUser(), { op: 'remove', path: 'emails[type eq "work"].primary' });
    expect(result.emails).toEqual([{ value: 'bjensen@example.com', type: 'work' }, { value: 'babs@jensen.org', type: 'home' }]);
  });

  it('supports the non-standard remove-with-value form (members by value)', () => {
    const result = applyPatch(group(), body({ op: 'remove', path: 'members', value: [{ value: '902c246b-6245-4190-8e05-00816be7344a' }] }), 'Group').resource;
    expect((result.members as unknown[]).length).toBe(1);
  });

  it('removing an absent attribute is a no-op', () => {
    const result = applyPatch(minimalUser(), body({ op: 'remove', path: 'nickName' }), 'User');
    expect(result.changed).toBe(false);
  });
});

describe('applyPatch: errors', () => {
  it.each([
    ['replace with a filter that matches nothing', { op: 'replace', path: 'emails[type eq "other"].value', value: 'x' }],
    ['replace on a missing multi-valued attribute with a filter', { op: 'replace', path: 'entitlements[type eq "x"]', value: { value: 'x' } }],
    ['add with a non-eq filter that matches nothing', { op: 'add', path: 'emails[value co "nobody"].type', value: 'x' }],
  ])('%s -> noTarget', (_label, operation) => {
    expectScimError(() => patchUser(fullUser(), operation), 'noTarget');
  });

  it('sub-attribute of a multi-valued attribute without values -> noTarget', () => {
    expectScimError(() => patchUser(minimalUser(), { op: 'replace', path: 'emails.type', value: 'work' }), 'noTarget');
  });

  it.each([
    ['boolean', { op: 'replace', path: 'active', value: 'yes' }],
    ['string', { op: 'replace', path: 'nickName', value: 5 }],
    ['complex', { op: 'replace', path: 'name', value: 'Barbara' }],
    ['null add', { op: 'add', path: 'nickName', value: null }],
    ['two primaries', { op: 'replace', path: 'emails', value: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: true }] }],
    ['primary on every value', { op: 'replace', path: 'emails.primary', value: true }],
    ['path-less value not an object', { op: 'replace', value: 'x' }],
  ])('%s -> invalidValue', (_label, operation) => {
    expectScimError(() => patchUser(fullUser(), operation), 'invalidValue');
  });

  it.each([
    ['id', { op: 'replace', path: 'id', value: 'other' }],
    ['meta sub-attribute', { op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' }],
    ['meta removal', { op: 'remove', path: 'meta' }],
    ['groups (readOnly on User)', { op: 'add', path: 'groups', value: [{ value: 'g1' }] }],
    ['id in a path-less value', { op: 'replace', value: { id: 'other' } }],
    ['removing userName (required)', { op: 'remove', path: 'userName' }],
  ])('%s -> mutability', (_label, operation) => {
    const error = expectScimError(() => patchUser(fullUser(), operation), 'mutability');
    expect(error.message).toContain('Operations[0]');
  });

  it('manager.displayName by path -> mutability', () => {
    expectScimError(() => patchUser(enterpriseUser(), { op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:manager.displayName`, value: 'X' }), 'mutability');
  });

  it('removing displayName of a Group (required) -> mutability', () => {
    expectScimError(() => applyPatch(group(), body({ op: 'remove', path: 'displayName' }), 'Group'), 'mutability');
  });

  it('immutable: may be added when absent, never changed (RFC 7644 3.5.2)', () => {
    const withBadge: ResourceTypeDefinition = {
      ...USER_RESOURCE_TYPE,
      schema: { ...USER_RESOURCE_TYPE.schema, attributes: [...USER_RESOURCE_TYPE.schema.attributes, attribute('badge', 'string', 'Badge', { mutability: 'immutable' })] },
    };
    const added = applyPatch(minimalUser(), body({ op: 'add', path: 'badge', value: 'B-1' }), withBadge).resource;
    expect(added.badge).toBe('B-1');
    expect(applyPatch(added, body({ op: 'replace', path: 'badge', value: 'B-1' }), withBadge).changed).toBe(false);
    expectScimError(() => applyPatch(added, body({ op: 'replace', path: 'badge', value: 'B-2' }), withBadge), 'mutability');
    expectScimError(() => applyPatch(added, body({ op: 'remove', path: 'badge' }), withBadge), 'mutability');
  });

  it('is atomic: a failing later operation reports its index and the input is untouched', () => {
    const start = fullUser();
    const error = expectScimError(() => patchUser(start, { op: 'replace', path: 'title', value: 'Boss' }, { op: 'replace', path: 'id', value: 'x' }), 'mutability');
    expect(error.message).toContain('Operations[1]');
    expect(start).toEqual(fullUser());
  });
});

describe('applyPatch: members.display is readOnly (issue 10)', () => {
  const BABS = '2819c223-7f76-453a-919d-413861904646';
  const MANDY = '902c246b-6245-4190-8e05-00816be7344a';

  it('ignores a display sent with a new member instead of keeping or refusing it', () => {
    const start = { ...group(), members: [] };
    const result = applyPatch(start, body({ op: 'add', path: 'members', value: [{ value: BABS, display: 'Somebody Else' }] }), 'Group');
    expect(result.resource.members).toEqual([{ value: BABS }]);
  });

  it('ignores a display sent for an existing member (add, replace by filter, replace of the sub-attribute)', () => {
    for (const operation of [
      { op: 'add', path: 'members', value: [{ value: BABS, display: 'Renamed' }] },
      { op: 'replace', path: `members[value eq "${BABS}"].display`, value: 'Renamed' },
      { op: 'replace', path: 'members.display', value: 'Renamed' },
      { op: 'remove', path: `members[value eq "${BABS}"].display` },
    ]) {
      const result = applyPatch(group(), body(operation), 'Group');
      expect(result.changed, JSON.stringify(operation)).toBe(false);
      expect(result.resource.members).toEqual(group().members);
    }
  });

  it('matches remove-with-value patterns on what the client may set, whatever display it sends', () => {
    const result = applyPatch(group(), body({ op: 'remove', path: 'members', value: [{ value: MANDY, display: 'Not Mandy' }] }), 'Group').resource;
    expect((result.members as Record<string, unknown>[]).map((member) => member.value)).toEqual([BABS]);
  });
});
