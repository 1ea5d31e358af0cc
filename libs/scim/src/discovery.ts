import { echo, NotFoundError } from '@provisioning/errors';
import { listResponse, page } from './paging';
import type { ListResponse } from './paging';
import { RESOURCE_TYPES } from './resource-types';
import type { ResourceTypeDefinition } from './resource-types';
import type { AttributeDefinition, SchemaDefinition } from './schema-types';
import { trimBaseUrl } from './service-provider-config';
import { RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA } from './urns';

function attributeJson(attribute: AttributeDefinition): Record<string, unknown> {
  return {
    name: attribute.name,
    type: attribute.type,
    multiValued: attribute.multiValued,
    description: attribute.description,
    required: attribute.required,
    ...(attribute.type === 'complex' ? {} : { caseExact: attribute.caseExact }),
    ...(attribute.canonicalValues ? { canonicalValues: [...attribute.canonicalValues] } : {}),
    ...(attribute.referenceTypes ? { referenceTypes: [...attribute.referenceTypes] } : {}),
    mutability: attribute.mutability,
    returned: attribute.returned,
    uniqueness: attribute.uniqueness,
    ...(attribute.subAttributes ? { subAttributes: attribute.subAttributes.map(attributeJson) } : {}),
  };
}

function schemaJson(schema: SchemaDefinition, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeJson),
    meta: { resourceType: 'Schema', location: `${trimBaseUrl(baseUrl)}/Schemas/${schema.id}` },
  };
}

function allSchemas(): SchemaDefinition[] {
  const seen = new Map<string, SchemaDefinition>();
  for (const type of RESOURCE_TYPES) {
    for (const schema of [type.schema, ...type.extensions.map((extension) => extension.schema)]) seen.set(schema.id, schema);
  }
  return [...seen.values()];
}

/** Every schema (User, EnterpriseUser, Group) as an RFC 7643 7 / 8.7.1 Schema resource with `meta.location`. */
export function schemaResources(baseUrl: string): Record<string, unknown>[] {
  return allSchemas().map((schema) => schemaJson(schema, baseUrl));
}

/** The `/Schemas` response: a ListResponse of {@link schemaResources}. */
export function schemasResponse(baseUrl: string): ListResponse<Record<string, unknown>> {
  return listResponse(page(schemaResources(baseUrl)));
}

/** `/Schemas/{id}` (URN compared ignoring case); unknown ids throw `NotFoundError`. */
export function schemaById(baseUrl: string, id: string): Record<string, unknown> {
  const schema = allSchemas().find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  if (!schema) throw new NotFoundError(`No schema "${echo(id)}"`, { details: { id } });
  return schemaJson(schema, baseUrl);
}

function resourceTypeJson(type: ResourceTypeDefinition, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.id,
    ...(type.extensions.length > 0
      ? { schemaExtensions: type.extensions.map((extension) => ({ schema: extension.schema.id, required: extension.required })) }
      : {}),
    meta: { resourceType: 'ResourceType', location: `${trimBaseUrl(baseUrl)}/ResourceTypes/${type.name}` },
  };
}

/** The User and Group resource types (RFC 7643 6, shaped like 8.6) with `meta.location`. */
export function resourceTypes(baseUrl: string): Record<string, unknown>[] {
  return RESOURCE_TYPES.map((type) => resourceTypeJson(type, baseUrl));
}

/** The `/ResourceTypes` response: a ListResponse of {@link resourceTypes}. */
export function resourceTypesResponse(baseUrl: string): ListResponse<Record<string, unknown>> {
  return listResponse(page(resourceTypes(baseUrl)));
}

/** `/ResourceTypes/{id}` (`User`, `Group`, ignoring case); unknown ids throw `NotFoundError`. */
export function resourceTypeById(baseUrl: string, id: string): Record<string, unknown> {
  const type = RESOURCE_TYPES.find((candidate) => candidate.name.toLowerCase() === id.toLowerCase());
  if (!type) throw new NotFoundError(`No resource type "${echo(id)}"`, { details: { id } });
  return resourceTypeJson(type, baseUrl);
}
