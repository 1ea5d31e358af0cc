import { findSubAttribute } from './attribute-lookup';
import { deepEqual, findKey, getIgnoringCase, isObject, setIgnoringCase } from './json-values';
import type { ResolvedAttribute } from './attribute-lookup';
import { scimError } from './scim-errors';
import type { AttributeDefinition } from './schema-types';
import { fold } from './value-compare';
import { normalizeValue } from './value-normalize';
import type { NormalizeOptions } from './value-normalize';

/** The object holding an attribute in a resource being patched; created for add/replace when missing. */
export function containerFor(resource: Record<string, unknown>, resolved: ResolvedAttribute, create: boolean): Record<string, unknown> | undefined {
  if (!resolved.extension) return resource;
  const current = getIgnoringCase(resource, resolved.schema);
  if (isObject(current)) return current;
  if (!create) return undefined;
  const created: Record<string, unknown> = {};
  setIgnoringCase(resource, resolved.schema, created);
  return created;
}

/** The items of a multi-valued attribute (a copy of the array). */
export function itemsOf(container: Readonly<Record<string, unknown>> | undefined, attribute: AttributeDefinition): unknown[] {
  const value = container ? getIgnoringCase(container, attribute.name) : undefined;
  return Array.isArray(value) ? [...value] : value === undefined || value === null ? [] : [value];
}

/** Stores the items of a multi-valued attribute; an empty list leaves it unassigned (RFC 7644 3.5.2.2). */
export function storeItems(container: Record<string, unknown>, attribute: AttributeDefinition, items: unknown[]): void {
  const kept = items.filter((item) => !isObject(item) || Object.keys(item).length > 0);
  if (kept.length === 0) {
    const key = findKey(container, attribute.name);
    if (key !== undefined) delete container[key];
  } else setIgnoringCase(container, attribute.name, kept);
}

/** A PATCH value for a multi-valued attribute: an array, or one value standing for a one-item array. */
export function normalizeItems(attribute: AttributeDefinition, value: unknown, path: string, options: NormalizeOptions): unknown[] {
  const list = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
  const normalized = normalizeValue(attribute, list, path, options);
  return Array.isArray(normalized) ? normalized : [];
}

/** One value of a complex multi-valued attribute (the filtered target of add/replace). */
export function normalizeItem(attribute: AttributeDefinition, value: unknown, path: string, options: NormalizeOptions): Record<string, unknown> {
  if (!isObject(value)) throw scimError('invalidValue', `"${path}" takes an object with the sub-attributes of "${attribute.name}"`);
  const normalized = normalizeValue({ ...attribute, multiValued: false }, value, path, options);
  return isObject(normalized) ? normalized : {};
}

/**
 * Whether two values of a multi-valued attribute are the same value. Deep equality, except when the
 * `value` sub-attribute is immutable (Group `members`): then it identifies the value, so adding a
 * member that is already there (with another `display` or `$ref`) changes nothing (RFC 7644 3.5.2.1).
 */
export function sameItem(attribute: AttributeDefinition, a: unknown, b: unknown): boolean {
  if (deepEqual(a, b)) return true;
  const valueSub = findSubAttribute(attribute, 'value');
  if (!valueSub || valueSub.mutability !== 'immutable' || !isObject(a) || !isObject(b)) return false;
  if (typeof a.value !== 'string' || typeof b.value !== 'string' || fold(a.value, valueSub) !== fold(b.value, valueSub)) return false;
  return a.type === undefined || b.type === undefined || a.type === b.type;
}

/**
 * RFC 7644 3.5.2: setting `primary: true` on a value sets it to false on the others. `chosen` are
 * the values the operation wrote.
 */
export function keepOnePrimary(items: readonly unknown[], chosen: ReadonlySet<unknown>): void {
  if (![...chosen].some((item) => isObject(item) && item.primary === true)) return;
  for (const item of items) {
    if (isObject(item) && !chosen.has(item) && item.primary === true) item.primary = false;
  }
}

/**
 * The non-standard "remove with value" form some clients send (`{"op":"remove","path":"members",
 * "value":[{"value":"<id>"}]}`): removes the values whose given sub-attributes all match. readOnly
 * sub-attributes in a pattern (members.display) are the server's, so they are ignored there too.
 */
export function removeMatching(attribute: AttributeDefinition, items: readonly unknown[], value: unknown): unknown[] {
  const patterns = (Array.isArray(value) ? value : [value]).map((pattern) =>
    isObject(pattern) || attribute.type !== 'complex' ? pattern : { value: pattern },
  );
  const matches = (item: unknown, pattern: unknown): boolean => {
    if (!isObject(pattern) || !isObject(item)) return deepEqual(item, pattern);
    return Object.entries(pattern).every(([key, expected]) => {
      const sub = findSubAttribute(attribute, key);
      if (sub?.mutability === 'readOnly' && attribute.mutability !== 'readOnly') return true;
      const actual = getIgnoringCase(item, key);
      if (sub && typeof actual === 'string' && typeof expected === 'string') return fold(actual, sub) === fold(expected, sub);
      return deepEqual(actual, expected);
    });
  };
  return items.filter((item) => !patterns.some((pattern) => matches(item, pattern)));
}
