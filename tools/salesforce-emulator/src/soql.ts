/**
 * A small SOQL parser: `SELECT fields|COUNT() FROM Object [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n]`.
 * Conditions: `=, !=, <>, <, <=, >, >=`, `[NOT] IN (...)`, `LIKE`, `NOT`, `AND`/`OR` with parentheses
 * (mixing AND and OR without parentheses is rejected, as Salesforce does). String literals use SOQL's
 * backslash escapes. Errors are {@link SoqlSyntaxError}s carrying Salesforce's message layout.
 */

/** A literal on the right-hand side of a condition. */
export type SoqlValue =
  | { kind: 'string'; value: string; /** Raw text between the quotes, escapes kept (LIKE needs it). */ raw: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'datetime'; value: string; epochMs: number }
  | { kind: 'date'; value: string; epochMs: number };

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** A WHERE condition tree. Field names are as written (dotted for relationships). */
export type SoqlCondition =
  | { kind: 'comparison'; field: string; op: ComparisonOperator; value: SoqlValue; position: number }
  | { kind: 'in'; field: string; negated: boolean; values: SoqlValue[]; position: number }
  | { kind: 'like'; field: string; pattern: SoqlValue; position: number }
  | { kind: 'and'; operands: SoqlCondition[] }
  | { kind: 'or'; operands: SoqlCondition[] }
  | { kind: 'not'; operand: SoqlCondition };

export interface SoqlOrderBy {
  field: string;
  direction: 'ASC' | 'DESC';
  nulls: 'FIRST' | 'LAST';
  position: number;
}

/** A parsed query. `fields` is null for `SELECT COUNT()`. */
export interface SoqlQuery {
  fields: Array<{ name: string; position: number }> | null;
  object: string;
  objectPosition: number;
  where?: SoqlCondition;
  orderBy: SoqlOrderBy[];
  limit?: number;
  offset?: number;
  /** The original text, for error messages. */
  text: string;
}

/** A malformed query; `errorCode` is MALFORMED_QUERY unless stated. */
export class SoqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly errorCode = 'MALFORMED_QUERY',
  ) {
    super(message);
    this.name = errorCode;
  }
}

/**
 * Formats an error the way Salesforce does: the query, a caret under the offending column,
 * `ERROR at Row:r:Column:c` and the detail.
 */
export function formatQueryError(text: string, position: number, detail: string): string {
  const before = text.slice(0, position);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = position - lineStart + 1;
  const line = text.split('\n')[row - 1] ?? '';
  return `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${detail}`;
}

type TokenType = 'ident' | 'string' | 'number' | 'datetime' | 'date' | 'op' | 'comma' | 'lparen' | 'rparen' | 'eof';

interface Token {
  type: TokenType;
  /** Identifier or operator text, or the decoded literal. */
  value: string;
  raw: string;
  position: number;
}

const ESCAPES: Record<string, string> = {
  n: '\n', N: '\n', r: '\r', R: '\r', t: '\t', T: '\t', b: '\b', B: '\b', f: '\f', F: '\f',
  '"': '"', "'": "'", '\\': '\\', '%': '%', _: '_',
};

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\w:])/;
const NUMBER = /^[+-]?\d+(\.\d+)?(?![\w.])/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/;

