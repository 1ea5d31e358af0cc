import { sql } from 'kysely';
import { ValidationError } from '@provisioning/errors';
import { dateTimeMillis } from '@provisioning/scim';
import type { AttributeDefinition, CompareOperator, Filter } from '@provisioning/scim';
import { and, atLeast, exact, FALSE, guarded, not, or, TRUE, unless, withPre } from './condition';
import type { Cond, Sql, Undecided } from './condition';
import type { JsonRef, SqlDialect } from './sql-dialect';

/** One value of an attribute as SQL sees it (present wherever it is used). */
export type Value = TextValue | BooleanValue | MillisValue;

export interface TextValue {
  readonly kind: 'text';
  readonly sql: Sql;
  readonly caseExact: boolean;
  /** JavaScript's exact lower case of the value, where it is stored (groups' `display_key`). */
  readonly folded?: Sql;
  /** Known to be ASCII (ids, URLs under an ASCII base URL): SQL decides every comparison. */
  readonly ascii?: boolean;
  /** Where rows are that SQL cannot decide for this value (beyond ASCII); default `anywhere`. */
  readonly undecided?: Undecided;
  /** An index-friendly condition that holds wherever the ASCII value compares true (`username_key`). */
  readonly hint?: (op: CompareOperator, folded: string) => Sql | undefined;
  /** The stored JSON text holding the value (a JSON string in it), or `column` for a column's own value. */
  readonly stored?: Sql | 'column';
}

export interface BooleanValue {
  readonly kind: 'boolean';
  readonly isTrue: Sql;
  readonly isFalse: Sql;
  /** The stored JSON text holding the value and its member name. */
  readonly stored?: { text: Sql; name: string };
}

/** A dateTime stored as epoch milliseconds (`meta.created`, `meta.lastModified`). */
export interface MillisValue {
  readonly kind: 'millis';
  readonly sql: Sql;
  readonly iso: Sql;
}

/** The values an attribute path designates in one resource, or in one element of a value path. */
export interface Values {
  /** Some value satisfies `test`. */
  some(test: (value: Value) => Cond): Cond;
  /** Some value is assigned (`pr`: not null, not "", not an object without assigned members). */
  present(): Cond;
}

/** Where the attribute names of a filter are resolved: a resource, or an element of a value path. */
export interface Scope {
  /** The values of `attrPath`; `compared`: a complex attribute stands for its `value` sub-attribute. */
  operand(attrPath: string, compared: boolean): Values;
  /** `attrPath[inner]`: some element satisfies the inner filter. */
  valuePath(attrPath: string, inner: (element: Scope) => Cond): Cond;
}

const SYMBOLS: Record<'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne', string> = { gt: '>', ge: '>=', lt: '<', le: '<=', eq: '=', ne: '<>' };

export const isAscii = (text: string) => !/[\u0080-\uffff]/.test(text);

/** U+0000 and unpaired surrogates: no stored text holds them, and neither driver can send them. */
const malformed = (text: string) => text.includes('\u0000') || /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

/**
 * A text comparison (RFC 7644 3.4.2.2) with the attribute's caseExact. SQL folds ASCII only, so a
 * folded comparison is exact for ASCII values; for others `eq co sw ew` that hold in SQL hold in
 * JavaScript too (its lower case of an ASCII-folded text equals its lower case of the text, and the
 * folded filter value is its own lower case) and the rest stays undecided. Orderings compare code
 * points in SQL and UTF-16 units in JavaScript, which agree for ASCII values.
 */
