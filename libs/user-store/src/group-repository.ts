import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { ConflictError, NotFoundError } from '@provisioning/errors';
import { DATABASE, concurrentChange, isUniqueViolation, readJson } from '@provisioning/persistence';
import type { Database, DatabaseHandle, GroupTable } from '@provisioning/persistence';
import { checkedId, searchGroups } from './search';
import type { Decide, SearchQuery } from './search';

type Db = Kysely<Database> | Transaction<Database>;

export interface GroupMember {
  id: string;
  type: 'User' | 'Group';
}

/** A group a member belongs to, and how. */
export type Membership = { id: string; displayName: string; type: 'direct' | 'indirect' };

/** How deep nested groups are followed. */
const MAX_NESTING = 32;

/**
 * The groups above a member, breadth first up to {@link MAX_NESTING} levels: the groups that contain
 * it (`direct`), then those that contain them (`indirect`), each group once at its first level, and
 * each level in id order (code units: the order the user search sorts `groups` by).
 */
function walkMemberships(memberId: string, parents: (id: string) => ReadonlyArray<{ id: string; displayName: string }>): Membership[] {
  const out = new Map<string, Membership>();
  let frontier = [memberId];
  for (let depth = 0; frontier.length > 0 && depth < MAX_NESTING; depth += 1) {
    const level = frontier.flatMap(parents).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const next: string[] = [];
    for (const group of level) {
      if (out.has(group.id)) continue;
      out.set(group.id, { ...group, type: depth === 0 ? 'direct' : 'indirect' });
      next.push(group.id);
    }
    frontier = next;
  }
  return [...out.values()];
}

/** A group (a local role): its SCIM resource, without members (kept in their own table). */
export interface StoredGroup {
  id: string;
  tenant: string;
  displayName: string;
  resource: Record<string, unknown>;
  members: GroupMember[];
  createdAt: number;
  updatedAt: number;
  version: number;
}

/** Groups and memberships, tenant-scoped; writes take the caller's transaction (outbox). */
@injectable()
export class GroupRepository {
  constructor(@inject(DATABASE) private readonly database: DatabaseHandle) {}

