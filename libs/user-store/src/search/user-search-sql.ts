import { sql } from 'kysely';
import { findAttribute } from '@provisioning/scim';
import type { AttributeDefinition, Filter } from '@provisioning/scim';
import { FALSE, mapBounds, or, TRUE } from './condition';
import type { Cond, Sql } from './condition';
import {
  always,
  filterSql,
  isAscii,
  jsonValuePath,
  jsonValues,
  metaValuePath,
  metaValues,
  valueSubAttribute,
} from './filter-sql';
import type { Scope, TextValue, Value, Values } from './filter-sql';
import { jsonSortKey, textSortKey } from './sort-sql';
import type { SortKey } from './sort-sql';
import type { SqlDialect } from './sql-dialect';

/** What a search is translated for: the dialect, the tenant, and the base URL in `meta.location` and `$ref`. */
export interface SearchContext {
  readonly dialect: SqlDialect;
  readonly tenant: string;
  readonly base: string;
}

/** BFS depth limit of `GroupRepository.groupsOf`: groups up to 31 nesting steps above a user. */
const MAX_NESTING = 31;

const USERS = 'users';
const column = (name: string) => sql.ref(`${USERS}.${name}`);

/**
 * `userName`: the `username` column holds `resource.userName`. Equality also names `username_key`
 * (lower-cased NFC, what the unique index holds), which for an ASCII name is its lower case: the
 * index finds the row; a name beyond ASCII is decided by the exact filter.
 */
function userNameValue(d: SqlDialect): TextValue {
  return {
    kind: 'text',
    sql: column('username'),
    caseExact: false,
    undecided: 'username',
    stored: 'column',
    hint: (op, w) => {
      if (op === 'eq') return sql`(${column('username_key')} = ${w})`;
      // A prefix is a range of the index in code-point order, which PostgreSQL's index may not have.
      if (op === 'sw' && d.name === 'sqlite' && w !== '' && isAscii(w) && w.charCodeAt(w.length - 1) < 0x7f) {
        const next = w.slice(0, -1) + String.fromCharCode(w.charCodeAt(w.length - 1) + 1);
        return sql`(${column('username_key')} >= ${w} and ${column('username_key')} < ${next})`;
      }
      return undefined;
    },
  };
}

/**
 * A user's `groups` (RFC 7643 4.1.2) as `GroupRepository.groupsOf` computes them: every group that
 * contains the user directly (`direct`) or through nested groups (`indirect`), walked down from each
 * group with a recursive query. `test` gets one membership's fields.
 */
function membershipsSome(ctx: SearchContext, test: (field: (name: string) => Value) => Cond): Cond {
  const d = ctx.dialect;
  let typed = false;
  /** One membership's fields; `type` is `typeSql` (which is only known per user and group). */
  const fields =
    (typeSql: Sql) =>
    (name: string): Value => {
      switch (name) {
        case 'value':
          return { kind: 'text', sql: sql`g.id`, caseExact: false, ascii: true };
        case 'display':
          return { kind: 'text', sql: sql`g.display_name`, folded: sql`g.display_key`, caseExact: false };
        case 'type':
          typed = true;
          return { kind: 'text', sql: typeSql, caseExact: false, ascii: true };
        default:
          return { kind: 'text', sql: d.concat([sql`cast(${ctx.base} as text)`, sql.lit('/Groups/'), sql`g.id`]), caseExact: false, ascii: isAscii(ctx.base) };
      }
    };
  const condition = test(fields(sql`(case when min(r.depth) = 0 then 'direct' else 'indirect' end)`));
  const tenant = ctx.tenant;
  const nested = sql`select r.root, n.member_id, r.depth + 1 from reach as r join group_members as n on n.group_id = r.grp join groups as ng on ng.id = n.member_id where n.tenant = ${tenant} and r.depth < ${MAX_NESTING}`;
  const walk = (roots: Sql) => sql`with recursive reach(root, grp, depth) as (select g.id, g.id, 0 from groups as g where g.tenant = ${tenant} and ${roots} union ${nested})`;
  let members: (inner: Sql) => Sql;
  if (typed) {
    // Only groups where the condition can hold with one type or the other are walked down from.
    const either = or(test(fields(sql`cast('direct' as text)`)), test(fields(sql`cast('indirect' as text)`)));
    members = (inner) =>
      sql`${column('id')} in (${walk(either.maybe ?? either.sure)} select m.member_id from reach as r join group_members as m on m.group_id = r.grp join groups as g on g.id = r.root where m.tenant = ${tenant} group by m.member_id, g.id, g.display_name, g.display_key having ${inner})`;
  } else {
    members = (inner) => sql`${column('id')} in (${walk(inner)} select m.member_id from reach as r join group_members as m on m.group_id = r.grp where m.tenant = ${tenant})`;
  }
  const result = mapBounds(condition, members);
  return result.maybe === undefined ? result : { ...result, undecided: 'anywhere' };
}

function membershipValues(ctx: SearchContext, leaf: AttributeDefinition | undefined): Values {
  if (!leaf) return { some: () => FALSE, present: () => membershipsSome(ctx, () => TRUE) };
  return {
    some: (test) => membershipsSome(ctx, (field) => test(field(leaf.name))),
    // Every field of a membership is a non-empty text.
    present: () => membershipsSome(ctx, () => TRUE),
  };
}

