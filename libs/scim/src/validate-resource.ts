import { echo } from '@provisioning/errors';
import { findCoreAttribute, findExtension } from './attribute-lookup';
import { findKey, isObject } from './json-values';
import { resourceTypeOf } from './resource-types';
import type { ResourceTypeDefinition, ResourceTypeRef } from './resource-types';
import { checkSchemas, withDerivedSchemas } from './resource-schemas';
import { rewriteScim1 } from './scim1-compat';
import { scimError } from './scim-errors';
import type { AttributeDefinition, ScimResource } from './schema-types';
import { checkImmutable } from './validate-immutable';
import { normalizeValue } from './value-normalize';
import type { NormalizeOptions, ValidationWarning } from './value-normalize';

/** `create` for POST, `replace` for PUT (then `existing` is the stored resource). */
export interface ValidateOptions {
  readonly mode: 'create' | 'replace';
  readonly existing?: Readonly<ScimResource>;
}

/** The normalised resource to store, and warnings (non-canonical values) worth logging. */
export interface ValidatedResource {
  readonly resource: ScimResource;
  readonly warnings: readonly ValidationWarning[];
}

function normalizeAttributes(
  input: Readonly<Record<string, unknown>>,
  find: (name: string) => AttributeDefinition | undefined,
  prefix: string,
  options: NormalizeOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const definition = find(key);
    if (!definition) throw scimError('invalidSyntax', `Unknown attribute "${prefix}${echo(key)}"`);
    if (findKey(out, definition.name) !== undefined) throw scimError('invalidSyntax', `"${prefix}${definition.name}" is given twice (names are case-insensitive)`);
    if (definition.mutability === 'readOnly') continue; // RFC 7644 3.3: readOnly input is ignored.
    const normalized = normalizeValue(definition, value, `${prefix}${definition.name}`, options);
    if (normalized !== undefined) out[definition.name] = normalized;
  }
  return out;
}

function checkRequired(resource: Readonly<Record<string, unknown>>, type: ResourceTypeDefinition): void {
  const missing = (container: Readonly<Record<string, unknown>> | undefined, attribute: AttributeDefinition): boolean => {
    const value = container?.[attribute.name];
    return value === undefined || (typeof value === 'string' && value.trim() === '');
  };
  for (const attribute of type.schema.attributes) {
    if (attribute.required && missing(resource, attribute)) throw scimError('invalidValue', `"${attribute.name}" is required and must not be empty`);
  }
  for (const extension of type.extensions) {
    const data = resource[extension.schema.id];
    if (extension.required && !isObject(data)) throw scimError('invalidValue', `The extension ${extension.schema.id} is required`);
    if (!isObject(data)) continue;
    for (const attribute of extension.schema.attributes) {
      if (attribute.required && missing(data, attribute)) throw scimError('invalidValue', `"${extension.schema.id}:${attribute.name}" is required`);
    }
  }
}

/**
 * Validates a POST (`create`) or PUT (`replace`) body against the resource type's schemas and
 * returns the resource to store:
 * - SCIM 1.x input is accepted: `urn:scim:schemas:core:1.0` becomes the 2.0 URN (User or Group;
 *   also the 1.0 enterprise extension), plain strings in complex multi-valued attributes become
 *   `{value}` (the first plain email gets `primary: true`), "true"/"false" strings become booleans.
 * - `schemas` must name the core schema and only known extensions (`invalidSyntax`); it is then
 *   derived from the content.
 * - Unknown attributes are rejected with `invalidSyntax` (RFC 7643 3: the resource type's schemas
 *   define the valid attributes); nothing a client sent is silently lost.
 * - Types are checked (`invalidValue`); canonical values are only warnings.
 * - readOnly attributes (id, meta, groups, manager.displayName) are dropped (RFC 7644 3.3).
 * - Required attributes must be present (`invalidValue`): userName for User, displayName for Group.
 * - `replace` with `existing`: an immutable attribute that has a value must keep it (`mutability`);
 *   an omitted one keeps the stored value (RFC 7644 3.5.1).
 * The password (writeOnly) is kept: take it out with `extractPassword`.
 */
export function validateResource(input: unknown, resourceType: ResourceTypeRef, options: ValidateOptions): ValidatedResource {
  const type = resourceTypeOf(resourceType);
  if (!isObject(input)) throw scimError('invalidSyntax', `The request body must be a SCIM ${type.name} JSON object`);
  const body = rewriteScim1(input, type.schema.id);
  checkSchemas(body, type);
  const warnings: ValidationWarning[] = [];
  const normalizeOptions: NormalizeOptions = { readOnly: 'strip', unknownAttribute: 'invalidSyntax', warnings };
  const core: Record<string, unknown> = {};
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') continue;
    const extension = findExtension(type, key);
    if (!extension) {
      core[key] = value;
      continue;
    }
    if (extensions[extension.schema.id] !== undefined) throw scimError('invalidSyntax', `"${extension.schema.id}" is given twice`);
    if (value === null) continue;
    if (!isObject(value)) throw scimError('invalidValue', `"${extension.schema.id}" must be an object`);
    const find = (name: string): AttributeDefinition | undefined => extension.schema.attributes.find((a) => a.name.toLowerCase() === name.toLowerCase());
    extensions[extension.schema.id] = normalizeAttributes(value, find, `${extension.schema.id}:`, normalizeOptions);
  }
  const normalized = { ...normalizeAttributes(core, (name) => findCoreAttribute(type, name), '', normalizeOptions), ...extensions };
  const kept = options.mode === 'replace' && options.existing ? checkImmutable(normalized, options.existing, type) : normalized;
  const resource = withDerivedSchemas(kept, type);
  checkRequired(resource, type);
  return { resource, warnings };
}