  async insert(trx: Db, group: Omit<StoredGroup, 'id' | 'createdAt' | 'updatedAt' | 'version'> & { id?: string }): Promise<StoredGroup> {
    await this.assertNameFree(trx, group.tenant, group.displayName);
    const now = Date.now();
    const stored: StoredGroup = { ...group, id: group.id === undefined ? randomUUID() : checkedId(group.id), createdAt: now, updatedAt: now, version: 1 };
    await trx
      .insertInto('groups')
      .values(toRow(stored))
      .execute()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? new ConflictError(`Group "${group.displayName}" already exists`, { scimType: 'uniqueness', cause: error }) : error;
      });
    await this.writeMembers(trx, stored);
    return stored;
  }

  async update(trx: Db, group: StoredGroup): Promise<StoredGroup> {
    await this.assertNameFree(trx, group.tenant, group.displayName, group.id);
    const next: StoredGroup = { ...group, updatedAt: Math.max(Date.now(), group.updatedAt + 1), version: group.version + 1 };
    const result = await trx
      .updateTable('groups')
      .set(toRow(next))
      .where('tenant', '=', group.tenant)
      .where('id', '=', group.id)
      .where('version', '=', group.version)
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? new ConflictError(`Group "${group.displayName}" already exists`, { scimType: 'uniqueness', cause: error }) : error;
      });
    if (Number(result.numUpdatedRows) !== 1) throw concurrentChange(`Group "${group.displayName}"`);
    await trx.deleteFrom('group_members').where('group_id', '=', group.id).execute();
    await this.writeMembers(trx, next);
    return next;
  }

  async delete(trx: Db, tenant: string, id: string): Promise<void> {
    await trx.deleteFrom('group_members').where('tenant', '=', tenant).where('member_id', '=', id).execute();
    await trx.deleteFrom('groups').where('tenant', '=', tenant).where('id', '=', id).execute();
  }

  /** Bumps a group's version (its members changed without a write to the group itself). */
  async touch(trx: Db, tenant: string, id: string): Promise<void> {
    const row = await trx.selectFrom('groups').select(['version', 'updated_at']).where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (!row) return;
    await trx
      .updateTable('groups')
      .set({ version: row.version + 1, updated_at: Math.max(Date.now(), row.updated_at + 1) })
      .where('tenant', '=', tenant)
      .where('id', '=', id)
      .execute();
  }

  /** Removes a deleted user from every group. */
  async removeMember(trx: Db, tenant: string, memberId: string): Promise<void> {
    await trx.deleteFrom('group_members').where('tenant', '=', tenant).where('member_id', '=', memberId).execute();
  }

  async findById(tenant: string, id: string, db: Db = this.database.db): Promise<StoredGroup | undefined> {
    const row = await db.selectFrom('groups').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    return row ? this.hydrate(db, row) : undefined;
  }

  async getById(tenant: string, id: string, db: Db = this.database.db): Promise<StoredGroup> {
    const group = await this.findById(tenant, id, db);
    if (!group) throw new NotFoundError(`Group ${id} not found`);
    return group;
  }

  /**
   * A SCIM search (RFC 7644 3.4.2) of a tenant's groups in SQL: filter, sort, page and total. The
   * few groups SQL cannot decide go to `decide`, which returns the ids of those that match.
   */
  async search(tenant: string, query: SearchQuery, decide: Decide<StoredGroup>, db: Db = this.database.db): Promise<{ total: number; groups: StoredGroup[] }> {
    const { total, ids } = await searchGroups(db, this.database.dialect, tenant, query, async (rows: Selectable<GroupTable>[]) => decide(await Promise.all(rows.map((r) => this.hydrate(db, r)))));
    const rows = ids.length === 0 ? [] : await db.selectFrom('groups').selectAll().where('tenant', '=', tenant).where('id', 'in', ids).execute();
    const byId = new Map(rows.map((row) => [row.id, row] as const));
    const page = ids.map((id) => byId.get(id)).filter((row) => row !== undefined);
    return { total, groups: await Promise.all(page.map((row) => this.hydrate(db, row))) };
  }

  /**
   * Groups a member belongs to, directly or through nested groups (RFC 7643 4.1.2 `groups`), each
   * with how: `direct` or `indirect`; see {@link walkMemberships} for the order.
   */
  async groupsOf(tenant: string, memberId: string, db: Db = this.database.db): Promise<Membership[]> {
    return (await this.membershipIndex(tenant, [memberId], db))(memberId);
  }

  /**
   * Memberships of many members at once: a function answering {@link groupsOf} from memory. With
   * `only` (a page of users) their groups are read level by level, one query per nesting level;
   * without, every membership of the tenant is read once.
   */
  async membershipIndex(tenant: string, only?: readonly string[], db: Db = this.database.db): Promise<(memberId: string) => Membership[]> {
    const parents = new Map<string, Array<{ id: string; displayName: string }>>();
    const add = (row: { member_id: string; id: string; display_name: string }) => {
      let list = parents.get(row.member_id);
      if (!list) parents.set(row.member_id, (list = []));
      list.push({ id: row.id, displayName: row.display_name });
    };
    const select = () => db.selectFrom('group_members as m').innerJoin('groups as g', 'g.id', 'm.group_id').select(['m.member_id', 'g.id', 'g.display_name']).where('m.tenant', '=', tenant);
    if (only && only.length <= 500) {
      let frontier = [...new Set(only)];
      const seen = new Set(frontier);
      for (let depth = 0; frontier.length > 0 && depth < MAX_NESTING; depth += 1) {
        const next: string[] = [];
        for (let i = 0; i < frontier.length; i += 500) {
          for (const row of await select().where('m.member_id', 'in', frontier.slice(i, i + 500)).execute()) {
            add(row);
            if (!seen.has(row.id)) {
              seen.add(row.id);
              next.push(row.id);
            }
          }
        }
        frontier = next;
      }
    } else {
      for (const row of await select().execute()) add(row);
    }
    return (memberId) => walkMemberships(memberId, (id) => parents.get(id) ?? []);
  }

  /** Every user in a group, directly or through nested groups. */
  async userMembersOf(tenant: string, groupId: string, db: Db = this.database.db): Promise<string[]> {
    const users = new Set<string>();
    const seen = new Set<string>([groupId]);
    let frontier = [groupId];
    while (frontier.length > 0) {
      const rows = await db.selectFrom('group_members').select(['member_id', 'member_type']).where('tenant', '=', tenant).where('group_id', 'in', frontier).execute();
      frontier = [];
      for (const row of rows) {
        if (row.member_type === 'User') users.add(row.member_id);
        else if (!seen.has(row.member_id)) {
          seen.add(row.member_id);
          frontier.push(row.member_id);
        }
      }
    }
    return [...users];
  }

  private async writeMembers(trx: Db, group: StoredGroup): Promise<void> {
    const unique = new Map(group.members.map((m) => [m.id, m] as const));
    for (const member of unique.values()) {
      await trx.insertInto('group_members').values({ tenant: group.tenant, group_id: group.id, member_id: member.id, member_type: member.type }).execute();
    }
  }

  private async assertNameFree(trx: Db, tenant: string, displayName: string, exceptId?: string): Promise<void> {
    const clash = await trx.selectFrom('groups').select('id').where('tenant', '=', tenant).where('display_key', '=', displayName.toLowerCase()).executeTakeFirst();
    if (clash && clash.id !== exceptId) throw new ConflictError(`Group "${displayName}" already exists`, { scimType: 'uniqueness' });
  }

  private async hydrate(db: Db, row: Selectable<GroupTable>): Promise<StoredGroup> {
    const members = await db.selectFrom('group_members').select(['member_id', 'member_type']).where('group_id', '=', row.id).execute();
    return {
      id: row.id,
      tenant: row.tenant,
      displayName: row.display_name,
      resource: readJson<Record<string, unknown>>(row.resource, 'groups.resource') ?? {},
      members: members.map((m) => ({ id: m.member_id, type: m.member_type === 'Group' ? 'Group' : 'User' })),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      version: row.version,
    };
  }
}

function toRow(group: StoredGroup): GroupTable {
  return {
    id: group.id,
    tenant: group.tenant,
    display_name: group.displayName,
    display_key: group.displayName.toLowerCase(),
    resource: JSON.stringify(group.resource),
    created_at: group.createdAt,
    updated_at: group.updatedAt,
    version: group.version,
  };
}
