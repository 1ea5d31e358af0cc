import { describe, expect, it } from 'vitest';
import { ValidationError } from '@provisioning/errors';
import { applyPatch } from '@provisioning/scim';
import { scim1Names, scim1PatchToPatchOp, scim1QueryParams, toScim1User } from './scim1-representation';

const CORE_2 = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE_2 = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ENTERPRISE_1 = 'urn:scim:schemas:extension:enterprise:1.0';

describe('toScim1User', () => {
  it('rewrites schemas, the enterprise extension (manager.managerId), meta and group references to SCIM 1.1', () => {
    const v2 = {
      schemas: [CORE_2, ENTERPRISE_2],
      id: 'u1',
      userName: 'kim@wso2.com',
      groups: [{ value: 'g1', display: 'Tour Guides', type: 'direct', $ref: 'https://h/scim2/Groups/g1' }],
      [ENTERPRISE_2]: { employeeNumber: '7', manager: { value: 'm1', $ref: '../Users/m1', displayName: 'Boss' } },
      meta: { resourceType: 'User', created: 'c', lastModified: 'l', location: 'https://h/wso2/scim/Users/u1', version: 'W/"1"' },
    };
    expect(toScim1User(v2)).toEqual({
      schemas: ['urn:scim:schemas:core:1.0', ENTERPRISE_1],
      id: 'u1',
      userName: 'kim@wso2.com',
      groups: [{ value: 'g1', display: 'Tour Guides', type: 'direct' }],
      [ENTERPRISE_1]: { employeeNumber: '7', manager: { managerId: 'm1', displayName: 'Boss' } },
      meta: { created: 'c', lastModified: 'l', location: 'https://h/wso2/scim/Users/u1', version: 'W/"1"' },
    });
  });

  it('lists only the core URN without the extension, and keeps a projected resource as it is', () => {
    expect(toScim1User({ schemas: [CORE_2], id: 'u1' })).toEqual({ schemas: ['urn:scim:schemas:core:1.0'], id: 'u1' });
  });
});

describe('scim1Names', () => {
  it.each([
    [`${ENTERPRISE_1}:employeeNumber eq "1"`, `${ENTERPRISE_2}:employeeNumber eq "1"`],
    ['urn:scim:schemas:core:1.0:userName Eq "a"', `${CORE_2}:userName Eq "a"`],
    ['manager.managerId eq "m"', 'manager.value eq "m"'],
    [`userName eq "${ENTERPRISE_1}:x" and manager.managerId pr`, `userName eq "${ENTERPRISE_1}:x" and manager.value pr`],
    ['userName eq "say \\"manager.managerId\\""', 'userName eq "say \\"manager.managerId\\""'],
    [`userName,${ENTERPRISE_1}`, `userName,${ENTERPRISE_2}`],
  ])('%s -> %s (quoted values untouched)', (input, output) => {
    expect(scim1Names(input)).toBe(output);
  });

  it('rewrites filter, sortBy, attributes and excludedAttributes only', () => {
    expect(scim1QueryParams({ filter: 'manager.managerId pr', sortBy: 'manager.managerId', attributes: ENTERPRISE_1, count: '3' })).toEqual({
      filter: 'manager.value pr',
      sortBy: 'manager.value',
      attributes: ENTERPRISE_2,
      count: '3',
    });
  });
});

describe('scim1PatchToPatchOp', () => {
  it('removes meta.attributes first, then "operation": "delete" values, then adds the rest', () => {
    expect(
      scim1PatchToPatchOp({
        schemas: ['urn:scim:schemas:core:1.0'],
        id: 'ignored',
        emails: [{ value: 'old@x.org', type: 'home', operation: 'delete' }, 'new@x.org'],
        name: { familyName: 'F' },
        [ENTERPRISE_1]: { manager: { managerId: 'm2' } },
        meta: { attributes: ['title', `${ENTERPRISE_1}:department`] },
      }),
    ).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'remove', path: 'title' },
        { op: 'remove', path: `${ENTERPRISE_2}:department` },
        { op: 'remove', path: 'emails[value eq "old@x.org" and type eq "home"]' },
        { op: 'add', value: { emails: [{ value: 'new@x.org' }], name: { familyName: 'F' }, [ENTERPRISE_2]: { manager: { value: 'm2' } } } },
      ],
    });
  });

  it('gives undefined when nothing changes, and refuses malformed input', () => {
    expect(scim1PatchToPatchOp({ schemas: ['urn:scim:schemas:core:1.0'] })).toBeUndefined();
    expect(() => scim1PatchToPatchOp([])).toThrow(ValidationError);
    expect(() => scim1PatchToPatchOp({ meta: { attributes: 'title' } })).toThrow(/meta.attributes/);
    expect(() => scim1PatchToPatchOp({ emails: [{ operation: 'delete' }] })).toThrow(/naming the value/);
    expect(() => scim1PatchToPatchOp({ emails: [{ value: 'x', operation: 'remove' }] })).toThrow(/"operation" must be "delete"/);
  });

  it('produces a PatchOp the SCIM 2.0 PATCH applies as SCIM 1.1 means it', () => {
    const stored = {
      schemas: [CORE_2],
      userName: 'p@x.org',
      title: 'T',
      name: { familyName: 'A', givenName: 'G' },
      emails: [
        { value: 'p@x.org', primary: true },
        { value: 'old@x.org', type: 'home' },
      ],
    };
    const patchOp = scim1PatchToPatchOp({ name: { familyName: 'B' }, emails: [{ value: 'old@x.org', operation: 'delete' }, 'n@x.org'], meta: { attributes: ['title'] } });
    const { resource } = applyPatch(stored, patchOp, 'User');
    expect(resource).toEqual({
      schemas: [CORE_2],
      userName: 'p@x.org',
      name: { familyName: 'B', givenName: 'G' },
      emails: [{ value: 'p@x.org', primary: true }, { value: 'n@x.org' }],
    });
  });
});
