import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { ConflictError, NotFoundError } from '@provisioning/errors';
import { readLocalClaims } from '@provisioning/claims';
import type { ClaimValue } from '@provisioning/claims';
import { DATABASE, concurrentChange, isUniqueViolation, readJson } from '@provisioning/persistence';
import type { Database, DatabaseHandle, UserTable } from '@provisioning/persistence';
import { checkedId, searchUsers } from './search';
import type { Decide, SearchQuery } from './search';
import { usernameKey } from './tenant-username';

type Db = Kysely<Database> | Transaction<Database>;

/** A user as stored: the SCIM resource (no password), its local-claim projection, and internal roles. */
export interface StoredUser {
  id: string;
  tenant: string;
  username: string;
  passwordHash: string | null;
  resource: Record<string, unknown>;
  claims: Record<string, ClaimValue>;
  roles: string[];
  createdAt: number;
  updatedAt: number;
  version: number;
}

export type NewUser = Omit<StoredUser, 'id' | 'createdAt' | 'updatedAt' | 'version'> & { id?: string };

export interface UserPage {
  total: number;
  users: StoredUser[];
}

/**
 * Users of every tenant. Every method takes the tenant; usernames are unique per tenant and compared
 * case-insensitively. Writes take the caller's transaction so the outbox can commit with them.
 */
