import type { AttributeDefinition, AttributeType } from './schema-types';

/** Characteristics that may differ from the RFC 7643 2.2 defaults. */
export type AttributeOptions = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description' | 'subAttributes'>>;

/**
 * A simple attribute with the RFC 7643 defaults applied (single-valued, optional, caseExact false,
 * readWrite, returned by default, no uniqueness); `options` lists only what differs.
 */
export function attribute(name: string, type: Exclude<AttributeType, 'complex'>, description: string, options: AttributeOptions = {}): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

/** A complex attribute: like {@link attribute}, with sub-attributes (which are never complex). */
export function complexAttribute(
  name: string,
  description: string,
  subAttributes: readonly AttributeDefinition[],
  options: AttributeOptions = {},
): AttributeDefinition {
  return { ...attribute(name, 'string', description, options), type: 'complex', subAttributes };
}
