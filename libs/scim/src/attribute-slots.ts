import { COMMON_ATTRIBUTES } from './common-attributes';
import { getIgnoringCase, isObject, setIgnoringCase } from './json-values';
import type { ResourceTypeDefinition } from './resource-types';
import type { AttributeDefinition } from './schema-types';

/** One place a single value can live: a top-level attribute, or a sub-attribute of a singular complex one. */
export interface AttributeSlot {
  /** The extension URN when the attribute lives in an extension object. */
  readonly extension?: string;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
  /** The characteristics that apply: `subAttribute ?? attribute`. */
  readonly definition: AttributeDefinition;
  readonly path: string;
}

function slotsOf(attributes: readonly AttributeDefinition[], extension?: string): AttributeSlot[] {
  const prefix = extension ? `${extension}:` : '';
  return attributes.flatMap((attribute) => {
    const top: AttributeSlot = { extension, attribute, definition: attribute, path: `${prefix}${attribute.name}` };
    if (attribute.type !== 'complex' || attribute.multiValued) return [top];
    const subs = (attribute.subAttributes ?? []).map((subAttribute) => ({
      extension,
      attribute,
      subAttribute,
      definition: subAttribute,
      path: `${prefix}${attribute.name}.${subAttribute.name}`,
    }));
    return [top, ...subs];
  });
}

/**
 * Every slot of a resource type (core, common and extension attributes, and the sub-attributes of
 * singular complex attributes). Sub-attributes of multi-valued attributes are not slots: their
 * values are identified by position only, so per-value mutability cannot be tracked.
 */
export function attributeSlots(type: ResourceTypeDefinition): AttributeSlot[] {
  return [
    ...slotsOf(COMMON_ATTRIBUTES.filter((attribute) => attribute.name !== 'schemas')),
    ...slotsOf(type.schema.attributes),
    ...type.extensions.flatMap((extension) => slotsOf(extension.schema.attributes, extension.schema.id)),
  ];
}

function containerOfSlot(resource: Readonly<Record<string, unknown>>, slot: AttributeSlot): Readonly<Record<string, unknown>> | undefined {
  const container = slot.extension ? getIgnoringCase(resource, slot.extension) : resource;
  if (!isObject(container)) return undefined;
  if (!slot.subAttribute) return container;
  const parent = getIgnoringCase(container, slot.attribute.name);
  return isObject(parent) ? parent : undefined;
}

/** The value in a slot (names matched ignoring case). */
export function readSlot(resource: Readonly<Record<string, unknown>>, slot: AttributeSlot): unknown {
  const container = containerOfSlot(resource, slot);
  return container ? getIgnoringCase(container, slot.definition.name) : undefined;
}

/** Writes a value into a slot of a resource being built, creating the extension / parent objects. */
export function writeSlot(resource: Record<string, unknown>, slot: AttributeSlot, value: unknown): void {
  let container = resource;
  if (slot.extension) {
    const existing = getIgnoringCase(container, slot.extension);
    const next = isObject(existing) ? existing : {};
    setIgnoringCase(container, slot.extension, next);
    container = next;
  }
  if (slot.subAttribute) {
    const existing = getIgnoringCase(container, slot.attribute.name);
    const next = isObject(existing) ? existing : {};
    setIgnoringCase(container, slot.attribute.name, next);
    container = next;
  }
  setIgnoringCase(container, slot.definition.name, value);
}
