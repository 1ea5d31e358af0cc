import { sql } from 'kysely';
import type { AttributeDefinition, ResolvedAttribute } from '@provisioning/scim';
import type { Sql, Undecided } from './condition';
import type { JsonRef, SqlDialect } from './sql-dialect';

/**
 * A `sortBy` as SQL (RFC 7644 3.4.2.3, with the semantics of `sortResources`): a key compared in
 * code-point order (text) or numerically, and where it is missing (no value, null or ""; last when
 * ascending, first when descending). Ties keep creation order.
 */
export interface SortKey {
  readonly key: Sql;
  /** A number (epoch milliseconds); otherwise text, compared in code-point order. */
  readonly numeric?: boolean;
  /** Absent: every resource has a value. */
  readonly missing?: Sql;
  /** Rows whose SQL key may differ from JavaScript's: the key is recomputed for them. */
  readonly check?: SortCheck;
}

/**
 * SQL folds ASCII only and orders code points, JavaScript folds all of Unicode and orders UTF-16
 * units: for the rows `where` selects (text beyond ASCII, escaped resources), the key is computed
 * again in JavaScript from `raw` and replaces SQL's where they differ.
 */
export interface SortCheck {
  readonly where: Sql;
  /** The value as SQL reads it. */
  readonly raw: Sql;
  /** Where the rows to check are (as for filters). */
  readonly undecided: Undecided;
  /** JavaScript's key of a value, undefined when missing. */
  key(raw: unknown): string | undefined;
  /** The value read from the parsed resource, for escaped resources (whose SQL reading is unreliable). */
  fromResource?(resource: Readonly<Record<string, unknown>>): unknown;
}

/**
 * A text in UTF-16 order expressed in code points: units from U+D800 up (surrogates, U+E000-U+FFFF)
 * move above U+FFFF, so code-point order of the result is UTF-16 order of the input (JavaScript's
 * `<`), and printable text below U+D800 stays as it is.
 */
export function inUtf16Order(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    // U+0000 (which PostgreSQL text cannot hold) and U+0001 become U+0001 U+0001 and U+0001 U+0002:
    // the order stays, and the texts SQL keeps for itself have neither (they would be `\u` escapes).
    out += unit >= 0xd800 ? String.fromCodePoint(unit + 0x10000) : unit <= 1 ? `\u0001${String.fromCharCode(unit + 1)}` : text[i];
  }
  return out;
}

/** JavaScript's sort key of a text value (folded unless caseExact), or undefined when missing. */
export function textKey(caseExact: boolean): (raw: unknown) => string | undefined {
  return (raw) => (typeof raw === 'string' && raw !== '' ? inUtf16Order(caseExact ? raw : raw.toLowerCase()) : undefined);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value `sortResources` sorts a stored resource by (canonical names: resources are stored validated). */
function readSortValue(resource: Readonly<Record<string, unknown>>, resolved: ResolvedAttribute, leaf: AttributeDefinition): unknown {
  const container = resolved.extension ? resource[resolved.schema] : resource;
  if (!isObject(container)) return undefined;
  const top = container[resolved.attribute.name];
  const items = Array.isArray(top) ? top.filter((item) => item !== undefined && item !== null) : top === undefined || top === null ? [] : [top];
  const chosen = resolved.attribute.multiValued ? (items.find((item) => isObject(item) && item.primary === true) ?? items[0]) : top;
  if (resolved.attribute.type !== 'complex') return chosen;
  return isObject(chosen) ? chosen[leaf.name] : undefined;
}

/** A sort by an attribute stored in the resource JSON: `ref` is the attribute's member. */
export function jsonSortKey(d: SqlDialect, table: string, ref: JsonRef, resolved: ResolvedAttribute, leaf: AttributeDefinition): SortKey {
  const { attribute } = resolved;
  const chosen = attribute.multiValued ? (attribute.type === 'complex' ? ref.sortElement() : ref.firstElement()) : ref;
  const value = attribute.type === 'complex' ? chosen.member(leaf.name) : chosen;
  const fromResource = (resource: Readonly<Record<string, unknown>>) => readSortValue(resource, resolved, leaf);
  const escaped = d.escaped(table);
  if (leaf.type === 'boolean') {
    const key = sql`(case when ${value.isBoolean(true)} then '1' when ${value.isBoolean(false)} then '0' end)`;
    return {
      key,
      missing: sql`(${key} is null)`,
      check: { where: escaped, raw: sql`null`, undecided: 'escaped', key: (raw) => (typeof raw === 'boolean' ? (raw ? '1' : '0') : undefined), fromResource },
    };
  }
  const caseExact = leaf.caseExact || leaf.type === 'binary';
  const raw = value.text;
  return {
    key: caseExact ? raw : d.fold(raw),
    missing: sql`(${raw} is null or ${raw} = '')`,
    check: { where: sql`(${escaped} or (${raw} is not null and ${d.nonAscii(raw)}))`, raw, undecided: 'exotic', key: textKey(caseExact), fromResource },
  };
}

/** A text key computed by SQL from `raw` (folded unless caseExact), checked where `raw` is beyond ASCII. */
export function textSortKey(d: SqlDialect, raw: Sql, caseExact: boolean, options: { ascii?: boolean; key?: Sql; undecided?: Undecided; missing?: boolean }): SortKey {
  return {
    key: options.key ?? (caseExact ? raw : d.fold(raw)),
    ...(options.missing === false ? {} : { missing: sql`(${raw} is null or ${raw} = '')` }),
    ...(options.ascii ? {} : { check: { where: sql`(${raw} is not null and ${d.nonAscii(raw)})`, raw, undecided: options.undecided ?? 'anywhere', key: textKey(caseExact) } }),
  };
}
