import { describe, expect, it } from 'vitest';
import { readSample } from '../test/rfc-samples';
import {
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA_DEFINITION,
  USER_SCHEMA,
  USER_SCHEMA_DEFINITION,
  findAttribute,
} from './index';
import type { AttributeDefinition } from './index';

interface FileAttribute {
  name: string;
  type: string;
  multiValued: boolean;
  description: string;
  required?: boolean;
  caseExact?: boolean;
  mutability?: string;
  returned?: string;
  uniqueness?: string;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: FileAttribute[];
}

interface FileSchema {
  id: string;
  name: string;
  description: string;
  attributes: FileAttribute[];
}

/** Flattens attributes to `path -> characteristics`, with the RFC 7643 2.2 defaults made explicit. */
function flatten(attributes: readonly (FileAttribute | AttributeDefinition)[], prefix = ''): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const attribute of attributes) {
    const path = `${prefix}${attribute.name}`;
    out.set(path, {
      type: attribute.type,
      multiValued: attribute.multiValued,
      description: attribute.description,
      required: attribute.required ?? false,
      caseExact: attribute.type === 'complex' ? undefined : (attribute.caseExact ?? false),
      mutability: attribute.mutability ?? 'readWrite',
      returned: attribute.returned ?? 'default',
      uniqueness: attribute.uniqueness ?? 'none',
      canonicalValues: attribute.canonicalValues?.length ? [...attribute.canonicalValues] : undefined,
      referenceTypes: attribute.referenceTypes ? [...attribute.referenceTypes] : undefined,
    });
    for (const [subPath, sub] of flatten(attribute.subAttributes ?? [], `${path}.`)) out.set(subPath, sub);
  }
  return out;
}

describe('schema definitions against RFC 7643 8.7.1', () => {
  const file = readSample<FileSchema[]>('rfc7643-8.7.1-resource-schemas.json');
  const ours = [USER_SCHEMA_DEFINITION, GROUP_SCHEMA_DEFINITION, ENTERPRISE_USER_SCHEMA_DEFINITION];
  // The only deliberate differences: errata that the RFC's own prose and examples require.
  const errata: Record<string, { added?: string[]; changed?: Record<string, Record<string, unknown>> }> = {
    User: { added: ['addresses.primary'] },
    Group: { added: ['members.display'], changed: { displayName: { required: true } } },
    EnterpriseUser: {},
  };

  it('defines the same three schemas', () => {
    expect(ours.map((s) => [s.id, s.name, s.description])).toEqual(file.map((s) => [s.id, s.name, s.description]));
  });

  for (const fileSchema of file) {
    it(`${fileSchema.name}: every attribute and characteristic matches, except the listed errata`, () => {
      const schema = ours.find((s) => s.id === fileSchema.id)!;
      const expected = flatten(fileSchema.attributes);
      const actual = flatten(schema.attributes);
      const { added = [], changed = {} } = errata[fileSchema.name]!;
      expect([...actual.keys()].filter((path) => !expected.has(path)).sort()).toEqual([...added].sort());
      expect([...expected.keys()].filter((path) => !actual.has(path))).toEqual([]);
      for (const [path, characteristics] of expected) {
        expect({ path, ...actual.get(path) }).toEqual({ path, ...characteristics, ...changed[path] });
      }
    });
  }
});

describe('Group members.display (issue 10)', () => {
  it('is readOnly: the server fills it in with the member\'s name', () => {
    expect(findAttribute('Group', 'members.display')?.definition.mutability).toBe('readOnly');
  });
});

describe('findAttribute', () => {
  const cases: [string, 'User' | 'Group', string, string | undefined][] = [
    ['plain name', 'User', 'userName', 'userName'],
    ['any case', 'User', 'USERNAME', 'userName'],
    ['sub-attribute', 'User', 'name.familyName', 'name.familyName'],
    ['sub-attribute, any case', 'User', 'NAME.FAMILYNAME', 'name.familyName'],
    ['multi-valued sub-attribute', 'User', 'emails.value', 'emails.value'],
    ['core URN prefix', 'User', `${USER_SCHEMA}:userName`, 'userName'],
    ['core URN prefix with sub-attribute', 'User', `${USER_SCHEMA}:name.givenName`, 'name.givenName'],
    ['extension URN', 'User', `${ENTERPRISE_USER_SCHEMA}:manager.value`, `${ENTERPRISE_USER_SCHEMA}:manager.value`],
    ['extension URN in another case', 'User', 'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:employeeNumber', `${ENTERPRISE_USER_SCHEMA}:employeeNumber`],
    ['unqualified extension attribute', 'User', 'costCenter', `${ENTERPRISE_USER_SCHEMA}:costCenter`],
    ['common attribute', 'User', 'id', 'id'],
    ['meta sub-attribute', 'Group', 'meta.lastModified', 'meta.lastModified'],
    ['group member value', 'Group', 'members.value', 'members.value'],
    ['group has no userName', 'Group', 'userName', undefined],
    ['user URN on a group', 'Group', `${USER_SCHEMA}:displayName`, undefined],
    ['unknown attribute', 'User', 'shoeSize', undefined],
    ['unknown sub-attribute', 'User', 'name.shoeSize', undefined],
    ['too deep', 'User', 'name.familyName.x', undefined],
    ['the extension itself is not an attribute', 'User', ENTERPRISE_USER_SCHEMA, undefined],
    ['unknown URN', 'User', 'urn:example:foo:bar', undefined],
  ];
  it.each(cases)('%s: %s %s -> %s', (_label, type, path, expected) => {
    expect(findAttribute(type, path)?.path).toBe(expected);
  });

  it('tells where the value lives and which characteristics apply', () => {
    const manager = findAttribute('User', `${ENTERPRISE_USER_SCHEMA}:manager.displayName`)!;
    expect(manager).toMatchObject({ schema: ENTERPRISE_USER_SCHEMA, extension: true });
    expect(manager.attribute.name).toBe('manager');
    expect(manager.definition.mutability).toBe('readOnly');
    expect(findAttribute('User', 'userName')!.definition).toMatchObject({ caseExact: false, required: true, uniqueness: 'server' });
    expect(findAttribute('User', 'id')!.definition).toMatchObject({ caseExact: true, mutability: 'readOnly', returned: 'always' });
    expect(findAttribute('User', 'externalId')!.definition.caseExact).toBe(true);
    expect(findAttribute('User', 'password')!.definition).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(findAttribute('User', 'meta.created')!.definition.type).toBe('dateTime');
  });
});
