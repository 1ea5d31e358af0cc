import { ValidationError } from '@provisioning/errors';
import { ENTERPRISE_USER_SCHEMA_DEFINITION } from './enterprise-user-schema';
import { GROUP_SCHEMA_DEFINITION } from './group-schema';
import type { ResourceTypeName, SchemaDefinition } from './schema-types';
import { USER_SCHEMA_DEFINITION } from './user-schema';

/** A schema extension of a resource type (RFC 7643 6, `schemaExtensions`). */
export interface SchemaExtension {
  readonly schema: SchemaDefinition;
  readonly required: boolean;
}

/** A resource type: its core schema, its extensions and where it is served (RFC 7643 6). */
export interface ResourceTypeDefinition {
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: SchemaDefinition;
  readonly extensions: readonly SchemaExtension[];
}

/** A resource type by name (`'User'`, `'Group'`) or a definition of one. */
export type ResourceTypeRef = ResourceTypeName | ResourceTypeDefinition;

/** User: core User schema plus the optional enterprise extension. */
export const USER_RESOURCE_TYPE: ResourceTypeDefinition = {
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA_DEFINITION,
  extensions: [{ schema: ENTERPRISE_USER_SCHEMA_DEFINITION, required: false }],
};

/** Group: core Group schema, no extension. */
export const GROUP_RESOURCE_TYPE: ResourceTypeDefinition = {
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA_DEFINITION,
  extensions: [],
};

/** Every resource type this library serves, in `/ResourceTypes` order. */
export const RESOURCE_TYPES: readonly ResourceTypeDefinition[] = [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE];

/** The definition behind a resource type reference. */
export function resourceTypeOf(ref: ResourceTypeRef): ResourceTypeDefinition {
  if (typeof ref !== 'string') return ref;
  const found = RESOURCE_TYPES.find((type) => type.name === ref);
  if (!found) throw new ValidationError(`Unknown SCIM resource type "${String(ref)}"`, { scimType: 'invalidValue' });
  return found;
}
