/** Attribute data types (RFC 7643 2.3). */
export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';
/** Attribute mutability (RFC 7643 2.2). */
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
/** When an attribute is returned (RFC 7643 2.2). */
export type Returned = 'always' | 'never' | 'default' | 'request';
/** Uniqueness of an attribute's value (RFC 7643 2.2). */
export type Uniqueness = 'none' | 'server' | 'global';

/** One attribute definition with every characteristic explicit (RFC 7643 2.2 and 7). */
export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  /** Suggested values; only a warning when a value is not one of them. */
  readonly canonicalValues?: readonly string[];
  /** For `reference` attributes: what the URI may point at (`User`, `Group`, `external`, `uri`). */
  readonly referenceTypes?: readonly string[];
  /** For `complex` attributes only. */
  readonly subAttributes?: readonly AttributeDefinition[];
}

/** A schema (core or extension) as served by `/Schemas` (RFC 7643 7). */
export interface SchemaDefinition {
  /** The schema URN. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

/** The resource types this library knows. */
export type ResourceTypeName = 'User' | 'Group';

/** A SCIM resource or request body: a JSON object. */
export type ScimResource = Record<string, unknown>;
