import type { AttributeDefinition } from './schema-types';

/** xsd:dateTime as SCIM uses it (RFC 7643 2.3.5), with an optional fraction and a zone. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** Milliseconds since the epoch of a SCIM dateTime string, or undefined when it is not one. */
export function dateTimeMillis(value: unknown): number | undefined {
  const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  if (!match) return undefined;
  // Without a zone the value is read as UTC, never as the server's local time.
  const millis = Date.parse(match[2] === undefined ? `${match[0]}Z` : match[0]);
  return Number.isNaN(millis) ? undefined : millis;
}

/** True for the types compared as text (with `caseExact` deciding case sensitivity). */
export function isTextType(definition: AttributeDefinition): boolean {
  return definition.type === 'string' || definition.type === 'reference' || definition.type === 'binary';
}

/** Text folded for comparison: unchanged when the attribute is caseExact (binary always is). */
export function fold(value: string, definition: AttributeDefinition): string {
  return definition.caseExact || definition.type === 'binary' ? value : value.toLowerCase();
}

function order(a: number | string | boolean, b: number | string | boolean): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Orders two present values of one attribute by its type: text per `caseExact` (code-point order),
 * dateTime chronologically, numbers numerically, false before true. Values of an unexpected JSON
 * type sort after well-typed ones so a corrupt value never throws.
 */
export function compareValues(definition: AttributeDefinition, a: unknown, b: unknown): number {
  const key = (value: unknown): number | string | boolean | undefined => {
    if (definition.type === 'dateTime') return dateTimeMillis(value);
    if (isTextType(definition)) return typeof value === 'string' ? fold(value, definition) : undefined;
    if (definition.type === 'boolean') return typeof value === 'boolean' ? value : undefined;
    return typeof value === 'number' ? value : undefined;
  };
  const ka = key(a);
  const kb = key(b);
  if (ka === undefined || kb === undefined) return ka === kb ? 0 : ka === undefined ? 1 : -1;
  return order(ka, kb);
}
