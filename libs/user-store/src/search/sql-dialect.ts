import { sql } from 'kysely';
import type { SqlDialectName } from '@provisioning/persistence';
import { mapBounds } from './condition';
import type { Cond, Sql, Undecided } from './condition';

/** A JSON member name, embedded as a literal (index expressions need literals): schema names and URNs. */
const NAME = /^[A-Za-z$][A-Za-z0-9_$.:-]*$/;
/** A member name SQLite's JSON path takes without quotes. */
const PLAIN = /^[A-Za-z][A-Za-z0-9_]*$/;

function checkedName(name: string): string {
  if (!NAME.test(name)) throw new Error(`unexpected JSON member name ${JSON.stringify(name)}`);
  return name;
}

/** A JSON value inside a stored resource: the document, one of its members, or an array element. */
export interface JsonRef {
  /** The value as SQL text (strings; resources are validated, so a string attribute holds one). */
  readonly text: Sql;
  /** The stored JSON text the value is part of (the row's `resource`). */
  readonly source: Sql;
  /** The member name this value is under, if it is one. */
  readonly name?: string;
  /** True where the value is JSON `true` (`false`); never NULL. */
  isBoolean(value: boolean): Sql;
  /** A member of this object. */
  member(name: string): JsonRef;
  /**
   * Some element of this array satisfies `test`, which gets each element and the SQL text of the
   * element when it is a string.
   */
  someElement(test: (element: JsonRef, elementText: Sql) => Cond): Cond;
  /** The element chosen for sorting: the one with `primary: true`, else the first. */
  sortElement(): JsonRef;
  /** The first element. */
  firstElement(): JsonRef;
  /** True where this is an object with some member that is neither null nor "" (RFC 7643 2.5 "assigned"). */
  readonly assignedObject: Sql;
  /** True where this is an object. */
  readonly isObject: Sql;
}

/**
 * Dialect-specific SQL. Text is folded and ordered the same way on both dialects: `lower()` folds
 * ASCII only (SQLite's, and PostgreSQL's under the C collation) and comparisons and sorts use
 * code-point order (SQLite's binary collation, PostgreSQL's "C").
 */
export interface SqlDialect {
  readonly name: SqlDialectName;
  /** ASCII-only lower case. */
  fold(text: Sql): Sql;
  /** Text for `<`, `>` and `order by`: code-point order. */
  ordered(text: Sql): Sql;
  /** True where a non-NULL text has a character beyond ASCII. */
  nonAscii(text: Sql): Sql;
  contains(text: Sql, value: string): Sql;
  /**
   * Whether `text` contains `value` (ASCII-folded both when `folded`): the fastest way each database
   * scans a whole stored text for a value.
   */
  scan(text: Sql, value: string, folded: boolean): Sql;
  startsWith(text: Sql, value: string): Sql;
  endsWith(text: Sql, value: string): Sql;
  concat(parts: Sql[]): Sql;
  /** An integer column as text. */
  integerText(value: Sql): Sql;
  /** Epoch milliseconds as `Date#toISOString` writes them. */
  isoOfMillis(millis: Sql): Sql;
  /** A one-column subquery of the strings in a JSON array parameter. */
  stringsOf(json: string): Sql;
  /** A subquery of (i, m, k) rows from a JSON array parameter of [id, missing, key] triples. */
  sortOverrides(json: string): Sql;
  /**
   * The resource of `table` as a JSON document. On PostgreSQL the query must join the lateral
   * {@link docLateral} (one parse per row); `indexable` gives the expression the indexes use instead.
   */
  doc(table: string, indexable?: boolean): JsonRef;
  /** What a query reading {@link doc} joins (PostgreSQL), or nothing. */
  docLateral(table: string): Sql;
  /** True where the stored resource text has a `\u` escape: SQL leaves such rows to JavaScript. */
  escaped(table: string): Sql;
  /**
   * Where rows SQL leaves undecided can be (users only), exactly as the partial indexes of migration
   * 0011 write it, and on SQLite the index to read them through.
   */
  undecided(where: Exclude<Undecided, 'anywhere'>): { condition: Sql; index: Sql };
}

/** Number of code points (what SQL's substr/left/right count). */
const codePoints = (text: string) => [...text].length;

