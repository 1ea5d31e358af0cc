import { inject, injectable } from 'inversify';
import type { Transaction } from 'kysely';
import { IdentityProviderService, ProvisioningOutbox } from '@provisioning/core';
import { ValidationError, echo } from '@provisioning/errors';
import { DATABASE, withConflictRetry } from '@provisioning/persistence';
import type { Database, DatabaseHandle } from '@provisioning/persistence';
import { applyPatch, validateResource } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import { GroupRepository, UserRepository } from '@provisioning/user-store';
import type { GroupMember, StoredGroup } from '@provisioning/user-store';
import { checkPrecondition } from './etag';
import { MembershipSync } from './membership-sync';

type Trx = Transaction<Database>;

/**
 * SCIM Group writes. A group is a local role: membership changes recompute the members' role claim
 * and queue user updates (or role-based creates and deprovisions) in the same transaction, through
 * {@link MembershipSync}; a rename follows into IdP provisioning roles and role mappings.
 */
@injectable()
export class GroupCommands {
  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(GroupRepository) private readonly groups: GroupRepository,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(MembershipSync) private readonly memberships: MembershipSync,
    @inject(ProvisioningOutbox) private readonly outbox: ProvisioningOutbox,
    @inject(IdentityProviderService) private readonly idps: IdentityProviderService,
  ) {}

  async create(tenant: string, body: unknown): Promise<StoredGroup> {
    const { resource } = validateResource(body, 'Group', { mode: 'create' });
    const group = await withConflictRetry(() => this.database.db.transaction().execute(async (trx) => {
      const { displayName, members, rest } = await this.split(trx, tenant, resource);
      const created = await this.groups.insert(trx, { tenant, displayName, resource: rest, members });
      await this.memberships.groupChanged(trx, tenant, created.id, [], 'create', displayName);
      return created;
    }));
    this.outbox.committed();
    return group;
  }

  async replace(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<StoredGroup> {
    return this.write(tenant, id, ifMatch, (current) => validateResource(body, 'Group', { mode: 'replace', existing: storable(current) }).resource);
  }

  /** PATCH (RFC 7644 3.5.2); a PATCH that changes nothing keeps the version and meta.lastModified. */
  async patch(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<StoredGroup> {
    return this.write(tenant, id, ifMatch, (current) => {
      const { resource, changed } = applyPatch({ ...storable(current), id: current.id } as ScimResource, body, 'Group');
      if (!changed) return undefined;
      const { id: _id, meta: _meta, ...rest } = resource as Record<string, unknown>;
      return rest as ScimResource;
    });
  }

  async delete(tenant: string, id: string, ifMatch?: string): Promise<void> {
    await withConflictRetry(() => this.database.db.transaction().execute(async (trx) => {
      const current = await this.groups.getById(tenant, id, trx);
      checkPrecondition(current.version, ifMatch, `Group ${id}`);
      const affected = await this.groups.userMembersOf(tenant, id, trx);
      await this.groups.delete(trx, tenant, id);
      await this.memberships.groupDeleted(trx, tenant, id, current.displayName, affected);
    }));
    this.outbox.committed();
  }

  /** `change` returns the next resource, or undefined when nothing changes (no write, same version). */
  private async write(tenant: string, id: string, ifMatch: string | undefined, change: (current: StoredGroup) => ScimResource | undefined): Promise<StoredGroup> {
    const group = await withConflictRetry(() => this.database.db.transaction().execute(async (trx) => {
      const current = await this.groups.getById(tenant, id, trx);
      checkPrecondition(current.version, ifMatch, `Group ${id}`);
      const next = change(current);
      if (next === undefined) return current;
      const before = await this.groups.userMembersOf(tenant, id, trx);
      const { displayName, members, rest } = await this.split(trx, tenant, next, id);
      const updated = await this.groups.update(trx, { ...current, displayName, members, resource: rest });
      const renamed = displayName !== current.displayName;
      if (renamed) await this.idps.renameLocalRole(trx, tenant, current.displayName, displayName);
      await this.memberships.groupChanged(trx, tenant, id, before, 'update', displayName, renamed);
      return updated;
    }));
    this.outbox.committed();
    return group;
  }

  /** Validates members: each must be a user or group of this tenant, of the type it claims; a group cannot contain itself. */
  private async split(trx: Trx, tenant: string, resource: ScimResource, selfId?: string): Promise<{ displayName: string; members: GroupMember[]; rest: Record<string, unknown> }> {
    const { displayName, members, schemas: _schemas, ...rest } = resource as Record<string, unknown>;
    if (typeof displayName !== 'string' || displayName.trim() === '') throw new ValidationError('displayName is required', { scimType: 'invalidValue' });
    const list = Array.isArray(members) ? (members as Array<{ value?: unknown; type?: unknown }>) : [];
    const out: GroupMember[] = [];
    for (const [i, member] of list.entries()) {
      const value = typeof member.value === 'string' ? member.value : '';
      if (!value) throw new ValidationError(`members[${i}].value is required`, { scimType: 'invalidValue' });
      if (value === selfId) throw new ValidationError('a group cannot be a member of itself', { scimType: 'invalidValue' });
      const user = await this.users.findById(tenant, value, trx);
      const group = user ? undefined : await this.groups.findById(tenant, value, trx);
      const actual = user ? 'User' : group ? 'Group' : undefined;
      if (!actual) throw new ValidationError(`members[${i}].value "${echo(value)}" is not a user or group of this tenant`, { scimType: 'invalidValue' });
      if (member.type !== undefined && member.type !== actual) {
        throw new ValidationError(`members[${i}]: "${echo(value)}" is a ${actual}, not a ${echo(String(member.type))}; fix members[${i}].type or leave it out`, {
          scimType: 'invalidValue',
        });
      }
      if (actual === 'Group' && selfId && (await this.containsGroup(trx, tenant, value, selfId))) {
        throw new ValidationError(`adding group ${echo(value)} would create a membership cycle`, { scimType: 'invalidValue' });
      }
      out.push({ id: value, type: actual });
    }
    return { displayName: displayName.trim(), members: out, rest: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], ...rest } };
  }

  private async containsGroup(trx: Trx, tenant: string, groupId: string, target: string): Promise<boolean> {
    const seen = new Set<string>();
    let frontier = [groupId];
    while (frontier.length > 0) {
      if (frontier.includes(target)) return true;
      const next: string[] = [];
      for (const id of frontier) {
        if (seen.has(id)) continue;
        seen.add(id);
        const group = await this.groups.findById(tenant, id, trx);
        for (const m of group?.members ?? []) if (m.type === 'Group') next.push(m.id);
      }
      frontier = next;
    }
    return false;
  }
}

/** The stored part of a group resource (members and displayName live in their own columns). */
export function storable(group: StoredGroup): ScimResource {
  return { ...group.resource, displayName: group.displayName, ...(group.members.length > 0 ? { members: group.members.map((m) => ({ value: m.id, type: m.type })) } : {}) } as ScimResource;
}