/** Splits a query into tokens; throws {@link SoqlSyntaxError} on bad string literals or characters. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    if (ch === "'") {
      const { value, raw, end } = readString(text, i);
      tokens.push({ type: 'string', value, raw, position: i });
      i = end;
      continue;
    }
    const simple: Partial<Record<string, TokenType>> = { ',': 'comma', '(': 'lparen', ')': 'rparen' };
    const simpleType = simple[ch];
    if (simpleType) {
      tokens.push({ type: simpleType, value: ch, raw: ch, position: i });
      i++;
      continue;
    }
    const op = /^(!=|<>|<=|>=|=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ type: 'op', value: op[1] === '<>' ? '!=' : op[1], raw: op[1], position: i });
      i += op[1].length;
      continue;
    }
    const lexed = lexLiteralOrIdent(rest);
    if (lexed) {
      tokens.push({ type: lexed.type, value: lexed.raw, raw: lexed.raw, position: i });
      i += lexed.raw.length;
      continue;
    }
    throw new SoqlSyntaxError(formatQueryError(text, i, `unexpected token: '${ch}'`));
  }
  tokens.push({ type: 'eof', value: '', raw: '', position: text.length });
  return tokens;
}

const LEXERS: ReadonlyArray<readonly [TokenType, RegExp]> = [
  ['datetime', DATETIME],
  ['date', DATE],
  ['number', NUMBER],
  ['ident', IDENT],
];

function lexLiteralOrIdent(rest: string): { type: TokenType; raw: string } | undefined {
  for (const [type, pattern] of LEXERS) {
    const m = pattern.exec(rest);
    if (m) return { type, raw: m[0] };
  }
  return undefined;
}

function readString(text: string, start: number): { value: string; raw: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "'") return { value, raw: text.slice(start + 1, i), end: i + 1 };
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      const decoded = next === undefined ? undefined : ESCAPES[next];
      if (decoded === undefined) {
        throw new SoqlSyntaxError(
          formatQueryError(text, i, `Invalid string literal '${text.slice(start + 1, i + 2)}'. Illegal escape sequence '\\${next ?? ''}'`),
        );
      }
      value += decoded;
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  throw new SoqlSyntaxError(formatQueryError(text, start, `unterminated string literal: ${text.slice(start)}`));
}

const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'ORDER', 'BY', 'LIMIT', 'OFFSET', 'ASC', 'DESC',
  'NULLS', 'FIRST', 'LAST', 'GROUP', 'HAVING', 'WITH', 'FOR', 'USING', 'INCLUDES', 'EXCLUDES', 'TRUE', 'FALSE', 'NULL',
]);

/** Parses a SOQL query; throws {@link SoqlSyntaxError} (MALFORMED_QUERY) when it is not understood. */
export function parseSoql(text: string): SoqlQuery {
  return new Parser(text).parseQuery();
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  parseQuery(): SoqlQuery {
    this.expectKeyword('SELECT');
    const fields = this.parseSelectList();
    this.expectKeyword('FROM');
    const objectToken = this.next();
    if (objectToken.type !== 'ident' || objectToken.value.includes('.') || this.isReserved(objectToken)) {
      throw this.unexpected(objectToken);
    }
    const query: SoqlQuery = {
      fields,
      object: objectToken.value,
      objectPosition: objectToken.position,
      orderBy: [],
      text: this.text,
    };
    if (this.acceptKeyword('WHERE')) query.where = this.parseOr();
    if (this.peekKeyword('ORDER')) {
      this.next();
      this.expectKeyword('BY');
      query.orderBy = this.parseOrderBy();
    }
    if (this.acceptKeyword('LIMIT')) query.limit = this.parseInteger();
    if (this.acceptKeyword('OFFSET')) query.offset = this.parseInteger();
    const end = this.next();
    if (end.type !== 'eof') throw this.unexpected(end);
    return query;
  }

  private parseSelectList(): SoqlQuery['fields'] {
    const first = this.peek();
    if (first.type === 'ident' && first.value.toUpperCase() === 'COUNT' && this.tokens[this.index + 1]?.type === 'lparen') {
      this.index += 2;
      const close = this.next();
      if (close.type !== 'rparen') {
        throw new SoqlSyntaxError(formatQueryError(this.text, close.position, 'COUNT(field) aggregate queries are not supported by the emulator; use COUNT()'));
      }
      return null;
    }
    const fields: Array<{ name: string; position: number }> = [];
    const seen = new Set<string>();
    do {
      const token = this.next();
      if (token.type === 'lparen') {
        throw new SoqlSyntaxError(formatQueryError(this.text, token.position, 'sub-queries are not supported by the emulator'));
      }
      if (token.type !== 'ident' || this.isReserved(token)) throw this.unexpected(token);
      if (this.peek().type === 'lparen') {
        throw new SoqlSyntaxError(formatQueryError(this.text, token.position, `function ${token.value}() is not supported by the emulator`));
      }
      const key = token.value.toLowerCase();
      if (seen.has(key)) {
        throw new SoqlSyntaxError(formatQueryError(this.text, token.position, `duplicate field selected: ${token.value}`));
      }
      seen.add(key);
      fields.push({ name: token.value, position: token.position });
    } while (this.accept('comma'));
    return fields;
  }

  private parseOr(): SoqlCondition {
    const first = this.parseNot();
    const operands = [first];
    let joiner: 'AND' | 'OR' | undefined;
    for (;;) {
      const token = this.peek();
      const word = token.type === 'ident' ? token.value.toUpperCase() : '';
      if (word !== 'AND' && word !== 'OR') break;
      if (joiner && joiner !== word) throw this.unexpected(token);
      joiner = word;
      this.next();
      operands.push(this.parseNot());
    }
    if (operands.length === 1) return first;
    return joiner === 'OR' ? { kind: 'or', operands } : { kind: 'and', operands };
  }

  private parseNot(): SoqlCondition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', operand: this.parseNot() };
    if (this.accept('lparen')) {
      const inner = this.parseOr();
      const close = this.next();
      if (close.type !== 'rparen') throw this.unexpected(close);
      return inner;
    }
    return this.parseCondition();
  }

  private parseCondition(): SoqlCondition {
    const fieldToken = this.next();
    if (fieldToken.type !== 'ident' || this.isReserved(fieldToken)) throw this.unexpected(fieldToken);
    const field = fieldToken.value;
    const position = fieldToken.position;
    const opToken = this.next();
    if (opToken.type === 'op') {
      return { kind: 'comparison', field, op: opToken.value as ComparisonOperator, value: this.parseValue(), position };
    }
    const word = opToken.type === 'ident' ? opToken.value.toUpperCase() : '';
    if (word === 'LIKE') return { kind: 'like', field, pattern: this.parseValue(), position };
    if (word === 'IN') return { kind: 'in', field, negated: false, values: this.parseValueList(), position };
    if (word === 'NOT' && this.acceptKeyword('IN')) {
      return { kind: 'in', field, negated: true, values: this.parseValueList(), position };
    }
    if (word === 'INCLUDES' || word === 'EXCLUDES') {
      throw new SoqlSyntaxError(formatQueryError(this.text, opToken.position, `${word} is not supported by the emulator`));
    }
    throw this.unexpected(opToken);
  }

  private parseValueList(): SoqlValue[] {
    const open = this.next();
    if (open.type !== 'lparen') throw this.unexpected(open);
    const values: SoqlValue[] = [];
    do {
      values.push(this.parseValue());
    } while (this.accept('comma'));
    const close = this.next();
    if (close.type !== 'rparen') throw this.unexpected(close);
    return values;
  }

  private parseValue(): SoqlValue {
    const token = this.next();
    switch (token.type) {
      case 'string':
        return { kind: 'string', value: token.value, raw: token.raw };
      case 'number':
        return { kind: 'number', value: Number(token.value) };
      case 'datetime':
      case 'date': {
        const iso = token.type === 'date' ? `${token.value}T00:00:00Z` : token.value;
        const epochMs = Date.parse(iso);
        if (Number.isNaN(epochMs)) throw this.unexpected(token);
        return { kind: token.type, value: token.value, epochMs };
      }
      case 'ident': {
        const word = token.value.toUpperCase();
        if (word === 'TRUE' || word === 'FALSE') return { kind: 'boolean', value: word === 'TRUE' };
        if (word === 'NULL') return { kind: 'null' };
        if (/^[A-Z_]+(:\d+)?$/.test(word) && !RESERVED.has(word)) {
          throw new SoqlSyntaxError(formatQueryError(this.text, token.position, `date literal ${token.value} is not supported by the emulator`));
        }
        throw this.unexpected(token);
      }
      default:
        throw this.unexpected(token);
    }
  }

  private parseOrderBy(): SoqlOrderBy[] {
    const items: SoqlOrderBy[] = [];
    do {
      const token = this.next();
      if (token.type !== 'ident' || this.isReserved(token)) throw this.unexpected(token);
      let direction: SoqlOrderBy['direction'] = 'ASC';
      if (this.acceptKeyword('DESC')) direction = 'DESC';
      else this.acceptKeyword('ASC');
      let nulls: SoqlOrderBy['nulls'] = direction === 'ASC' ? 'FIRST' : 'LAST';
      if (this.acceptKeyword('NULLS')) {
        if (this.acceptKeyword('FIRST')) nulls = 'FIRST';
        else if (this.acceptKeyword('LAST')) nulls = 'LAST';
        else throw this.unexpected(this.peek());
      }
      items.push({ field: token.value, direction, nulls, position: token.position });
    } while (this.accept('comma'));
    return items;
  }

  private parseInteger(): number {
    const token = this.next();
    if (token.type !== 'number' || !/^\d+$/.test(token.value)) throw this.unexpected(token);
    return Number(token.value);
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.type !== 'eof') this.index++;
    return token;
  }

  private accept(type: TokenType): boolean {
    if (this.peek().type !== type) return false;
    this.index++;
    return true;
  }

  private peekKeyword(word: string): boolean {
    const token = this.peek();
    return token.type === 'ident' && token.value.toUpperCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.peekKeyword(word)) return false;
    this.index++;
    return true;
  }

  private expectKeyword(word: string): void {
    const token = this.next();
    if (token.type !== 'ident' || token.value.toUpperCase() !== word) throw this.unexpected(token);
  }

  private isReserved(token: Token): boolean {
    return RESERVED.has(token.value.toUpperCase());
  }

  private unexpected(token: Token): SoqlSyntaxError {
    const shown = token.type === 'eof' ? '<EOF>' : token.type === 'string' ? `'${token.raw}'` : token.raw;
    return new SoqlSyntaxError(formatQueryError(this.text, token.position, `unexpected token: ${shown}`));
  }
}

/**
 * Converts a LIKE pattern (raw literal text, escapes kept) into an anchored case-insensitive RegExp:
 * `%` any run, `_` one character, `\%` and `\_` literal.
 */
export function likeToRegExp(raw: string): RegExp {
  let source = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '\\') {
      const next = raw[i + 1] ?? '';
      i++;
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 1, i + 5))) {
        source += escapeRegExp(String.fromCharCode(parseInt(raw.slice(i + 1, i + 5), 16)));
        i += 4;
        continue;
      }
      source += escapeRegExp(ESCAPES[next] ?? next);
    } else if (ch === '%') {
      source += '[\\s\\S]*';
    } else if (ch === '_') {
      source += '[\\s\\S]';
    } else {
      source += escapeRegExp(ch);
    }
  }
  return new RegExp(`^${source}$`, 'i');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Escapes a value for use inside a SOQL string literal (backslash and single quote, plus control characters). */
export function escapeSoqlString(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
}