function sqliteRef(base: Sql, path: string, source: Sql, name?: string): JsonRef {
  const at = (suffix: string) => sql.lit(`${path}${suffix}`);
  return {
    source,
    ...(name === undefined ? {} : { name }),
    text: sql`json_extract(${base}, ${at('')})`,
    isBoolean: (value) => sql`(json_type(${base}, ${at('')}) is ${sql.lit(value ? 'true' : 'false')})`,
    member: (member) => sqliteRef(base, `${path}.${PLAIN.test(member) ? member : `"${checkedName(member)}"`}`, source, member),
    someElement(test) {
      const alias = sql.raw(nextAlias());
      // An element's value is JSON text only for objects (a string element is plain text).
      const element = sqliteRef(sql`(case when ${alias}.type = 'object' then ${alias}.value end)`, '$', source);
      const condition = test(element, sql`(case when ${alias}.type = 'text' then ${alias}.value end)`);
      return mapBounds(condition, (inner) => sql`exists (select 1 from json_each(${base}, ${at('')}) as ${alias} where ${inner})`);
    },
    sortElement() {
      const alias = sql.raw(nextAlias());
      const primary = sql`(select ${alias}.key from json_each(${base}, ${at('')}) as ${alias} where json_type(case when ${alias}.type = 'object' then ${alias}.value end, '$.primary') is 'true' order by ${alias}.key limit 1)`;
      return sqliteRef(sql`json_extract(${base}, ${at('')} || '[' || coalesce(${primary}, 0) || ']')`, '$', source);
    },
    firstElement: () => sqliteRef(base, `${path}[0]`, source),
    get assignedObject() {
      const alias = sql.raw(nextAlias());
      return sql`(json_type(${base}, ${at('')}) is 'object' and exists (select 1 from json_each(${base}, ${at('')}) as ${alias} where ${alias}.value is not null and ${alias}.value <> ''))`;
    },
    get isObject() {
      return sql`(json_type(${base}, ${at('')}) is 'object')`;
    },
  };
}

function postgresRef(json: Sql, source: Sql, name?: string): JsonRef {
  const ifType = (type: string) => sql`(case when jsonb_typeof(${json}) = ${sql.lit(type)} then ${json} end)`;
  return {
    source,
    ...(name === undefined ? {} : { name }),
    text: sql`(${json} #>> '{}')`,
    isBoolean: (value) => sql`coalesce(${json} = ${sql.lit(value ? 'true' : 'false')}::jsonb, false)`,
    member: (member) => postgresRef(sql`(${json} -> ${sql.lit(checkedName(member))})`, source, member),
    someElement(test) {
      const alias = sql.raw(nextAlias());
      const element = postgresRef(sql`${alias}.v`, source);
      const condition = test(element, sql`(case when jsonb_typeof(${alias}.v) = 'string' then ${alias}.v #>> '{}' end)`);
      return mapBounds(condition, (inner) => sql`exists (select 1 from jsonb_array_elements(${ifType('array')}) as ${alias}(v) where ${inner})`);
    },
    sortElement() {
      const alias = sql.raw(nextAlias());
      const primary = sql`(select (${alias}.o - 1)::int from jsonb_array_elements(${ifType('array')}) with ordinality as ${alias}(v, o) where ${alias}.v -> 'primary' = 'true'::jsonb order by ${alias}.o limit 1)`;
      return postgresRef(sql`(${json} -> coalesce(${primary}, 0))`, source);
    },
    firstElement: () => postgresRef(sql`(${json} -> 0)`, source),
    get assignedObject() {
      const alias = sql.raw(nextAlias());
      return sql`exists (select 1 from jsonb_each(${ifType('object')}) as ${alias}(k, v) where ${alias}.v <> 'null'::jsonb and ${alias}.v <> '""'::jsonb)`;
    },
    get isObject() {
      return sql`coalesce(jsonb_typeof(${json}) = 'object', false)`;
    },
  };
}

let aliases = 0;
/** A fresh alias for a subquery's rows (aliases only need to differ within one statement). */
function nextAlias(): string {
  aliases += 1;
  return `j${aliases}`;
}

/** Restarts alias numbering: the same search then gives the same SQL text (SQLite's statement cache). */
export function restartAliases(): void {
  aliases = 0;
}

/** A `\u` in a stored JSON text (an escape: NUL, other controls, unpaired surrogates; or a backslash before a "u"). */
const sqliteEscaped = (text: Sql) => sql`(${text} glob '*\\u*')`;
const postgresEscaped = (text: Sql) => sql`(${text} like '%\\\\u%')`;

/** PostgreSQL's parse of the resource; NULL for text with a `\u` escape (NUL and lone surrogates, which jsonb refuses). */
const postgresDoc = (table: string) => sql`(case when not ${postgresEscaped(sql.ref(`${table}.resource`))} then ${sql.ref(`${table}.resource`)}::jsonb end)`;

