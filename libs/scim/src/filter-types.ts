/** Attribute comparison operators of RFC 7644 3.4.2.2 (Table 3), without `pr`. */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
/** A JSON comparison value. */
export type CompareValue = string | number | boolean | null;

/** `attrPath op compValue`. */
export interface CompareFilter {
  readonly op: CompareOperator;
  readonly attrPath: string;
  readonly compValue: CompareValue;
}

/** `attrPath pr`. */
export interface PresentFilter {
  readonly op: 'pr';
  readonly attrPath: string;
}

/** `a and b and ...`, `a or b or ...`. */
export interface LogicalFilter {
  readonly op: 'and' | 'or';
  readonly filters: readonly Filter[];
}

/** `not (filter)`. */
export interface NotFilter {
  readonly op: 'not';
  readonly filter: Filter;
}

/** `attrPath[valFilter]`: the inner filter applies to one value of a complex multi-valued attribute. */
export interface ValuePathFilter {
  readonly op: '[]';
  readonly attrPath: string;
  readonly valFilter: Filter;
}

/** A parsed SCIM filter (RFC 7644 3.4.2.2). */
export type Filter = CompareFilter | PresentFilter | LogicalFilter | NotFilter | ValuePathFilter;
