import { parse } from 'scim2-parse-filter';
import { echo } from '@provisioning/errors';
import { isObject } from './json-values';
import { scimError } from './scim-errors';
import { scanFilter } from './filter-scan';
import type { ScannedFilter } from './filter-scan';
import type { CompareOperator, Filter } from './filter-types';

const COMPARE_OPERATORS: ReadonlySet<string> = new Set<CompareOperator>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

class MalformedFilter extends Error {}

function attrPathOf(node: Record<string, unknown>): string {
  if (typeof node.attrPath !== 'string' || node.attrPath === '') throw new MalformedFilter('missing attribute path');
  return node.attrPath;
}

/** Copies the parser's AST into our own types, checking every node (the parser's types are loose). */
function toFilter(node: unknown, scanned: ScannedFilter): Filter {
  if (!isObject(node) || typeof node.op !== 'string') throw new MalformedFilter('unexpected expression');
  const op = node.op;
  if (op === 'and' || op === 'or') {
    if (!Array.isArray(node.filters) || node.filters.length < 2) throw new MalformedFilter(`"${op}" needs two operands`);
    return { op, filters: node.filters.map((part) => toFilter(part, scanned)) };
  }
  if (op === 'not') return { op, filter: toFilter(node.filter, scanned) };
  if (op === '[]') return { op, attrPath: attrPathOf(node), valFilter: toFilter(node.valFilter, scanned) };
  if (op === 'pr') return { op, attrPath: attrPathOf(node) };
  if (COMPARE_OPERATORS.has(op)) {
    const value = node.compValue;
    if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new MalformedFilter('the comparison value must be a JSON string, number, true, false or null');
    }
    return { op: op as CompareOperator, attrPath: attrPathOf(node), compValue: typeof value === 'string' ? scanned.literal(value) : value };
  }
  throw new MalformedFilter(`the operator "${op}" is not supported`);
}

/**
 * Whether the parser itself described a syntax error: it throws plain `Error`s (and we throw
 * `MalformedFilter`). Anything else (RangeError, TypeError...) is the engine's, not a description
 * of the filter, and never reaches a client.
 */
function isSyntaxDescription(error: unknown): error is Error {
  return error instanceof MalformedFilter || (error instanceof Error && Object.getPrototypeOf(error) === Error.prototype);
}

/**
 * Parses a SCIM filter (RFC 7644 3.4.2.2) with `scim2-parse-filter`, after {@link scanFilter} checked
 * its size (length, terms, nesting), its string literals (JSON strings), `not (...)` and value paths
 * without recursion. Every failure, whatever the parser threw, becomes a `ValidationError` with
 * scimType `invalidFilter`; the filter is quoted through `echo()`, the parser's own description of a
 * syntax error is kept, and an engine error becomes a generic "Invalid filter".
 */
export function parseFilter(text: string): Filter {
  if (typeof text !== 'string' || text.trim() === '') throw scimError('invalidFilter', 'The filter is empty');
  const scanned = scanFilter(text);
  let tree: unknown;
  try {
    tree = parse(scanned.text);
  } catch (error) {
    if (!isSyntaxDescription(error)) throw scimError('invalidFilter', `Invalid filter "${echo(text)}"`, undefined, error);
    throw scimError('invalidFilter', `Invalid filter "${echo(text)}": ${echo(scanned.restore(error.message))}`, undefined, error);
  }
  try {
    return toFilter(tree, scanned);
  } catch (error) {
    if (!isSyntaxDescription(error)) throw scimError('invalidFilter', `Invalid filter "${echo(text)}"`, undefined, error);
    throw scimError('invalidFilter', `Invalid filter "${echo(text)}": ${echo(error.message)}`, undefined, error);
  }
}
