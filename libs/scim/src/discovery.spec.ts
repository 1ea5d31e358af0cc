import { NotFoundError } from '@provisioning/errors';
import { describe, expect, it } from 'vitest';
import { readSample } from '../test/rfc-samples';
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  USER_SCHEMA,
  resourceTypeById,
  resourceTypes,
  resourceTypesResponse,
  schemaById,
  schemaResources,
  schemasResponse,
  serviceProviderConfig,
} from './index';

const BASE = 'https://idp.example.com/scim2/';

describe('serviceProviderConfig', () => {
  it('has the shape of the RFC 7643 8.5 example, with our values and meta.location', () => {
    const sample = readSample('rfc7643-8.5-service-provider-config.json');
    const config = serviceProviderConfig({
      baseUrl: BASE,
      documentationUri: 'http://example.com/help/scim.html',
      bulk: { maxOperations: 1000, maxPayloadSize: 1048576 },
      filterMaxResults: 200,
      etagSupported: true,
    });
    const keys = (value: object): string[] => Object.keys(value).sort();
    expect(keys(config)).toEqual(keys(sample));
    expect(config).toMatchObject({
      schemas: sample.schemas,
      patch: sample.patch,
      bulk: sample.bulk,
      filter: sample.filter,
      changePassword: sample.changePassword,
      sort: sample.sort,
      etag: sample.etag,
      meta: { resourceType: 'ServiceProviderConfig', location: 'https://idp.example.com/scim2/ServiceProviderConfig' },
    });
    expect(config.authenticationSchemes).toEqual([expect.objectContaining({ type: 'httpbasic', name: 'HTTP Basic', primary: true })]);
  });

  it('reports what is not supported', () => {
    const config = serviceProviderConfig({
      baseUrl: BASE,
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filterMaxResults: 50,
      etagSupported: false,
      patchSupported: false,
      changePasswordSupported: false,
    });
    expect(config).toMatchObject({
      patch: { supported: false },
      bulk: { supported: false },
      etag: { supported: false },
      changePassword: { supported: false },
      filter: { supported: true, maxResults: 50 },
    });
  });
});

describe('resource types', () => {
  it('match the RFC 7643 8.6 example (the enterprise extension is optional here)', () => {
    const sample = readSample<Record<string, unknown>[]>('rfc7643-8.6-resource-types.json');
    const expected = sample.map((type) => ({
      ...type,
      ...(type.id === 'User' ? { schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }] } : {}),
      meta: { resourceType: 'ResourceType', location: `https://idp.example.com/scim2/ResourceTypes/${String(type.id)}` },
    }));
    expect(resourceTypes(BASE)).toEqual(expected);
  });

  it('are served as a ListResponse and one by one', () => {
    const list = resourceTypesResponse(BASE);
    expect(list).toMatchObject({ schemas: [LIST_RESPONSE_SCHEMA], totalResults: 2, itemsPerPage: 2, startIndex: 1 });
    expect(resourceTypeById(BASE, 'group')).toEqual(resourceTypes(BASE)[1]);
    expect(() => resourceTypeById(BASE, 'Device')).toThrow(NotFoundError);
  });
});

describe('schemas', () => {
  it('lists User, EnterpriseUser and Group with meta.location', () => {
    const list = schemasResponse(BASE);
    expect(list.totalResults).toBe(3);
    expect(list.Resources.map((schema) => schema.id)).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA]);
    for (const schema of list.Resources) {
      expect(schema.meta).toEqual({ resourceType: 'Schema', location: `https://idp.example.com/scim2/Schemas/${String(schema.id)}` });
    }
  });

  it('serves the RFC 7643 8.7.1 attribute JSON (apart from the documented errata)', () => {
    const file = readSample<{ id: string; attributes: { name: string }[] }[]>('rfc7643-8.7.1-resource-schemas.json');
    const enterprise = schemaById(BASE, ENTERPRISE_USER_SCHEMA.toUpperCase());
    const fileEnterprise = file.find((schema) => schema.id === ENTERPRISE_USER_SCHEMA)!;
    // The enterprise schema has no errata, so it is the file's JSON (characteristics made explicit).
    expect(enterprise.attributes).toMatchObject(fileEnterprise.attributes);
    const user = schemaResources(BASE).find((schema) => schema.id === USER_SCHEMA)!;
    const password = (user.attributes as Record<string, unknown>[]).find((attribute) => attribute.name === 'password');
    expect(password).toMatchObject({ mutability: 'writeOnly', returned: 'never', caseExact: false, uniqueness: 'none' });
  });

  it('throws NotFoundError for an unknown schema', () => {
    expect(() => schemaById(BASE, 'urn:example:nothing')).toThrow(NotFoundError);
  });
});
