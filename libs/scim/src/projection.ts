import { findCoreAttribute, findExtension, findSubAttribute } from './attribute-lookup';
import { parseSelection } from './attribute-selection';
import type { AttributeSelection, Picked } from './attribute-selection';
import { findKey, isObject } from './json-values';
import { resourceTypeOf } from './resource-types';
import type { ResourceTypeRef } from './resource-types';
import type { AttributeDefinition, ScimResource } from './schema-types';

/** The `attributes` / `excludedAttributes` parameters (arrays, or comma-separated strings). */
export interface ProjectionParams {
  readonly attributes?: readonly string[] | string;
  readonly excludedAttributes?: readonly string[] | string;
}

interface Lists {
  readonly include: AttributeSelection;
  readonly exclude: AttributeSelection;
}

const includes = (picked: Picked | undefined, sub: string): boolean => picked === 'all' || (picked !== undefined && picked.has(sub));

/** Keeps the sub-attributes of one complex value that the lists and `returned` allow. */
function projectItem(definition: AttributeDefinition, item: Record<string, unknown>, include: Picked, exclude: Picked | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    const sub = findSubAttribute(definition, key);
    const lower = (sub?.name ?? key).toLowerCase();
    const returned = sub?.returned ?? 'default';
    const keep =
      returned === 'always' ||
      (returned === 'default' && includes(include, lower) && !(exclude !== 'all' && exclude?.has(lower))) ||
      (returned === 'request' && include !== 'all' && include.has(lower));
    if (keep) out[key] = value;
  }
  return out;
}

function projectValue(definition: AttributeDefinition | undefined, value: unknown, container: string, name: string, lists: Lists): unknown {
  const returned = definition?.returned ?? 'default';
  if (returned === 'never') return undefined;
  let include: Picked = 'all';
  let exclude: Picked | undefined;
  if (returned !== 'always') {
    const picked = lists.include.picked(container, name);
    if (lists.include.given || returned === 'request') {
      if (picked === undefined) return undefined;
      include = picked;
    }
    exclude = lists.exclude.picked(container, name);
    if (exclude === 'all') return undefined;
  }
  if (!definition || definition.type !== 'complex') return value;
  const project = (item: unknown): unknown => (isObject(item) ? projectItem(definition, item, include, exclude) : item);
  const nonEmpty = (item: unknown): boolean => !isObject(item) || Object.keys(item).length > 0;
  if (Array.isArray(value)) {
    const items = value.map(project).filter(nonEmpty);
    return items.length > 0 ? items : undefined;
  }
  const projected = project(value);
  return nonEmpty(projected) ? projected : undefined;
}

function projectExtension(attributes: readonly AttributeDefinition[], value: unknown, urn: string, lists: Lists): unknown {
  if (!isObject(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const definition = attributes.find((attribute) => attribute.name.toLowerCase() === key.toLowerCase());
    const projected = projectValue(definition, item, urn, definition?.name ?? key, lists);
    if (projected !== undefined) out[key] = projected;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Applies `attributes` / `excludedAttributes` (RFC 7644 3.4.2.5, 3.9) and the schema's `returned`
 * characteristic to a resource, ignoring case: `always` (id, schemas) is always kept, `never`
 * (password) always removed, `request` only kept when named, `default` kept unless `attributes`
 * leaves it out or `excludedAttributes` names it. Sub-attribute paths (`name.familyName`,
 * `emails.value`) and extension-qualified names or whole extension URNs are understood. When both
 * lists are given, `attributes` selects and `excludedAttributes` then removes. The input is not changed.
 */
export function projectAttributes(resource: Readonly<ScimResource>, params: ProjectionParams, resourceType: ResourceTypeRef): ScimResource {
  const type = resourceTypeOf(resourceType);
  const lists: Lists = { include: parseSelection(type, params.attributes), exclude: parseSelection(type, params.excludedAttributes) };
  const out: ScimResource = {};
  for (const [key, value] of Object.entries(resource)) {
    const extension = findExtension(type, key);
    const projected = extension
      ? projectExtension(extension.schema.attributes, value, extension.schema.id, lists)
      : projectValue(findCoreAttribute(type, key), value, '', findCoreAttribute(type, key)?.name ?? key, lists);
    if (projected !== undefined) out[key] = projected;
  }
  const schemasKey = findKey(out, 'schemas');
  if (schemasKey && Array.isArray(out[schemasKey])) {
    // Keep "schemas" consistent with the extensions actually returned.
    out[schemasKey] = (out[schemasKey] as unknown[]).filter((urn) => typeof urn !== 'string' || !findExtension(type, urn) || findKey(out, urn) !== undefined);
  }
  return out;
}