export const SQLITE: SqlDialect = {
  name: 'sqlite',
  fold: (text) => sql`lower(${text})`,
  ordered: (text) => text,
  nonAscii: (text) => sql`(length(cast(${text} as blob)) <> length(${text}))`,
  contains: (text, value) => sql`(instr(${text}, ${value}) > 0)`,
  // like (which folds ASCII only) and glob scan twice as fast as instr, fastest when the pattern
  // does not start with a character as frequent in JSON as a quote.
  scan: (text, value, folded) => {
    // A part of what must be contained must be contained too: patterns stay short (SQLite refuses long ones).
    const tail = [...value.replace(/^"/, '')].slice(0, 256).join('');
    return folded ? sql`(${text} like ${`%${tail.replace(/[%_|]/g, (c) => `|${c}`)}%`} escape '|')` : sql`(${text} glob ${`*${tail.replace(/[*?[]/g, (c) => `[${c}]`)}*`})`;
  },
  startsWith: (text, value) => sql`(substr(${text}, 1, ${codePoints(value)}) = ${value})`,
  endsWith: (text, value) => (value === '' ? sql`(1 = 1)` : sql`(substr(${text}, ${-codePoints(value)}) = ${value})`),
  concat: (parts) => sql`(${sql.join(parts, sql` || `)})`,
  integerText: (value) => sql`cast(${value} as text)`,
  isoOfMillis: (millis) =>
    sql`(strftime('%Y-%m-%dT%H:%M:%S', ${millis} / 1000, 'unixepoch') || '.' || substr('00' || (${millis} % 1000), -3) || 'Z')`,
  stringsOf: (json) => sql`(select value from json_each(${json}))`,
  sortOverrides: (json) => sql`(select json_extract(value, '$[0]') as i, json_extract(value, '$[1]') as m, json_extract(value, '$[2]') as k from json_each(${json}))`,
  doc: (table) => sqliteRef(sql.ref(`${table}.resource`), '$', sql.ref(`${table}.resource`)),
  docLateral: () => sql``,
  escaped: (table) => sqliteEscaped(sql.ref(`${table}.resource`)),
  undecided: (where) => {
    const resource = sql.ref('users.resource');
    const username = sql.ref('users.username');
    const condition =
      where === 'escaped'
        ? sqliteEscaped(resource)
        : where === 'username'
          ? sql`(length(cast(${username} as blob)) <> length(${username}))`
          : sql`(length(cast(${resource} as blob)) <> length(${resource}) or ${sqliteEscaped(resource)})`;
    return { condition, index: sql.raw(` indexed by users_${where}_idx`) };
  },
};

export const POSTGRES: SqlDialect = {
  name: 'postgres',
  fold: (text) => sql`lower(${text} collate "C")`,
  ordered: (text) => sql`(${text} collate "C")`,
  nonAscii: (text) => sql`(octet_length(${text}) <> char_length(${text}))`,
  contains: (text, value) => sql`(strpos(${text}, ${value}) > 0)`,
  scan: (text, value, folded) => (folded ? sql`(strpos(lower(${text} collate "C"), ${value.replace(/[A-Z]/g, (c) => c.toLowerCase())}) > 0)` : sql`(strpos(${text}, ${value}) > 0)`),
  startsWith: (text, value) => sql`(left(${text}, ${codePoints(value)}) = ${value})`,
  endsWith: (text, value) => (value === '' ? sql`(1 = 1)` : sql`(right(${text}, ${codePoints(value)}) = ${value})`),
  concat: (parts) => sql`(${sql.join(parts, sql` || `)})`,
  integerText: (value) => sql`(${value})::text`,
  isoOfMillis: (millis) => sql`to_char(timestamp '1970-01-01' + ${millis} * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  stringsOf: (json) => sql`(select jsonb_array_elements_text(${json}::jsonb))`,
  sortOverrides: (json) =>
    sql`(select x ->> 0 as i, (x ->> 1)::int as m, x ->> 2 as k from jsonb_array_elements(${json}::jsonb) as o(x))`,
  doc: (table, indexable) => postgresRef(indexable ? postgresDoc(table) : sql`${sql.raw(`${table}_doc`)}.doc`, sql.ref(`${table}.resource`)),
  docLateral: (table) => sql` cross join lateral (select ${postgresDoc(table)} as doc offset 0) as ${sql.raw(`${table}_doc`)}`,
  escaped: (table) => postgresEscaped(sql.ref(`${table}.resource`)),
  undecided: (where) => {
    const resource = sql.ref('users.resource');
    const username = sql.ref('users.username');
    const condition =
      where === 'escaped'
        ? postgresEscaped(resource)
        : where === 'username'
          ? sql`(octet_length(${username}) <> char_length(${username}))`
          : sql`(octet_length(${resource}) <> char_length(${resource}) or ${postgresEscaped(resource)})`;
    return { condition, index: sql`` };
  },
};

export function sqlDialect(name: SqlDialectName): SqlDialect {
  return name === 'postgres' ? POSTGRES : SQLITE;
}
