import { COMMON_ATTRIBUTES } from './common-attributes';
import { resourceTypeOf } from './resource-types';
import type { ResourceTypeDefinition, ResourceTypeRef, SchemaExtension } from './resource-types';
import type { AttributeDefinition, SchemaDefinition } from './schema-types';

/** Where an attribute path led: the top-level attribute, the sub-attribute if any, and its schema. */
export interface ResolvedAttribute {
  /** URN of the schema that declares the attribute (the core schema for common attributes). */
  readonly schema: string;
  /** True when the value lives in the extension object keyed by {@link schema}. */
  readonly extension: boolean;
  /** The top-level attribute. */
  readonly attribute: AttributeDefinition;
  /** The sub-attribute, for `name.familyName` style paths. */
  readonly subAttribute?: AttributeDefinition;
  /** The attribute the path designates: `subAttribute ?? attribute`. */
  readonly definition: AttributeDefinition;
  /** Canonical notation: `name.familyName`, `urn:...:enterprise:2.0:User:manager.value`. */
  readonly path: string;
}

function byName(attributes: readonly AttributeDefinition[], name: string): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return attributes.find((attribute) => attribute.name.toLowerCase() === lower);
}

/** The sub-attribute `name` of a complex attribute, ignoring case. */
export function findSubAttribute(attribute: AttributeDefinition, name: string): AttributeDefinition | undefined {
  return byName(attribute.subAttributes ?? [], name);
}

/** The extension of `type` whose URN is `urn`, ignoring case. */
export function findExtension(type: ResourceTypeDefinition, urn: string): SchemaExtension | undefined {
  const lower = urn.toLowerCase();
  return type.extensions.find((extension) => extension.schema.id.toLowerCase() === lower);
}

/** A top-level core or common attribute of `type` (not an extension attribute). */
export function findCoreAttribute(type: ResourceTypeDefinition, name: string): AttributeDefinition | undefined {
  return byName(type.schema.attributes, name) ?? byName(COMMON_ATTRIBUTES, name);
}

/** The schema named by the URN prefix of `path` (`urn:...:User:userName`), and the rest of the path. */
function splitSchemaPrefix(type: ResourceTypeDefinition, path: string): { schema: SchemaDefinition; extension: boolean; rest: string } | undefined {
  const lower = path.toLowerCase();
  const candidates = [{ schema: type.schema, extension: false }, ...type.extensions.map((e) => ({ schema: e.schema, extension: true }))];
  for (const candidate of candidates) {
    const urn = candidate.schema.id.toLowerCase();
    if (lower === urn) return { ...candidate, rest: '' };
    if (lower.startsWith(`${urn}:`)) return { ...candidate, rest: path.slice(urn.length + 1) };
  }
  return undefined;
}

function resolveIn(
  schema: SchemaDefinition,
  extension: boolean,
  attribute: AttributeDefinition,
  subName: string | undefined,
): ResolvedAttribute | undefined {
  const prefix = extension ? `${schema.id}:` : '';
  if (subName === undefined) return { schema: schema.id, extension, attribute, definition: attribute, path: `${prefix}${attribute.name}` };
  const subAttribute = findSubAttribute(attribute, subName);
  if (!subAttribute) return undefined;
  return { schema: schema.id, extension, attribute, subAttribute, definition: subAttribute, path: `${prefix}${attribute.name}.${subAttribute.name}` };
}

/**
 * Resolves an attribute path in standard attribute notation (RFC 7644 3.10) for a resource type,
 * ignoring case in every facet: `userName`, `name.familyName`, `emails.value`, `meta.lastModified`,
 * `urn:ietf:params:scim:schemas:core:2.0:User:userName`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`. An unqualified name
 * that is not a core or common attribute is looked up in the extensions (RFC 7644 3.10 lets clients
 * omit the URN; it is only a SHOULD). Returns undefined for unknown attributes.
 */
export function findAttribute(resourceType: ResourceTypeRef, path: string): ResolvedAttribute | undefined {
  const type = resourceTypeOf(resourceType);
  const prefixed = splitSchemaPrefix(type, path);
  const rest = prefixed ? prefixed.rest : path;
  const parts = rest.split('.');
  if (parts.length > 2 || parts.some((part) => part === '')) return undefined;
  const [name, subName] = parts as [string, string | undefined];
  if (prefixed) {
    const attribute = prefixed.extension ? byName(prefixed.schema.attributes, name) : findCoreAttribute(type, name);
    return attribute ? resolveIn(prefixed.schema, prefixed.extension, attribute, subName) : undefined;
  }
  if (name.includes(':')) return undefined;
  const core = findCoreAttribute(type, name);
  if (core) return resolveIn(type.schema, false, core, subName);
  for (const extension of type.extensions) {
    const attribute = byName(extension.schema.attributes, name);
    if (attribute) return resolveIn(extension.schema, true, attribute, subName);
  }
  return undefined;
}
