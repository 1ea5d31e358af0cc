import { findCoreAttribute, findExtension, findSubAttribute } from './attribute-lookup';
import { isObject } from './json-values';
import type { ResourceTypeDefinition } from './resource-types';
import type { AttributeDefinition } from './schema-types';

function canonicalItem(definition: AttributeDefinition, item: unknown): unknown {
  if (!isObject(item)) return item;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) out[findSubAttribute(definition, key)?.name ?? key] = value;
  return out;
}

function canonicalValue(definition: AttributeDefinition, value: unknown): unknown {
  if (definition.type !== 'complex') return value;
  return Array.isArray(value) ? value.map((item) => canonicalItem(definition, item)) : canonicalItem(definition, value);
}

/**
 * A copy of a resource whose known attribute, sub-attribute and extension names are spelled as in
 * the schema (`NICKNAME` -> `nickName`), so that later code can use exact keys. Unknown keys stay.
 */
export function canonicalizeKeys(resource: Readonly<Record<string, unknown>>, type: ResourceTypeDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key.toLowerCase() === 'schemas') {
      out.schemas = value;
      continue;
    }
    const extension = findExtension(type, key);
    if (extension) {
      const attributes = extension.schema.attributes;
      const inner: Record<string, unknown> = {};
      if (isObject(value)) {
        for (const [name, item] of Object.entries(value)) {
          const definition = attributes.find((attribute) => attribute.name.toLowerCase() === name.toLowerCase());
          inner[definition?.name ?? name] = definition ? canonicalValue(definition, item) : item;
        }
      }
      out[extension.schema.id] = isObject(value) ? inner : value;
      continue;
    }
    const definition = findCoreAttribute(type, key);
    out[definition?.name ?? key] = definition ? canonicalValue(definition, value) : value;
  }
  return out;
}
