import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';

/** A piece of SQL: an expression or a condition. */
export type Sql = RawBuilder<unknown>;

/**
 * A SCIM filter (or part of one) as SQL. `sure` holds for exactly the rows that match wherever SQL
 * can tell; where it cannot (text SQL does not fold as JavaScript does), `maybe` is a superset of the
 * matching rows and the rows in `maybe and not sure` are left to the exact in-memory filter. Without
 * `maybe` the condition is exact. Both are two-valued (never NULL), so `not` can swap them.
 *
 * The preconditions are cheap conditions on the row's own columns (the filter value in the stored
 * JSON text, say), implied by `sure`, `maybe` and `maybe and not sure` respectively: checked first,
 * they spare parsing the JSON of rows that cannot qualify.
 */
export interface Cond {
  readonly sure: Sql;
  readonly maybe?: Sql;
  /** Where the undecided rows can be (with `maybe`). */
  readonly undecided?: Undecided;
  readonly pre?: Sql;
  readonly maybePre?: Sql;
  readonly openPre?: Sql;
}

/**
 * Where rows SQL leaves undecided can be, so that a partial index finds them without reading the
 * others (migration 0011): among users whose resource has a `\u` escape (`escaped`), whose username
 * has a character beyond ASCII (`username`), whose resource has either (`exotic`), or anywhere.
 */
export type Undecided = 'escaped' | 'username' | 'exotic' | 'anywhere';

/** The smallest set holding both: escaped and username rows are exotic too. */
export function eitherUndecided(a: Undecided | undefined, b: Undecided | undefined): Undecided | undefined {
  if (a === undefined || a === b) return b;
  if (b === undefined) return a;
  return a === 'anywhere' || b === 'anywhere' ? 'anywhere' : 'exotic';
}

export const TRUE: Cond = { sure: sql`(1 = 1)` };
export const FALSE: Cond = { sure: sql`(1 = 0)` };

const isTrue = (c: Cond) => c === TRUE;
const isFalse = (c: Cond) => c === FALSE;

/** An exact condition, with what it implies of the row's own columns if known. */
export function exact(sure: Sql, pre?: Sql): Cond {
  return pre === undefined ? { sure } : { sure, pre };
}

/** The precondition of `maybe` (of `sure` for an exact condition). */
const maybePreOf = (c: Cond) => (c.maybe === undefined ? c.pre : c.maybePre);

/** Only the defined properties (the condition objects stay small and comparable). */
function cond(fields: { [K in keyof Cond]: Cond[K] | undefined }): Cond {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as unknown as Cond;
}

/** `parts` joined by `and`/`or` as a balanced tree (a flat chain of 256 terms would be 256 levels deep for SQLite). */
function joined(parts: readonly Sql[], op: 'and' | 'or'): Sql {
  if (parts.length === 1) return parts[0]!;
  const middle = parts.length >> 1;
  return sql`(${joined(parts.slice(0, middle), op)} ${sql.raw(op)} ${joined(parts.slice(middle), op)})`;
}

/** `and`: any part's condition implies; `or`: one of them, if every part has one. */
function implied(conditions: ReadonlyArray<Sql | undefined>, op: 'and' | 'or'): Sql | undefined {
  const known = conditions.filter((c): c is Sql => c !== undefined);
  return known.length > 0 && (op === 'and' || known.length === conditions.length) ? joined(known, op) : undefined;
}

