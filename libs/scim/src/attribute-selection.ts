import { findAttribute, findExtension } from './attribute-lookup';
import type { ResourceTypeDefinition } from './resource-types';

/** `all` of an attribute, or only the named sub-attributes (lower case). */
export type Picked = 'all' | ReadonlySet<string>;

/** Attribute names of an `attributes` / `excludedAttributes` list, grouped per container. */
export interface AttributeSelection {
  /** Whether the list had any entry at all. */
  readonly given: boolean;
  /** What the list picks of an attribute; `container` is '' for core and common attributes, else the extension URN. */
  picked(container: string, attribute: string): Picked | undefined;
}

/** Splits a list given as an array or as one comma-separated string (the query-string form). */
export function attributeNames(list: readonly string[] | string | undefined): string[] {
  if (list === undefined) return [];
  const items = typeof list === 'string' ? list.split(',') : list.flatMap((item) => item.split(','));
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/**
 * Parses an attribute list in standard attribute notation (RFC 7644 3.10), ignoring case. A whole
 * extension URN picks the whole extension. Names this resource type does not have are ignored (a
 * list may name attributes of several resource types, as in `/.search` at the root).
 */
export function parseSelection(type: ResourceTypeDefinition, list: readonly string[] | string | undefined): AttributeSelection {
  const names = attributeNames(list);
  const wholeContainers = new Set<string>();
  const picks = new Map<string, 'all' | Set<string>>();
  for (const name of names) {
    const extension = findExtension(type, name);
    if (extension) {
      wholeContainers.add(extension.schema.id.toLowerCase());
      continue;
    }
    const resolved = findAttribute(type, name);
    if (!resolved) continue;
    const key = `${resolved.extension ? resolved.schema.toLowerCase() : ''}|${resolved.attribute.name.toLowerCase()}`;
    const current = picks.get(key);
    if (!resolved.subAttribute) picks.set(key, 'all');
    else if (current !== 'all') picks.set(key, new Set([...(current ?? []), resolved.subAttribute.name.toLowerCase()]));
  }
  return {
    given: names.length > 0,
    picked(container, attribute) {
      if (wholeContainers.has(container.toLowerCase())) return 'all';
      return picks.get(`${container.toLowerCase()}|${attribute.toLowerCase()}`);
    },
  };
}
