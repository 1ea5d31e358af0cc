import type { ResolvedAttribute } from './attribute-lookup';
import { getIgnoringCase, isObject } from './json-values';

/** The object holding a resolved attribute: the resource itself, or its extension object. */
export function containerOf(resource: Readonly<Record<string, unknown>>, resolved: ResolvedAttribute): Readonly<Record<string, unknown>> | undefined {
  if (!resolved.extension) return resource;
  const extension = getIgnoringCase(resource, resolved.schema);
  return isObject(extension) ? extension : undefined;
}

/** The values of an attribute as a list: a multi-valued attribute's items, or the one value. */
export function asItems(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.filter((item) => item !== undefined && item !== null) : [value];
}

/**
 * The values a resolved path designates in a resource: the top-level attribute's items, or for a
 * sub-attribute path the sub-attribute of each item (`emails.value` gives every email's value).
 */
export function valuesAt(resource: Readonly<Record<string, unknown>>, resolved: ResolvedAttribute): unknown[] {
  const container = containerOf(resource, resolved);
  if (!container) return [];
  const items = asItems(getIgnoringCase(container, resolved.attribute.name));
  const sub = resolved.subAttribute;
  if (!sub) return items;
  return items.flatMap((item) => (isObject(item) ? asItems(getIgnoringCase(item, sub.name)) : []));
}
