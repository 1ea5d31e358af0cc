import { attribute, complexAttribute } from './attribute-builder';
import type { AttributeDefinition } from './schema-types';

/**
 * Attributes of every resource that belong to no schema (RFC 7643 3 and 3.1), with the
 * characteristics the RFC gives them. `schemas` is included so that filters, sorting and projection
 * can treat it like any attribute (`returned: always`); it is not published under `/Schemas`.
 */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  attribute('schemas', 'reference', 'The schema URIs of the attributes present in the resource.', {
    multiValued: true,
    required: true,
    returned: 'always',
    referenceTypes: ['uri'],
  }),
  attribute('id', 'string', 'A unique identifier for a SCIM resource as defined by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attribute('externalId', 'string', 'An identifier for the resource as defined by the provisioning client.', { caseExact: true }),
  complexAttribute(
    'meta',
    'A complex attribute containing resource metadata.',
    [
      attribute('resourceType', 'string', 'The name of the resource type of the resource.', { caseExact: true, mutability: 'readOnly' }),
      attribute('created', 'dateTime', 'The DateTime that the resource was added to the service provider.', { mutability: 'readOnly' }),
      attribute('lastModified', 'dateTime', 'The most recent DateTime that the details of this resource were updated.', { mutability: 'readOnly' }),
      attribute('location', 'reference', 'The URI of the resource being returned.', { caseExact: true, mutability: 'readOnly', referenceTypes: ['uri'] }),
      attribute('version', 'string', 'The version (entity-tag) of the resource being returned.', { caseExact: true, mutability: 'readOnly' }),
    ],
    { mutability: 'readOnly' },
  ),
];