function textTest(d: SqlDialect, op: CompareOperator, compValue: string, value: TextValue): Cond {
  const folding = !value.caseExact;
  const w = folding ? compValue.toLowerCase() : compValue;
  const x = value.folded ?? (folding ? d.fold(value.sql) : value.sql);
  const exactText = value.ascii === true || !folding || value.folded !== undefined;
  const where = value.undecided ?? 'anywhere';
  const hint = value.hint?.(op, w);
  const hinted = (test: Sql) => (hint ? sql`(${hint} and ${test})` : test);
  const positive = op === 'eq' || op === 'co' || op === 'sw' || op === 'ew';
  let result: Cond;
  if (positive || op === 'ne') {
    const test = hinted(op === 'eq' || op === 'ne' ? sql`(${x} = ${w})` : op === 'co' ? d.contains(x, w) : op === 'sw' ? d.startsWith(x, w) : d.endsWith(x, w));
    if (exactText) {
      result = exact(op === 'ne' ? sql`(not ${test})` : test);
    } else {
      // Undecided: a value beyond ASCII that holds the filter value's ASCII core (below), and the
      // same rows for `ne`, which is `not eq`.
      const core = asciiCore(w);
      const open = core === '' ? d.nonAscii(value.sql) : sql`(${d.nonAscii(value.sql)} and ${d.scan(value.sql, core, true)})`;
      result = op === 'ne' ? unless(sql`(not ${test})`, open, where) : atLeast(test, open, where);
    }
  } else {
    const test = hinted(sql`(${d.ordered(x)} ${sql.raw(SYMBOLS[op])} ${w})`);
    result = value.ascii ? exact(test) : unless(test, d.nonAscii(value.folded ?? value.sql), where);
  }
  if (value.stored === 'column') {
    // A column's own value: the whole condition is cheap already.
    return withPre(result, { pre: result.sure, maybePre: result.maybe, openPre: result.maybe === undefined ? undefined : sql`(${result.maybe} and not ${result.sure})` });
  }
  if (value.stored === undefined) return result;
  // The stored text holds the value as a JSON string (escaped character by character), and folding
  // ASCII commutes with that escaping: the text must contain the escaped filter value, and where the
  // value is beyond ASCII, its ASCII core (which the escaped value contains too).
  const core = folding && !exactText ? asciiCore(w) : '';
  const coreIn = core === '' ? undefined : d.scan(value.stored, core, true);
  if (!positive) return op === 'ne' ? withPre(result, { openPre: coreIn }) : result;
  const escaped = JSON.stringify(w).slice(1, -1);
  const needle = op === 'eq' ? `"${escaped}"` : op === 'sw' ? `"${escaped}` : op === 'ew' ? `${escaped}"` : escaped;
  return withPre(result, { pre: d.scan(value.stored, needle, folding), maybePre: coreIn, openPre: coreIn });
}

/**
 * The longest run of the folded filter value that any matching text beyond ASCII holds too, ASCII-
 * folded: JavaScript folds nothing beyond ASCII into ASCII except the Kelvin sign ("k") and the
 * dotted capital I ("i" and a combining dot), so a run of other ASCII characters comes from the
 * same characters. Quotes and backslashes are left out (the stored JSON escapes them).
 */
