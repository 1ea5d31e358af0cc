import { echo } from '@provisioning/errors';
import type { CompareFilter, CompareValue } from './filter-types';
import { scimError } from './scim-errors';
import type { AttributeDefinition } from './schema-types';
import { dateTimeMillis, fold, isTextType } from './value-compare';

/** Tests one present attribute value against the operator and comparison value of a filter. */
export type ValueTest = (value: unknown) => boolean;

function invalid(filter: CompareFilter, reason: string): never {
  throw scimError('invalidFilter', `Invalid filter "${echo(`${filter.attrPath} ${filter.op} ${JSON.stringify(filter.compValue)}`)}": ${reason}`);
}

function ordered(op: CompareFilter['op'], diff: number): boolean {
  switch (op) {
    case 'eq':
      return diff === 0;
    case 'ne':
      return diff !== 0;
    case 'gt':
      return diff > 0;
    case 'ge':
      return diff >= 0;
    case 'lt':
      return diff < 0;
    case 'le':
      return diff <= 0;
    default:
      return false;
  }
}

function textTest(filter: CompareFilter, definition: AttributeDefinition, compValue: string): ValueTest {
  const expected = fold(compValue, definition);
  return (value) => {
    if (typeof value !== 'string') return false;
    const actual = fold(value, definition);
    switch (filter.op) {
      case 'co':
        return actual.includes(expected);
      case 'sw':
        return actual.startsWith(expected);
      case 'ew':
        return actual.endsWith(expected);
      default:
        return ordered(filter.op, actual === expected ? 0 : actual < expected ? -1 : 1);
    }
  };
}

function requireString(filter: CompareFilter, definition: AttributeDefinition): string {
  if (typeof filter.compValue !== 'string') invalid(filter, `"${definition.name}" is a ${definition.type}; compare it with a string`);
  return filter.compValue;
}

/**
 * Compiles the comparison of a filter against an attribute of the given type (RFC 7644 3.4.2.2):
 * case sensitivity from `caseExact`, chronological order for dateTime, numeric order for numbers,
 * and `invalidFilter` for what the RFC forbids (ordering booleans or binaries) or for a comparison
 * value of the wrong JSON type. `compValue: null` is handled by the caller (presence semantics).
 */
export function compileValueTest(filter: CompareFilter & { compValue: Exclude<CompareValue, null> }, definition: AttributeDefinition): ValueTest {
  const { op } = filter;
  const ordering = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
  const substring = op === 'co' || op === 'sw' || op === 'ew';
  switch (definition.type) {
    case 'boolean': {
      if (op !== 'eq' && op !== 'ne') invalid(filter, `"${op}" is not allowed on the boolean attribute "${definition.name}"`);
      if (typeof filter.compValue !== 'boolean') invalid(filter, `"${definition.name}" is a boolean; compare it with true or false`);
      const expected = filter.compValue;
      return (value) => typeof value === 'boolean' && (value === expected) === (op === 'eq');
    }
    case 'integer':
    case 'decimal': {
      if (substring) invalid(filter, `"${op}" is not allowed on the numeric attribute "${definition.name}"`);
      if (typeof filter.compValue !== 'number') invalid(filter, `"${definition.name}" is a number; compare it with a number`);
      const expected = filter.compValue;
      return (value) => typeof value === 'number' && ordered(op, value - expected);
    }
    case 'dateTime': {
      const text = requireString(filter, definition);
      if (substring) return textTest(filter, { ...definition, caseExact: true }, text);
      const expected = dateTimeMillis(text);
      if (expected === undefined) invalid(filter, `"${echo(text)}" is not a dateTime (e.g. 2011-05-13T04:42:34Z)`);
      return (value) => {
        const actual = dateTimeMillis(value);
        return actual !== undefined && ordered(op, actual - expected);
      };
    }
    case 'binary':
      if (ordering) invalid(filter, `"${op}" is not allowed on the binary attribute "${definition.name}"`);
      return textTest(filter, definition, requireString(filter, definition));
    default:
      if (!isTextType(definition)) invalid(filter, `"${definition.name}" cannot be compared`);
      return textTest(filter, definition, requireString(filter, definition));
  }
}