@injectable()
export class UserRepository {
  constructor(@inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Kysely<Database> {
    return this.database.db;
  }

  async insert(trx: Db, user: NewUser): Promise<StoredUser> {
    const now = Date.now();
    const stored: StoredUser = { ...user, id: user.id === undefined ? randomUUID() : checkedId(user.id), createdAt: now, updatedAt: now, version: 1 };
    // The unique (tenant, username_key) constraint decides, on both dialects and across instances:
    // no read before the insert.
    await trx
      .insertInto('users')
      .values(toRow(stored))
      .execute()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? new ConflictError(`User "${user.username}" already exists`, { scimType: 'uniqueness', code: 'USER-409', cause: error }) : error;
      });
    return stored;
  }

  /** Writes a new version; fails with a conflict if someone else wrote in between. */
  async update(trx: Db, user: StoredUser): Promise<StoredUser> {
    const next: StoredUser = { ...user, updatedAt: Math.max(Date.now(), user.updatedAt + 1), version: user.version + 1 };
    const clash = await this.findByUsername(user.tenant, user.username, trx);
    if (clash && clash.id !== user.id) throw new ConflictError(`User "${user.username}" already exists`, { scimType: 'uniqueness', code: 'USER-409' });
    const result = await trx
      .updateTable('users')
      .set(toRow(next))
      .where('tenant', '=', user.tenant)
      .where('id', '=', user.id)
      .where('version', '=', user.version)
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? new ConflictError(`User "${user.username}" already exists`, { scimType: 'uniqueness', code: 'USER-409', cause: error }) : error;
      });
    if (Number(result.numUpdatedRows) !== 1) throw concurrentChange(`User "${user.username}"`, 'USER-409');
    return next;
  }

  async delete(trx: Db, tenant: string, id: string): Promise<void> {
    await trx.deleteFrom('users').where('tenant', '=', tenant).where('id', '=', id).execute();
  }

  async findById(tenant: string, id: string, db: Db = this.database.db): Promise<StoredUser | undefined> {
    const row = await db.selectFrom('users').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async getById(tenant: string, id: string, db: Db = this.database.db): Promise<StoredUser> {
    const user = await this.findById(tenant, id, db);
    if (!user) throw new NotFoundError(`User ${id} not found`, { code: 'USER-404' });
    return user;
  }

  async findByUsername(tenant: string, username: string, db: Db = this.database.db): Promise<StoredUser | undefined> {
    const row = await db
      .selectFrom('users')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('username_key', '=', usernameKey(username))
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /**
   * A page of a tenant's users with their claims only, in id order after `afterId` (keyset paging:
   * reconciliation walks 100k users without holding them or re-reading skipped rows).
   */
  async claimsPage(tenant: string, afterId: string | undefined, limit: number, db: Db = this.database.db): Promise<UserClaims[]> {
    let q = db.selectFrom('users').select(['id', 'username', 'claims']).where('tenant', '=', tenant);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map(toClaims);
  }

  /** Users' claims by id or by username (at most a few thousand at once). */
  async claimsOf(tenant: string, by: { ids?: readonly string[]; usernames?: readonly string[] }, db: Db = this.database.db): Promise<UserClaims[]> {
    const out: UserClaims[] = [];
    const ids = [...new Set(by.ids ?? [])];
    const keys = [...new Set((by.usernames ?? []).map(usernameKey))];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db.selectFrom('users').select(['id', 'username', 'claims']).where('tenant', '=', tenant).where('id', 'in', ids.slice(i, i + 500)).execute();
      out.push(...rows.map(toClaims));
    }
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await db.selectFrom('users').select(['id', 'username', 'claims']).where('tenant', '=', tenant).where('username_key', 'in', keys.slice(i, i + 500)).execute();
      out.push(...rows.map(toClaims));
    }
    return out;
  }

  /** Usernames by id, for the members of groups. */
  async usernames(tenant: string, ids: readonly string[], db: Db = this.database.db): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await db.selectFrom('users').select(['id', 'username']).where('tenant', '=', tenant).where('id', 'in', unique.slice(i, i + 500)).execute();
      for (const row of rows) out.set(row.id, row.username);
    }
    return out;
  }

  /**
   * How many active users of a tenant other than `exceptId` hold an internal role (e.g. admin): decides
   * whether a user is the tenant's last administrator. Only rows with roles are read.
   */
  async countOthersWithRole(tenant: string, role: string, exceptId: string, db: Db = this.database.db): Promise<number> {
    const rows = await db
      .selectFrom('users')
      .select(['roles', 'resource'])
      .where('tenant', '=', tenant)
      .where('roles', '!=', '[]')
      .where('id', '!=', exceptId)
      .execute();
    return rows.filter((r) => (readJson<string[]>(r.roles, 'users.roles') ?? []).includes(role) && readJson<{ active?: unknown }>(r.resource, 'users.resource')?.active !== false).length;
  }

  /**
   * A SCIM search (RFC 7644 3.4.2) of a tenant's users in SQL: filter, sort, page and total. The
   * few users SQL cannot decide (text beyond ASCII that SQL folds differently from JavaScript,
   * resources with `\u` escapes) go to `decide`, which returns the ids of those that match.
   */
  async search(tenant: string, query: SearchQuery, decide: Decide<StoredUser>, db: Db = this.database.db): Promise<UserPage> {
    const { total, ids } = await searchUsers(db, this.database.dialect, tenant, query, (rows: Selectable<UserTable>[]) => decide(rows.map(fromRow)));
    const byId = new Map<string, StoredUser>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db.selectFrom('users').selectAll().where('tenant', '=', tenant).where('id', 'in', ids.slice(i, i + 500)).execute();
      for (const row of rows) byId.set(row.id, fromRow(row));
    }
    return { total, users: ids.map((id) => byId.get(id)).filter((user) => user !== undefined) };
  }
}

function toRow(user: StoredUser): UserTable {
  return {
    id: user.id,
    tenant: user.tenant,
    username: user.username,
    username_key: usernameKey(user.username),
    password_hash: user.passwordHash,
    resource: JSON.stringify(user.resource),
    claims: JSON.stringify(user.claims),
    roles: JSON.stringify(user.roles),
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    version: user.version,
  };
}

/** A user's id, username and local claims (what provisioning reads). */
export interface UserClaims {
  id: string;
  username: string;
  claims: Record<string, ClaimValue>;
}

function toClaims(row: { id: string; username: string; claims: string }): UserClaims {
  return { id: row.id, username: row.username, claims: readLocalClaims(readJson<unknown>(row.claims, 'users.claims')) };
}

function fromRow(row: Selectable<UserTable>): StoredUser {
  return {
    id: row.id,
    tenant: row.tenant,
    username: row.username,
    passwordHash: row.password_hash,
    resource: readJson<Record<string, unknown>>(row.resource, 'users.resource') ?? {},
    claims: readLocalClaims(readJson<unknown>(row.claims, 'users.claims')),
    roles: readJson<string[]>(row.roles, 'users.roles') ?? [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
