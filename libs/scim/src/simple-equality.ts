import { findCoreAttribute } from './attribute-lookup';
import type { Filter } from './filter-types';
import { resourceTypeOf } from './resource-types';
import type { ResourceTypeRef } from './resource-types';
import { GROUP_SCHEMA, USER_SCHEMA } from './urns';

/** Attributes the server can look up through an index. */
export type IndexedAttribute = 'userName' | 'id' | 'externalId' | 'displayName';

/** A filter that is a single `eq` on an indexed attribute. */
export interface SimpleEquality {
  readonly attribute: IndexedAttribute;
  readonly value: string;
  /** Whether the comparison is case-sensitive (RFC 7643: id and externalId are caseExact; userName and displayName are not). */
  readonly caseExact: boolean;
}

const INDEXED: Readonly<Record<string, { attribute: IndexedAttribute; caseExact: boolean }>> = {
  username: { attribute: 'userName', caseExact: false },
  id: { attribute: 'id', caseExact: true },
  externalid: { attribute: 'externalId', caseExact: true },
  displayname: { attribute: 'displayName', caseExact: false },
};

/**
 * `{attribute, value, caseExact}` when the filter is exactly one `eq` with a string value on
 * userName, id, externalId or displayName (names case-insensitive, core schema URN prefix allowed)
 * that the resource type (when given) has; otherwise undefined and the caller evaluates the filter
 * with `matchesFilter`.
 */
export function simpleEqualityOf(filter: Filter, resourceType?: ResourceTypeRef): SimpleEquality | undefined {
  if (filter.op !== 'eq' || typeof filter.compValue !== 'string') return undefined;
  let name = filter.attrPath.toLowerCase();
  for (const urn of [USER_SCHEMA, GROUP_SCHEMA]) {
    const prefix = `${urn.toLowerCase()}:`;
    if (name.startsWith(prefix)) name = name.slice(prefix.length);
  }
  const indexed = Object.hasOwn(INDEXED, name) ? INDEXED[name] : undefined;
  if (!indexed) return undefined;
  if (resourceType !== undefined && !findCoreAttribute(resourceTypeOf(resourceType), indexed.attribute)) return undefined;
  return { ...indexed, value: filter.compValue };
}
