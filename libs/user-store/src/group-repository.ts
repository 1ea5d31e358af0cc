import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { ConflictError, NotFoundError } from '@provisioning/errors';
import { DATABASE, concurrentChange, isUniqueViolation, readJson } from '@provisioning/persistence';
import type { Database, DatabaseHandle, GroupTable } from '@provisioning/persistence';

type Db = Kysely<Database> | Transaction<Database>;

export interface GroupMember {
  id: string;
  type: 'User' | 'Group';
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
    const stored: StoredGroup = { ...group, id: group.id ?? randomUUID(), createdAt: now, updatedAt: now, version: 1 };
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

  async findByDisplayName(tenant: string, displayName: string, db: Db = this.database.db): Promise<StoredGroup | undefined> {
    const row = await db.selectFrom('groups').selectAll().where('tenant', '=', tenant).where('display_key', '=', displayName.toLowerCase()).executeTakeFirst();
    return row ? this.hydrate(db, row) : undefined;
  }

  async list(tenant: string, db: Db = this.database.db): Promise<StoredGroup[]> {
    const rows = await db.selectFrom('groups').selectAll().where('tenant', '=', tenant).orderBy('created_at').orderBy('id').execute();
    return Promise.all(rows.map((r) => this.hydrate(db, r)));
  }

  /**
   * Groups a member belongs to, directly or through nested groups (RFC 7643 4.1.2 `groups`), each
   * with how: `direct` or `indirect`.
   */
  async groupsOf(tenant: string, memberId: string, db: Db = this.database.db): Promise<Array<{ id: string; displayName: string; type: 'direct' | 'indirect' }>> {
    const out = new Map<string, { id: string; displayName: string; type: 'direct' | 'indirect' }>();
    let frontier = [memberId];
    let depth = 0;
    while (frontier.length > 0 && depth < 32) {
      const rows = await db
        .selectFrom('group_members as m')
        .innerJoin('groups as g', 'g.id', 'm.group_id')
        .select(['g.id', 'g.display_name'])
        .where('m.tenant', '=', tenant)
        .where('m.member_id', 'in', frontier)
        .execute();
      const next: string[] = [];
      for (const row of rows) {
        if (out.has(row.id)) continue;
        out.set(row.id, { id: row.id, displayName: row.display_name, type: depth === 0 ? 'direct' : 'indirect' });
        next.push(row.id);
      }
      frontier = next;
      depth += 1;
    }
    return [...out.values()];
  }

  /**
   * Every membership of a tenant loaded once: a function answering {@link groupsOf} from memory, for
   * listing many users without a query per user.
   */
  async membershipIndex(
    tenant: string,
    only?: readonly string[],
    db: Db = this.database.db,
  ): Promise<(memberId: string) => Array<{ id: string; displayName: string; type: 'direct' | 'indirect' }>> {
    if (only && only.length <= 500) {
      // For a page of users: their own memberships, walked up per user (few queries, small result).
      const answers = new Map<string, Array<{ id: string; displayName: string; type: 'direct' | 'indirect' }>>();
      for (const id of only) answers.set(id, await this.groupsOf(tenant, id, db));
      return (memberId) => answers.get(memberId) ?? [];
    }
    const rows = await db
      .selectFrom('group_members as m')
      .innerJoin('groups as g', 'g.id', 'm.group_id')
      .select(['m.member_id', 'g.id', 'g.display_name'])
      .where('m.tenant', '=', tenant)
      .execute();
    const parents = new Map<string, Array<{ id: string; displayName: string }>>();
    for (const row of rows) parents.set(row.member_id, [...(parents.get(row.member_id) ?? []), { id: row.id, displayName: row.display_name }]);
    return (memberId) => {
      const out = new Map<string, { id: string; displayName: string; type: 'direct' | 'indirect' }>();
      let frontier = [memberId];
      for (let depth = 0; frontier.length > 0 && depth < 32; depth += 1) {
        const next: string[] = [];
        for (const id of frontier) {
          for (const parent of parents.get(id) ?? []) {
            if (out.has(parent.id)) continue;
            out.set(parent.id, { ...parent, type: depth === 0 ? 'direct' : 'indirect' });
            next.push(parent.id);
          }
        }
        frontier = next;
      }
      return [...out.values()];
    };
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