const sub = (attribute: AttributeDefinition, name: string) => attribute.subAttributes!.find((s) => s.name.toLowerCase() === name.toLowerCase())!;

function userScope(ctx: SearchContext): Scope {
  const d = ctx.dialect;
  const doc = d.doc(USERS);
  return {
    operand(attrPath, compared) {
      const resolved = findAttribute('User', attrPath)!;
      const { attribute } = resolved;
      const leaf = resolved.subAttribute ?? (compared ? valueSubAttribute(attribute) : undefined);
      if (!resolved.extension) {
        switch (attribute.name) {
          case 'id':
            return always({ kind: 'text', sql: column('id'), caseExact: true, ascii: true, stored: 'column' });
          case 'userName':
            // The column holds resource.userName; a name SQL cannot read as JavaScript does (an
            // unpaired surrogate became U+FFFD) is beyond ASCII, hence undecided, anyway.
            return always(userNameValue(d));
          case 'meta':
            return metaValues(d, USERS, 'User', ctx.base, leaf);
          case 'groups':
            return membershipValues(ctx, leaf);
          case 'externalId':
            // The form migration 0011 indexes.
            return jsonValues(d, USERS, d.doc(USERS, true).member('externalId'), attribute, leaf);
        }
      }
      const container = resolved.extension ? doc.member(resolved.schema) : doc;
      return jsonValues(d, USERS, container.member(attribute.name), attribute, leaf);
    },
    valuePath(attrPath, inner) {
      const { attribute, extension, schema } = findAttribute('User', attrPath)!;
      if (!extension && attribute.name === 'meta') return metaValuePath(d, USERS, 'User', ctx.base, attribute, inner);
      if (!extension && attribute.name === 'groups') {
        return membershipsSome(ctx, (field) =>
          inner({
            operand: (name) => always(field(sub(attribute, name).name)),
            valuePath: () => FALSE,
          }),
        );
      }
      return jsonValuePath(d, USERS, (extension ? doc.member(schema) : doc).member(attribute.name), attribute, inner);
    },
  };
}

/** A SCIM filter over a tenant's users (`users` table) as SQL. */
export function userFilterSql(filter: Filter, ctx: SearchContext): Cond {
  return filterSql(filter, userScope(ctx), ctx.dialect);
}

/** A user's first membership (the first of `groups`: direct, lowest group id), one of its columns. */
function firstMembership(d: SqlDialect, what: Sql): Sql {
  return sql`(select ${what} from group_members as m join groups as g on g.id = m.group_id where m.tenant = ${column('tenant')} and m.member_id = ${column('id')} order by ${d.ordered(sql`g.id`)} limit 1)`;
}

/** `sortBy` over users; must have passed `sortResources` (known, sortable attribute). */
export function userSortKey(sortBy: string, ctx: SearchContext): SortKey {
  const d = ctx.dialect;
  const resolved = findAttribute('User', sortBy)!;
  const { attribute } = resolved;
  const leaf = resolved.subAttribute ?? (attribute.type === 'complex' && attribute.multiValued ? valueSubAttribute(attribute)! : attribute);
  if (!resolved.extension) {
    switch (attribute.name) {
      case 'id':
        return { key: d.ordered(column('id')) };
      case 'userName': {
        // username_key is the folded name for every NFC name; others are checked.
        return textSortKey(d, column('username'), false, { key: d.ordered(column('username_key')), undecided: 'username', missing: false });
      }
      case 'meta':
        return metaSortKey(d, USERS, 'User', ctx.base, leaf);
      case 'groups': {
        const id = firstMembership(d, sql`g.id`);
        switch (leaf.name) {
          case 'display':
            return textSortKey(d, firstMembership(d, sql`g.display_name`), false, { key: d.ordered(firstMembership(d, sql`g.display_key`)) });
          case 'type':
            return textSortKey(d, sql`(case when ${id} is not null then 'direct' end)`, false, { ascii: true });
          case '$ref':
            return textSortKey(d, d.concat([sql`cast(${ctx.base} as text)`, sql.lit('/Groups/'), id]), false, { ascii: isAscii(ctx.base) });
          default:
            return textSortKey(d, id, false, { ascii: true });
        }
      }
      case 'externalId':
        return jsonSortKey(d, USERS, d.doc(USERS, true).member('externalId'), resolved, leaf);
    }
  }
  const doc = d.doc(USERS);
  return jsonSortKey(d, USERS, (resolved.extension ? doc.member(resolved.schema) : doc).member(attribute.name), resolved, leaf);
}

/** Sorting by `meta.*`: columns (never missing). */
export function metaSortKey(d: SqlDialect, table: string, resourceType: 'User' | 'Group', base: string, leaf: AttributeDefinition): SortKey {
  const col = (name: string) => sql.ref(`${table}.${name}`);
  switch (leaf.name) {
    case 'created':
      return { key: col('created_at'), numeric: true };
    case 'lastModified':
      return { key: col('updated_at'), numeric: true };
    case 'location':
      return textSortKey(d, d.concat([sql`cast(${base} as text)`, sql.lit(resourceType === 'User' ? '/Users/' : '/Groups/'), col('id')]), true, {
        ascii: isAscii(base),
        missing: false,
      });
    case 'version':
      return { key: d.ordered(d.concat([sql.lit('W/"'), d.integerText(col('version')), sql.lit('"')])) };
    default:
      return { key: sql`cast(${resourceType} as text)` };
  }
}