function combine(parts: readonly Cond[], op: 'and' | 'or'): Cond {
  const neutral = op === 'and' ? isTrue : isFalse;
  const absorbing = op === 'and' ? isFalse : isTrue;
  if (parts.some(absorbing)) return op === 'and' ? FALSE : TRUE;
  const kept = parts.filter((part) => !neutral(part));
  if (kept.length === 0) return op === 'and' ? TRUE : FALSE;
  if (kept.length === 1) return kept[0]!;
  const sure = joined(
    kept.map((part) => part.sure),
    op,
  );
  const pre = implied(
    kept.map((part) => part.pre),
    op,
  );
  if (kept.every((part) => part.maybe === undefined)) return cond({ sure, pre });
  const maybePre = implied(kept.map(maybePreOf), op);
  // A row is undecided only where the whole may hold, and only where one of the parts is undecided.
  const open = kept.filter((part) => part.maybe !== undefined);
  const openPre = maybePre ?? implied(open.map((part) => part.openPre), 'or');
  return cond({
    sure,
    maybe: joined(
      kept.map((part) => part.maybe ?? part.sure),
      op,
    ),
    undecided: open.reduce<Undecided | undefined>((where, part) => eitherUndecided(where, part.undecided ?? 'anywhere'), undefined),
    pre,
    maybePre,
    openPre,
  });
}

export function and(...parts: Cond[]): Cond {
  return combine(parts, 'and');
}

export function or(...parts: Cond[]): Cond {
  return combine(parts, 'or');
}

/** Negation: what surely matches `not c` is what cannot match `c`, and the other way round. */
export function not(c: Cond): Cond {
  if (isTrue(c)) return FALSE;
  if (isFalse(c)) return TRUE;
  if (c.maybe === undefined) return { sure: sql`(not ${c.sure})` };
  return cond({ sure: sql`(not ${c.maybe})`, maybe: sql`(not ${c.sure})`, undecided: c.undecided ?? 'anywhere', openPre: c.openPre, pre: undefined, maybePre: undefined });
}

/** A condition SQL decides only up to `open`: rows there may match whatever `sure` says. */
export function unless(sure: Sql, open: Sql, undecided: Undecided, openPre?: Sql): Cond {
  return cond({ sure: sql`(${sure} and not ${open})`, maybe: sql`(${sure} or ${open})`, undecided, openPre, pre: undefined, maybePre: undefined });
}

/**
 * `sure` exactly for ordinary rows; rows where `open` holds are left open (sound where `sure`
 * alone already implies a match: `sure` stays as it is and only `maybe` grows).
 */
export function atLeast(sure: Sql, open: Sql, undecided: Undecided, openPre?: Sql): Cond {
  return cond({ sure, maybe: sql`(${sure} or ${open})`, undecided, openPre, pre: undefined, maybePre: undefined });
}

/**
 * Applies `test` to both bounds of a condition (wraps them in an `exists` over a resource's
 * elements, say); the preconditions, on the resource's row, stay.
 */
export function mapBounds(c: Cond, test: (inner: Sql) => Sql): Cond {
  if (isFalse(c)) return FALSE;
  return { ...c, sure: test(c.sure), ...(c.maybe === undefined ? {} : { maybe: test(c.maybe), undecided: c.undecided ?? 'anywhere' }) };
}

/** `c` where it holds only on rows where `guard` does, and is decided by SQL only where `decided` does. */
export function guarded(c: Cond, decided: Sql, open: Sql, where: Undecided): Cond {
  return cond({
    sure: sql`(${decided} and ${c.sure})`,
    maybe: sql`(${open} or ${c.maybe ?? c.sure})`,
    undecided: eitherUndecided(where, c.maybe === undefined ? undefined : (c.undecided ?? 'anywhere')),
    pre: c.pre,
    maybePre: implied([open, maybePreOf(c)], 'or'),
    openPre: c.maybe === undefined ? open : implied([open, c.openPre], 'or'),
  });
}

/**
 * `c` with preconditions: `pre` implied by `c.sure`, `maybePre` by `c.maybe` and `openPre` by
 * `c.maybe and not c.sure`.
 */
export function withPre(c: Cond, pre: { pre?: Sql; maybePre?: Sql; openPre?: Sql }): Cond {
  if (isTrue(c) || isFalse(c)) return c;
  const both = (a: Sql | undefined, b: Sql | undefined) => implied([a, b], 'and');
  return cond({
    ...c,
    pre: both(c.pre, pre.pre),
    maybePre: c.maybe === undefined ? undefined : both(c.maybePre, pre.maybePre),
    openPre: c.maybe === undefined ? undefined : both(c.openPre, pre.openPre),
  });
}
