import { parse } from 'scim2-parse-filter';
import { isObject } from './json-values';
import { scimError } from './scim-errors';
import type { CompareOperator, Filter } from './filter-types';

const COMPARE_OPERATORS: ReadonlySet<string> = new Set<CompareOperator>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

class MalformedFilter extends Error {}

function attrPathOf(node: Record<string, unknown>): string {
  if (typeof node.attrPath !== 'string' || node.attrPath === '') throw new MalformedFilter('missing attribute path');
  return node.attrPath;
}

/** Copies the parser's AST into our own types, checking every node (the parser's types are loose). */
function toFilter(node: unknown): Filter {
  if (!isObject(node) || typeof node.op !== 'string') throw new MalformedFilter('unexpected expression');
  const op = node.op;
  if (op === 'and' || op === 'or') {
    if (!Array.isArray(node.filters) || node.filters.length < 2) throw new MalformedFilter(`"${op}" needs two operands`);
    return { op, filters: node.filters.map(toFilter) };
  }
  if (op === 'not') return { op, filter: toFilter(node.filter) };
  if (op === '[]') return { op, attrPath: attrPathOf(node), valFilter: toFilter(node.valFilter) };
  if (op === 'pr') return { op, attrPath: attrPathOf(node) };
  if (COMPARE_OPERATORS.has(op)) {
    const value = node.compValue;
    if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new MalformedFilter('the comparison value must be a JSON string, number, true, false or null');
    }
    return { op: op as CompareOperator, attrPath: attrPathOf(node), compValue: value };
  }
  throw new MalformedFilter(`the operator "${op}" is not supported`);
}

/** True when `text` has `].` outside a quoted string (a sub-attribute after a value path). */
function hasSubAttributeAfterValuePath(text: string): boolean {
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted && char === '\\') i += 1;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && char === ']' && text[i + 1] === '.') return true;
  }
  return false;
}

/**
 * Parses a SCIM filter (RFC 7644 3.4.2.2) with `scim2-parse-filter`. Every failure, whatever the
 * parser threw, becomes a `ValidationError` with scimType `invalidFilter`.
 *
 * `emails[type eq "work"].value eq "x"` is refused: the filter grammar has no sub-attribute after a
 * value path, and the parser would silently turn it into an unrelated `and`.
 */
export function parseFilter(text: string): Filter {
  if (typeof text !== 'string' || text.trim() === '') throw scimError('invalidFilter', 'The filter is empty');
  if (hasSubAttributeAfterValuePath(text)) {
    throw scimError('invalidFilter', `Invalid filter "${text}": a value path cannot be followed by a sub-attribute in a filter`);
  }
  try {
    return toFilter(parse(text));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw scimError('invalidFilter', `Invalid filter "${text}": ${reason}`, undefined, error);
  }
}
