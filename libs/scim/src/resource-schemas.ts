import { echo } from '@provisioning/errors';
import { findExtension } from './attribute-lookup';
import { findKey, isUnassigned } from './json-values';
import type { ResourceTypeDefinition } from './resource-types';
import { scimError } from './scim-errors';

/**
 * Checks a request's `schemas` (RFC 7643 3): a non-empty array of strings naming the resource
 * type's core schema, with only its core and extension URNs. Throws `invalidSyntax` otherwise.
 */
export function checkSchemas(body: Readonly<Record<string, unknown>>, type: ResourceTypeDefinition): void {
  const key = findKey(body, 'schemas');
  const schemas = key === undefined ? undefined : body[key];
  if (!Array.isArray(schemas) || schemas.length === 0 || !schemas.every((urn) => typeof urn === 'string')) {
    throw scimError('invalidSyntax', `"schemas" must be a non-empty array of schema URNs including ${type.schema.id}`);
  }
  const core = type.schema.id.toLowerCase();
  if (!schemas.some((urn) => urn.toLowerCase() === core)) throw scimError('invalidSyntax', `"schemas" must include ${type.schema.id}`);
  for (const urn of schemas) {
    if (urn.toLowerCase() !== core && !findExtension(type, urn)) {
      throw scimError('invalidSyntax', `"schemas" names "${echo(urn)}", which is not a schema of the ${type.name} resource type`);
    }
  }
}

/**
 * Sets `schemas` from the content: the core schema first, then every extension that has data
 * (RFC 7644 3.5.2: adding an extension attribute adds its URN; an extension left without data is
 * dropped). Key order otherwise unchanged; `schemas` goes first.
 */
export function withDerivedSchemas(resource: Readonly<Record<string, unknown>>, type: ResourceTypeDefinition): Record<string, unknown> {
  const schemas = [type.schema.id];
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key.toLowerCase() === 'schemas') continue;
    const extension = findExtension(type, key);
    if (extension && isUnassigned(value)) continue;
    if (extension) schemas.push(extension.schema.id);
    rest[key] = value;
  }
  return { schemas, ...rest };
}
