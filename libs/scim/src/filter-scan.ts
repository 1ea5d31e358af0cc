import { echo } from '@provisioning/errors';
import { scimError } from './scim-errors';

/** The longest filter accepted, in characters (a `filter` query parameter or a SearchRequest's `filter`). */
export const MAX_FILTER_LENGTH = 16_384;
/** The most comparison terms (`attrPath op value`, `attrPath pr`) one filter may have. */
export const MAX_FILTER_TERMS = 256;
/** The deepest nesting of parentheses (`not (...)`, `(...)`) and value paths (`emails[...]`) a filter may have. */
export const MAX_FILTER_DEPTH = 32;

const COMPARISON_WORDS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);
/** A private-use character that marks placeholder string literals handed to the parser. */
const MARK = '\uE000';
const PLACEHOLDER = new RegExp(`"${MARK}(\\d+)"`, 'g');
const WORD_START = /[A-Za-z0-9_]/;
const WORD_CHAR = /[-A-Za-z0-9_.:/%]/;
const SPACE = /\s/;

/** A filter checked by {@link scanFilter}, ready for the parser. */
export interface ScannedFilter {
  /** The text for the parser: string literals with a backslash (or the mark) replaced by placeholders. */
  readonly text: string;
  /** The JSON-decoded value of a literal the parser sees as a placeholder, else the value itself. */
  literal(value: string): string;
  /** A parser message with the placeholders turned back into the literals the client wrote. */
  restore(message: string): string;
}

function invalid(text: string, reason: string): never {
  throw scimError('invalidFilter', `Invalid filter "${echo(text)}": ${reason}`);
}

function tooLarge(reason: string): never {
  throw scimError('invalidFilter', `Invalid filter: ${reason}`);
}

/** Index of the `"` closing the string literal that opens at `open`, or -1 (escapes skipped). */
function closingQuote(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') return i;
    i += char === '\\' ? 2 : 1;
  }
  return -1;
}

/**
 * Checks a filter before it reaches the parser, in one pass without recursion, so that no input can
 * exhaust the stack or the time of the parser, the evaluator or the SQL built from the filter:
 * - at most {@link MAX_FILTER_LENGTH} characters, {@link MAX_FILTER_TERMS} comparison terms and
 *   {@link MAX_FILTER_DEPTH} levels of parentheses and value paths;
 * - every string literal is a JSON string (RFC 7644 3.4.2.2: `compValue` is a JSON value), and its
 *   value is the JSON-decoded one (the parser keeps backslashes, so literals with one reach it as
 *   placeholders);
 * - `not` is followed by a parenthesised filter (`"not" "(" valFilter ")"`);
 * - no sub-attribute follows a value path (`emails[type eq "work"].value eq "x"`): the parser would
 *   silently turn it into an unrelated `and`.
 * Every problem throws `ValidationError` scimType `invalidFilter`.
 */
export function scanFilter(text: string): ScannedFilter {
  if (text.length > MAX_FILTER_LENGTH) {
    tooLarge(`the filter is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH} characters`);
  }
  const decoded = new Map<string, string>();
  const originals: string[] = [];
  let out = '';
  let copied = 0;
  let depth = 0;
  let terms = 0;
  let logical = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"') {
      const close = closingQuote(text, i);
      if (close < 0) invalid(text, `the string starting at character ${i + 1} is not terminated`);
      const raw = text.slice(i, close + 1);
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        invalid(text, `${echo(raw)} (character ${i + 1}) is not a JSON string: escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX, control characters must be escaped`);
      }
      if (raw.includes('\\') || raw.includes(MARK)) {
        const key = `${MARK}${originals.length}`;
        decoded.set(key, value as string);
        originals.push(raw);
        out += `${text.slice(copied, i)}"${key}"`;
        copied = close + 1;
      }
      i = close + 1;
      continue;
    }
    if (char === '(' || char === '[') {
      depth += 1;
      if (depth > MAX_FILTER_DEPTH) tooLarge(`the filter nests parentheses and value paths more than ${MAX_FILTER_DEPTH} levels deep; the limit is ${MAX_FILTER_DEPTH}`);
    } else if (char === ')' || char === ']') {
      depth = Math.max(0, depth - 1);
      if (char === ']' && text[i + 1] === '.') invalid(text, 'a value path cannot be followed by a sub-attribute in a filter');
    } else if (WORD_START.test(char)) {
      let end = i + 1;
      while (end < text.length && WORD_CHAR.test(text[end]!)) end += 1;
      const word = text.slice(i, end).toLowerCase();
      if (COMPARISON_WORDS.has(word)) terms += 1;
      else if (word === 'and' || word === 'or') logical += 1;
      else if (word === 'not') {
        let next = end;
        while (next < text.length && SPACE.test(text[next]!)) next += 1;
        if (text[next] !== '(') invalid(text, `"not" must be followed by a filter in parentheses: not (...)`);
      }
      if (Math.max(terms, logical + 1) > MAX_FILTER_TERMS) {
        tooLarge(`the filter has more than ${MAX_FILTER_TERMS} comparison terms; the limit is ${MAX_FILTER_TERMS}`);
      }
      i = end;
      continue;
    }
    i += 1;
  }
  return {
    text: copied === 0 ? text : out + text.slice(copied),
    literal: (value) => decoded.get(value) ?? value,
    restore: (message) => (originals.length === 0 ? message : message.replace(PLACEHOLDER, (match, index: string) => originals[Number(index)] ?? match)),
  };
}