function asciiCore(folded: string): string {
  let best = '';
  for (const run of folded.split(/[^\x20-\x7e]|[ki"\\]/)) if (run.length > best.length) best = run;
  return best;
}

function valueTest(d: SqlDialect, op: CompareOperator, compValue: string | number | boolean, value: Value): Cond {
  switch (value.kind) {
    case 'boolean': {
      if (typeof compValue !== 'boolean' || (op !== 'eq' && op !== 'ne')) return FALSE;
      const wanted = (op === 'eq') === compValue;
      return exact(wanted ? value.isTrue : value.isFalse, value.stored ? d.scan(value.stored.text, `${JSON.stringify(value.stored.name)}:${wanted}`, false) : undefined);
    }
    case 'millis': {
      if (typeof compValue !== 'string') return FALSE;
      if (op === 'co' || op === 'sw' || op === 'ew') return textTest(d, op, compValue, { kind: 'text', sql: value.iso, caseExact: true, ascii: true, stored: 'column' });
      const millis = dateTimeMillis(compValue);
      if (millis === undefined) return FALSE;
      const test = sql`(${value.sql} ${sql.raw(SYMBOLS[op])} ${millis})`;
      return exact(test, test);
    }
    default:
      return typeof compValue === 'string' ? textTest(d, op, compValue, value) : FALSE;
  }
}

/** `pr` of one present value: not "". */
export function assigned(value: Value): Cond {
  return value.kind === 'text' ? exact(sql`(${value.sql} <> '')`) : TRUE;
}

/**
 * The filter as SQL (RFC 7644 3.4.2.2, with the semantics of `compileFilter`): `ne` also matches an
 * unassigned attribute, `eq null` / `ne null` test absence / presence, multi-valued attributes
 * match when some value does. The filter must have passed `compileFilter` (attributes known,
 * operators allowed for their types). A comparison value with U+0000 or an unpaired surrogate is
 * refused with `invalidFilter`: no stored text can hold one, and neither database can be sent one.
 */
export function filterSql(filter: Filter, scope: Scope, d: SqlDialect): Cond {
  switch (filter.op) {
    case 'and':
      return and(...filter.filters.map((part) => filterSql(part, scope, d)));
    case 'or':
      return or(...filter.filters.map((part) => filterSql(part, scope, d)));
    case 'not':
      return not(filterSql(filter.filter, scope, d));
    case '[]':
      return scope.valuePath(filter.attrPath, (element) => filterSql(filter.valFilter, element, d));
    case 'pr':
      return scope.operand(filter.attrPath, false).present();
    default: {
      const { op, compValue } = filter;
      const values = scope.operand(filter.attrPath, true);
      if (compValue === null) return op === 'eq' ? not(values.present()) : values.present();
      if (typeof compValue === 'string' && malformed(compValue)) {
        throw new ValidationError('Invalid filter: a comparison value cannot contain U+0000 or an unpaired surrogate', { scimType: 'invalidFilter' });
      }
      const test = (value: Value) => valueTest(d, op, compValue, value);
      if (op === 'ne') return or(not(values.some(() => TRUE)), values.some(test));
      return values.some(test);
    }
  }
}

/** One value that every resource has (columns, `meta`). */
export function always(value: Value): Values {
  return { some: (test) => test(value), present: () => assigned(value) };
}

/** One value that may be absent (`present` says where it exists). */
export function optional(value: Value, exists: Sql): Values {
  return {
    some: (test) => and(exact(exists), test(value)),
    present: () => and(exact(exists), assigned(value)),
  };
}

/**
 * What SQL says about the stored resource, except for resources whose text has a `\u` escape (NUL,
 * unpaired surrogates: PostgreSQL's jsonb refuses them, SQLite's JSON decodes them differently):
 * those are left to the exact filter.
 */
export function docGuard(d: SqlDialect, table: string, c: Cond): Cond {
  const escaped = d.escaped(table);
  return guarded(c, sql`(not ${escaped})`, escaped, 'escaped');
}

const subAttribute = (attribute: AttributeDefinition, name: string) => attribute.subAttributes?.find((sub) => sub.name.toLowerCase() === name.toLowerCase());

/** The `value` sub-attribute a complex attribute stands for in comparisons and sorts. */
export function valueSubAttribute(attribute: AttributeDefinition): AttributeDefinition | undefined {
  return attribute.type === 'complex' ? subAttribute(attribute, 'value') : undefined;
}

/** A stored text of an attribute of type `definition` (string, reference, binary), in the JSON text `stored`. */
function textValue(text: Sql, definition: AttributeDefinition, stored: Sql): TextValue {
  if (definition.type === 'string' || definition.type === 'reference' || definition.type === 'binary') {
    return { kind: 'text', sql: text, caseExact: definition.caseExact || definition.type === 'binary', undecided: 'exotic', stored };
  }
  // The User and Group schemas store no other type in the resource (dateTimes are meta's columns).
  throw new Error(`attributes of type ${definition.type} are not searchable in SQL`);
}

/** One stored JSON value of an attribute of type `definition` as a {@link Value}. */
export function jsonValue(ref: JsonRef, definition: AttributeDefinition): Value {
  if (definition.type === 'boolean') {
    return { kind: 'boolean', isTrue: ref.isBoolean(true), isFalse: ref.isBoolean(false), ...(ref.name ? { stored: { text: ref.source, name: ref.name } } : {}) };
  }
  return textValue(ref.text, definition, ref.source);
}

/** Values of a JSON value that exists where its text is not NULL. */
function jsonSingle(ref: JsonRef, definition: AttributeDefinition): Values {
  return optional(jsonValue(ref, definition), sql`(${ref.text} is not null)`);
}

/**
 * The values of an attribute stored in the resource JSON (`ref` is the attribute's member):
 * simple or complex, single- or multi-valued, with `leaf` the sub-attribute when one is named.
 */
export function jsonValues(d: SqlDialect, table: string, ref: JsonRef, attribute: AttributeDefinition, leaf: AttributeDefinition | undefined): Values {
  const guard = (c: Cond) => docGuard(d, table, c);
  if (attribute.type === 'complex' && !leaf) {
    // `pr` only: comparisons name a sub-attribute (or `value`).
    const present = attribute.multiValued ? ref.someElement((element) => exact(element.assignedObject)) : exact(ref.assignedObject);
    return { some: () => FALSE, present: () => guard(present) };
  }
  if (!attribute.multiValued) {
    const values = jsonSingle(attribute.type === 'complex' ? ref.member(leaf!.name) : ref, leaf ?? attribute);
    return { some: (test) => guard(values.some(test)), present: () => guard(values.present()) };
  }
  const each = (test: (value: Value) => Cond) =>
    ref.someElement((element, text) =>
      attribute.type === 'complex'
        ? jsonSingle(element.member(leaf!.name), leaf!).some(test)
        : optional(textValue(text, attribute, element.source), sql`(${text} is not null)`).some(test),
    );
  return { some: (test) => guard(each(test)), present: () => guard(each(assigned)) };
}

/**
 * `attrPath[inner]` over an attribute stored in the resource JSON: the inner filter's names are
 * sub-attributes of one element (an object).
 */
export function jsonValuePath(d: SqlDialect, table: string, ref: JsonRef, attribute: AttributeDefinition, inner: (element: Scope) => Cond): Cond {
  const scopeOf = (element: JsonRef): Scope => ({
    operand(name) {
      const sub = subAttribute(attribute, name)!;
      return jsonSingle(element.member(sub.name), sub);
    },
    valuePath: () => FALSE,
  });
  const matches = attribute.multiValued
    ? ref.someElement((element) => and(exact(element.isObject), inner(scopeOf(element))))
    : and(exact(ref.isObject), inner(scopeOf(ref)));
  return docGuard(d, table, matches);
}

/** `meta` of a User or Group (RFC 7643 3.1), from the row's columns and the request's base URL. */
export function metaValues(d: SqlDialect, table: string, resourceType: 'User' | 'Group', base: string, leaf: AttributeDefinition | undefined): Values {
  const column = (name: string) => sql.ref(`${table}.${name}`);
  if (!leaf) return { some: () => FALSE, present: () => TRUE };
  switch (leaf.name) {
    case 'created':
      return always({ kind: 'millis', sql: column('created_at'), iso: d.isoOfMillis(column('created_at')) });
    case 'lastModified':
      return always({ kind: 'millis', sql: column('updated_at'), iso: d.isoOfMillis(column('updated_at')) });
    case 'location':
      return always({
        kind: 'text',
        sql: d.concat([sql`cast(${base} as text)`, sql.lit(resourceType === 'User' ? '/Users/' : '/Groups/'), column('id')]),
        caseExact: true,
        ascii: isAscii(base),
        stored: 'column',
      });
    case 'version':
      return always({ kind: 'text', sql: d.concat([sql.lit('W/"'), d.integerText(column('version')), sql.lit('"')]), caseExact: true, ascii: true, stored: 'column' });
    default:
      return always({ kind: 'text', sql: sql`cast(${resourceType} as text)`, caseExact: true, ascii: true });
  }
}

/** `meta[inner]`. */
export function metaValuePath(d: SqlDialect, table: string, resourceType: 'User' | 'Group', base: string, meta: AttributeDefinition, inner: (element: Scope) => Cond): Cond {
  return inner({
    operand: (name) => metaValues(d, table, resourceType, base, subAttribute(meta, name)),
    valuePath: () => FALSE,
  });
}
