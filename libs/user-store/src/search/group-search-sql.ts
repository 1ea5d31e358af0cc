import { sql } from 'kysely';
import { findAttribute } from '@provisioning/scim';
import type { AttributeDefinition, Filter } from '@provisioning/scim';
import { and, exact, FALSE, mapBounds, TRUE } from './condition';
import type { Cond, Sql } from './condition';
import { always, filterSql, isAscii, jsonValuePath, jsonValues, metaValuePath, metaValues, valueSubAttribute } from './filter-sql';
import type { Scope, Value, Values } from './filter-sql';
import { jsonSortKey, textSortKey } from './sort-sql';
import type { SortKey } from './sort-sql';
import { metaSortKey } from './user-search-sql';
import type { SearchContext } from './user-search-sql';

const GROUPS = 'groups';
const column = (name: string) => sql.ref(`${GROUPS}.${name}`);

/** One member's fields as the Group representation shows them (`members`, ordered by id). */
function memberField(ctx: SearchContext, name: string): { value: Value; exists?: Sql } {
  const d = ctx.dialect;
  const isGroup = sql`(m.member_type = 'Group')`;
  switch (name) {
    case 'value':
      return { value: { kind: 'text', sql: sql`m.member_id`, caseExact: false, ascii: true } };
    case 'type':
      return { value: { kind: 'text', sql: sql`(case when ${isGroup} then 'Group' else 'User' end)`, caseExact: false, ascii: true } };
    case '$ref':
      return {
        value: {
          kind: 'text',
          sql: d.concat([sql`cast(${ctx.base} as text)`, sql`(case when ${isGroup} then '/Groups/' else '/Users/' end)`, sql`m.member_id`]),
          caseExact: false,
          ascii: isAscii(ctx.base),
        },
      };
    default: {
      // The member's name: a user's username, a nested group's displayName (absent when neither exists).
      const display = sql`(case when ${isGroup} then (select ng.display_name from groups as ng where ng.tenant = ${ctx.tenant} and ng.id = m.member_id) else (select u.username from users as u where u.tenant = ${ctx.tenant} and u.id = m.member_id) end)`;
      return { value: { kind: 'text', sql: display, caseExact: false }, exists: sql`(${display} is not null)` };
    }
  }
}

/** Some member row of the group satisfies `test`. */
function someMember(test: Cond): Cond {
  return mapBounds(test, (inner) => sql`exists (select 1 from group_members as m where m.group_id = ${column('id')} and ${inner})`);
}

function memberValues(ctx: SearchContext, name: string): Values {
  const { value, exists } = memberField(ctx, name);
  const where = (c: Cond) => (exists ? and(exact(exists), c) : c);
  return {
    some: (test) => where(test(value)),
    present: () => where(value.kind === 'text' ? exact(sql`(${value.sql} <> '')`) : TRUE),
  };
}

function groupScope(ctx: SearchContext): Scope {
  const d = ctx.dialect;
  const doc = d.doc(GROUPS);
  return {
    operand(attrPath, compared) {
      const resolved = findAttribute('Group', attrPath)!;
      const { attribute } = resolved;
      const leaf = resolved.subAttribute ?? (compared ? valueSubAttribute(attribute) : undefined);
      switch (attribute.name) {
        case 'id':
          return always({ kind: 'text', sql: column('id'), caseExact: true, ascii: true });
        case 'displayName':
          return always({ kind: 'text', sql: column('display_name'), folded: column('display_key'), caseExact: false });
        case 'meta':
          return metaValues(d, GROUPS, 'Group', ctx.base, leaf);
        case 'members': {
          if (!leaf) return { some: () => FALSE, present: () => someMember(TRUE) };
          const values = memberValues(ctx, leaf.name);
          return { some: (test) => someMember(values.some(test)), present: () => someMember(values.present()) };
        }
        default:
          return jsonValues(d, GROUPS, doc.member(attribute.name), attribute, leaf);
      }
    },
    valuePath(attrPath, inner) {
      const { attribute } = findAttribute('Group', attrPath)!;
      if (attribute.name === 'meta') return metaValuePath(d, GROUPS, 'Group', ctx.base, attribute, inner);
      if (attribute.name === 'members') {
        const byName = (name: string) => attribute.subAttributes!.find((s) => s.name.toLowerCase() === name.toLowerCase())!.name;
        return someMember(inner({ operand: (name) => memberValues(ctx, byName(name)), valuePath: () => FALSE }));
      }
      return jsonValuePath(d, GROUPS, doc.member(attribute.name), attribute, inner);
    },
  };
}

/** A SCIM filter over a tenant's groups (`groups` table) as SQL. */
export function groupFilterSql(filter: Filter, ctx: SearchContext): Cond {
  return filterSql(filter, groupScope(ctx), ctx.dialect);
}

/** `sortBy` over groups; must have passed `sortResources`. */
export function groupSortKey(sortBy: string, ctx: SearchContext): SortKey {
  const d = ctx.dialect;
  const resolved = findAttribute('Group', sortBy)!;
  const { attribute } = resolved;
  const leaf: AttributeDefinition = resolved.subAttribute ?? (attribute.type === 'complex' && attribute.multiValued ? valueSubAttribute(attribute)! : attribute);
  switch (attribute.name) {
    case 'id':
      return { key: d.ordered(column('id')) };
    case 'displayName':
      return textSortKey(d, column('display_name'), false, { key: d.ordered(column('display_key')), missing: false });
    case 'meta':
      return metaSortKey(d, GROUPS, 'Group', ctx.base, leaf);
    case 'members': {
      // The first member: members are shown ordered by id (ids are ASCII: code-point order).
      const { value } = memberField(ctx, leaf.name);
      const first = sql`(select ${value.kind === 'text' ? value.sql : sql`null`} from group_members as m where m.group_id = ${column('id')} order by ${d.ordered(sql`m.member_id`)} limit 1)`;
      return textSortKey(d, first, false, { ascii: value.kind === 'text' && value.ascii === true });
    }
    default:
      return jsonSortKey(d, GROUPS, d.doc(GROUPS).member(attribute.name), resolved, leaf);
  }
}
