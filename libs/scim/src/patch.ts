import { echo } from '@provisioning/errors';
import { findCoreAttribute, findExtension } from './attribute-lookup';
import { canonicalizeKeys } from './canonical-keys';
import { cloneJson, deepEqual, isObject } from './json-values';
import { applyOperation } from './patch-operations';
import type { PatchContext } from './patch-operations';
import { checkPatchMutability } from './patch-mutability';
import { parsePatchRequest } from './patch-request';
import { resourceTypeOf } from './resource-types';
import type { ResourceTypeDefinition, ResourceTypeRef } from './resource-types';
import { withDerivedSchemas } from './resource-schemas';
import { scimError } from './scim-errors';
import type { ScimResource } from './schema-types';
import { normalizeValue } from './value-normalize';
import type { NormalizeOptions, ValidationWarning } from './value-normalize';

/** The patched resource, whether anything changed, and warnings (non-canonical values). */
export interface PatchResult {
  readonly resource: ScimResource;
  /** False when every operation was a no-op: RFC 7644 3.5.2.1 then keeps `meta.lastModified`. */
  readonly changed: boolean;
  readonly warnings: readonly ValidationWarning[];
}

/** Type-checks every known attribute of the patched resource (e.g. two `primary: true` values). */
function checkTypes(resource: Readonly<ScimResource>, type: ResourceTypeDefinition, warnings: ValidationWarning[]): void {
  const options: NormalizeOptions = { readOnly: 'keep', unknownAttribute: 'invalidValue', warnings };
  for (const [key, value] of Object.entries(resource)) {
    const extension = findExtension(type, key);
    if (extension && isObject(value)) {
      for (const [name, item] of Object.entries(value)) {
        const definition = extension.schema.attributes.find((attribute) => attribute.name.toLowerCase() === name.toLowerCase());
        if (!definition) throw scimError('invalidValue', `Unknown attribute "${extension.schema.id}:${echo(name)}"`);
        normalizeValue(definition, item, `${extension.schema.id}:${definition.name}`, options);
      }
      continue;
    }
    const definition = findCoreAttribute(type, key);
    if (definition && definition.name !== 'schemas') normalizeValue(definition, value, definition.name, options);
  }
}

/**
 * Applies a PATCH request (RFC 7644 3.5.2) to a stored resource and returns the new resource; the
 * input is not changed and the request is atomic (any error leaves nothing applied).
 *
 * Implemented here rather than with `scim-patch` 0.8.3, which this library replaces because it:
 * matches attribute names case-sensitively (the RFC's own "nickname" example adds a second key
 * next to `nickName`); replaces a complex attribute wholesale in a path-less add/replace instead of
 * merging sub-attributes; ignores mutability (`id` can be replaced); rejects `"op": "ADD"`;
 * evaluates value filters case-sensitively whatever `caseExact` says and then, for a replace that
 * matched nothing, appends a new value instead of answering `noTarget`; does not reset other
 * `primary` values; duplicates a Group member added again with another `$ref`; and splits paths on
 * the last ":" so a filter value containing ":" breaks the path. `scim-patch-divergence.spec.ts`
 * pins these differences down.
 *
 * Semantics: op names in any case; paths with URN prefixes, value filters and sub-attributes; add
 * merges / appends without duplicates; replace of a multi-valued attribute replaces all values, with a
 * filter replaces the matching values (none: `noTarget`); remove with a filter that matches nothing
 * is a successful no-op; add with an `eq` filter that matches nothing creates that value (what Azure
 * AD sends for `emails[type eq "work"].value`); `primary: true` resets the others; `schemas` follows
 * the extensions present. Errors: `ValidationError` with scimType `invalidSyntax` (message shape, or a
 * value naming an unknown attribute or sub-attribute), `invalidPath` (a bad `path`), `noTarget`,
 * `invalidValue` or `mutability`.
 */
export function applyPatch(resource: Readonly<ScimResource>, body: unknown, resourceType: ResourceTypeRef): PatchResult {
  const type = resourceTypeOf(resourceType);
  const operations = parsePatchRequest(body);
  const warnings: ValidationWarning[] = [];
  // An unknown sub-attribute in a value is a body that does not conform to the schema: invalidSyntax,
  // as for unknown attributes on POST/PUT (invalidPath is for a bad "path").
  const context: PatchContext = { type, normalize: { readOnly: 'strip', unknownAttribute: 'invalidSyntax', warnings } };
  const original = withDerivedSchemas(canonicalizeKeys(resource, type), type);
  let current = original;
  for (const operation of operations) {
    const next = cloneJson(current);
    applyOperation(next, operation, context);
    const derived = withDerivedSchemas(next, type);
    checkPatchMutability(current, derived, type, operation);
    current = derived;
  }
  checkTypes(current, type, []);
  return { resource: current, changed: !deepEqual(original, current), warnings };
}
