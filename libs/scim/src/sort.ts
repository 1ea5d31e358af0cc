import { echo } from '@provisioning/errors';
import { findAttribute, findSubAttribute } from './attribute-lookup';
import type { ResolvedAttribute } from './attribute-lookup';
import { asItems, containerOf } from './attribute-values';
import { getIgnoringCase, isObject } from './json-values';
import type { ResourceTypeRef } from './resource-types';
import { scimError } from './scim-errors';
import type { AttributeDefinition } from './schema-types';
import { compareValues } from './value-compare';

/** `sortOrder` values (RFC 7644 3.4.2.3). */
export type SortOrder = 'ascending' | 'descending';

interface SortKey {
  readonly definition: AttributeDefinition;
  readonly read: (resource: Readonly<Record<string, unknown>>) => unknown;
}

function sortKey(resourceType: ResourceTypeRef, sortBy: string): SortKey {
  const resolved: ResolvedAttribute | undefined = findAttribute(resourceType, sortBy);
  if (!resolved) throw scimError('invalidValue', `sortBy: unknown attribute "${echo(sortBy)}"`);
  if (resolved.definition.returned === 'never') throw scimError('invalidValue', `sortBy: "${resolved.path}" cannot be sorted on`);
  const { attribute, subAttribute } = resolved;
  // sortBy=emails sorts by the primary (or first) email's value; a singular complex needs a sub-attribute.
  const leaf = subAttribute ?? (attribute.type === 'complex' && attribute.multiValued ? findSubAttribute(attribute, 'value') : attribute);
  if (!leaf || leaf.type === 'complex') throw scimError('invalidValue', `sortBy: "${echo(sortBy)}" is complex; name a sub-attribute such as "${attribute.name}.<name>"`);
  return {
    definition: leaf,
    read(resource) {
      const container = containerOf(resource, resolved);
      const top = container ? getIgnoringCase(container, attribute.name) : undefined;
      // Multi-valued: the primary value if any, else the first (RFC 7644 3.4.2.3).
      const chosen = attribute.multiValued ? (asItems(top).find((item) => isObject(item) && item.primary === true) ?? asItems(top)[0]) : top;
      if (attribute.type !== 'complex') return chosen;
      return isObject(chosen) ? getIgnoringCase(chosen, leaf.name) : undefined;
    },
  };
}

function parseOrder(sortOrder: string | undefined): SortOrder {
  if (sortOrder === undefined || sortOrder === '') return 'ascending';
  const lower = sortOrder.toLowerCase();
  if (lower === 'ascending' || lower === 'descending') return lower;
  throw scimError('invalidValue', `sortOrder must be "ascending" or "descending", not "${echo(sortOrder)}"`);
}

const missing = (value: unknown): boolean => value === undefined || value === null || value === '';

/**
 * Sorts resources by `sortBy` (RFC 7644 3.4.2.3), stably, without changing the input array.
 * Text compares per the attribute's `caseExact`, dateTime chronologically; a multi-valued attribute
 * contributes its primary (else first) value. Resources without a value go last when ascending and
 * first when descending, as the RFC specifies. No `sortBy` keeps the input order.
 * Unknown or complex `sortBy` and a bad `sortOrder` throw `ValidationError` scimType `invalidValue`.
 */
export function sortResources<T extends Readonly<Record<string, unknown>>>(
  resources: readonly T[],
  sortBy: string | undefined,
  sortOrder: string | undefined,
  resourceType: ResourceTypeRef,
): T[] {
  const order = parseOrder(sortOrder);
  if (sortBy === undefined || sortBy === '') return [...resources];
  const key = sortKey(resourceType, sortBy);
  const direction = order === 'ascending' ? 1 : -1;
  const decorated = resources.map((resource, index) => ({ resource, index, value: key.read(resource) }));
  decorated.sort((a, b) => {
    const aMissing = missing(a.value);
    const bMissing = missing(b.value);
    let result: number;
    if (aMissing || bMissing) result = aMissing === bMissing ? 0 : aMissing ? 1 : -1;
    else result = compareValues(key.definition, a.value, b.value);
    return result * direction || a.index - b.index;
  });
  return decorated.map((entry) => entry.resource);
}
