import { inject, injectable } from 'inversify';
import type { Transaction } from 'kysely';
import { IdentityProviderService, ProvisioningOutbox } from '@provisioning/core';
import { ValidationError } from '@provisioning/errors';
import { DATABASE } from '@provisioning/persistence';
import type { Database, DatabaseHandle } from '@provisioning/persistence';
import { applyPatch, compileFilter, parseFilter, simpleEqualityOf, sortResources, validateResource } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import { GroupRepository, UserRepository } from '@provisioning/user-store';
import type { GroupMember, StoredGroup } from '@provisioning/user-store';
import { metaOf } from '../scim/representation';
import type { ScimQuery } from '../scim/scim-query';
import { pageOf } from '../scim/scim-query';
import type { ResourcePage } from '../users/user-service';
import { checkPrecondition, UserService } from '../users/user-service';

/**
 * SCIM Groups. A group is a local role: membership changes recompute the members' role claim and
 * queue user updates (or role-based creates and deprovisions) in the same transaction.
 */
@injectable()
export class GroupService {
  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(GroupRepository) private readonly groups: GroupRepository,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(UserService) private readonly userService: UserService,
    @inject(ProvisioningOutbox) private readonly outbox: ProvisioningOutbox,
    @inject(IdentityProviderService) private readonly idps: IdentityProviderService,
  ) {}

  async create(tenant: string, body: unknown): Promise<StoredGroup> {
    const { resource } = validateResource(body, 'Group', { mode: 'create' });
    const group = await this.database.db.transaction().execute(async (trx) => {
      const { displayName, members, rest } = await this.split(trx, tenant, resource);
      const created = await this.groups.insert(trx, { tenant, displayName, resource: rest, members });
      await this.afterMembershipChange(trx, tenant, created.id, [], 'create', displayName);
      return created;
    });
    this.outbox.committed();
    return group;
  }

  async get(tenant: string, id: string): Promise<StoredGroup> {
    return this.groups.getById(tenant, id);
  }

  /**
   * The SCIM representation. Members come in one deterministic order (by id): the repository reads
   * them back in no particular order, so without it a write's response and the next GET of the same
   * version listed them differently.
   */
  represent(group: StoredGroup, base: string, names?: Map<string, string>): ScimResource {
    const members = [...group.members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      ...group.resource,
      id: group.id,
      displayName: group.displayName,
      ...(members.length > 0
        ? {
            members: members.map((m) => ({
              value: m.id,
              type: m.type,
              $ref: `${base}/${m.type === 'User' ? 'Users' : 'Groups'}/${m.id}`,
              ...(names?.get(m.id) ? { display: names.get(m.id) } : {}),
            })),
          }
        : {}),
      meta: metaOf('Group', group, base),
    } as ScimResource;
  }

  async representOne(group: StoredGroup, base: string): Promise<ScimResource> {
    return this.represent(group, base, await this.memberNames(group.tenant, [group]));
  }

  async list(tenant: string, query: ScimQuery, base: string): Promise<ResourcePage> {
    const filter = query.filter ? parseFilter(query.filter) : undefined;
    const equality = filter ? simpleEqualityOf(filter, 'Group') : undefined;
    let candidates: StoredGroup[];
    if (equality?.attribute === 'displayName') {
      const found = await this.groups.findByDisplayName(tenant, equality.value);
      candidates = found ? [found] : [];
    } else if (equality?.attribute === 'id') {
      const found = await this.groups.findById(tenant, equality.value);
      candidates = found ? [found] : [];
    } else {
      candidates = await this.groups.list(tenant);
    }
    const names = await this.memberNames(tenant, candidates);
    let resources = candidates.map((g) => this.represent(g, base, names));
    if (filter) {
      const predicate = compileFilter(filter, 'Group');
      resources = resources.filter((r) => predicate(r));
    }
    resources = sortResources(resources, query.sortBy, query.sortOrder, 'Group');
    return pageOf(resources, query);
  }

  async replace(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<StoredGroup> {
    return this.write(tenant, id, ifMatch, (current) => validateResource(body, 'Group', { mode: 'replace', existing: this.storable(current) }).resource);
  }

  async patch(tenant: string, id: string, body: unknown, ifMatch?: string): Promise<StoredGroup> {
    return this.write(tenant, id, ifMatch, (current) => {
      const { resource, changed } = applyPatch({ ...this.storable(current), id: current.id } as ScimResource, body, 'Group');
      // RFC 7644 3.5.2.1: a PATCH that changes nothing keeps the version and meta.lastModified.
      if (!changed) return undefined;
      const { id: _id, meta: _meta, ...rest } = resource as Record<string, unknown>;
      return rest as ScimResource;
    });
  }

  async delete(tenant: string, id: string, ifMatch?: string): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      const current = await this.groups.getById(tenant, id, trx);
      checkPrecondition(current.version, ifMatch, `Group ${id}`);
      const affected = await this.groups.userMembersOf(tenant, id, trx);
      await this.groups.delete(trx, tenant, id);
      await this.userService.refreshMemberships(trx, tenant, affected);
      const names = await this.users.usernames(tenant, affected, trx);
      const removed = affected.map((localId) => ({ localId, username: names.get(localId) ?? '' }));
      await this.outbox.recordGroup(trx, { tenant, groupId: id, operation: 'delete', group: { displayName: current.displayName, members: [], added: [], removed } });
    });
    this.outbox.committed();
  }

  /** `change` returns the next resource, or undefined when nothing changes (no write, same version). */
  private async write(tenant: string, id: string, ifMatch: string | undefined, change: (current: StoredGroup) => ScimResource | undefined): Promise<StoredGroup> {
    const group = await this.database.db.transaction().execute(async (trx) => {
      const current = await this.groups.getById(tenant, id, trx);
      checkPrecondition(current.version, ifMatch, `Group ${id}`);
      const next = change(current);
      if (next === undefined) return current;
      const before = await this.groups.userMembersOf(tenant, id, trx);
      const { displayName, members, rest } = await this.split(trx, tenant, next, id);
      const updated = await this.groups.update(trx, { ...current, displayName, members, resource: rest });
      const renamed = displayName !== current.displayName;
      if (renamed) await this.idps.renameLocalRole(trx, tenant, current.displayName, displayName);
      await this.afterMembershipChange(trx, tenant, id, before, 'update', displayName, renamed);
      return updated;
    });
    this.outbox.committed();
    return group;
  }

  /**
   * Users whose (transitive) membership may have changed get their role claim recomputed (user
   * updates), and connectors that support groups get the group change with its user members.
   */
  private async afterMembershipChange(
    trx: Transaction<Database>,
    tenant: string,
    groupId: string,
    before: string[],
    operation: 'create' | 'update',
    displayName: string,
    renamed = false,
  ): Promise<void> {
    const after = await this.groups.userMembersOf(tenant, groupId, trx);
    const beforeSet = new Set(before);
    const afterSet = new Set(after);
    const added = after.filter((id) => !beforeSet.has(id));
    const removed = before.filter((id) => !afterSet.has(id));
    // Only users whose membership changed get their role claim recomputed; a rename changes everyone's.
    const changed = renamed ? [...new Set([...before, ...after])] : [...added, ...removed];
    await this.userService.refreshMemberships(trx, tenant, changed);
    const names = await this.users.usernames(tenant, [...before, ...after], trx);
    const member = (localId: string) => ({ localId, username: names.get(localId) ?? '' });
    await this.outbox.recordGroup(trx, {
      tenant,
      groupId,
      operation,
      group: { displayName, members: after.map(member), added: added.map(member), removed: removed.map(member) },
    });
    if (added.length === 0 && removed.length === 0) return;
    // Groups containing this one (nested) changed their transitive members too.
    for (const ancestor of await this.groups.groupsOf(tenant, groupId, trx)) {
      await this.groups.touch(trx, tenant, ancestor.id);
      const members = await this.groups.userMembersOf(tenant, ancestor.id, trx);
      const ancestorNames = await this.users.usernames(tenant, members, trx);
      const asMember = (localId: string) => ({ localId, username: ancestorNames.get(localId) ?? names.get(localId) ?? '' });
      const stillIn = new Set(members);
      await this.outbox.recordGroup(trx, {
        tenant,
        groupId: ancestor.id,
        operation: 'update',
        group: {
          displayName: ancestor.displayName,
          members: members.map(asMember),
          added: added.filter((id) => stillIn.has(id)).map(asMember),
          removed: removed.filter((id) => !stillIn.has(id)).map(asMember),
        },
      });
    }
  }

  /** The stored part of a group resource (members and displayName live in their own columns). */
  private storable(group: StoredGroup): ScimResource {
    return { ...group.resource, displayName: group.displayName, ...(group.members.length > 0 ? { members: group.members.map((m) => ({ value: m.id, type: m.type })) } : {}) } as ScimResource;
  }

  /** Validates members: each must be a user or group of this tenant; a group cannot contain itself. */
  private async split(trx: Transaction<Database>, tenant: string, resource: ScimResource, selfId?: string): Promise<{ displayName: string; members: GroupMember[]; rest: Record<string, unknown> }> {
    const { displayName, members, schemas: _schemas, ...rest } = resource as Record<string, unknown>;
    if (typeof displayName !== 'string' || displayName.trim() === '') throw new ValidationError('displayName is required', { scimType: 'invalidValue' });
    if (displayName.includes(',')) {
      // Group names are role names, and the role claim is a comma-separated list.
      throw new ValidationError(`displayName "${displayName}" must not contain a comma (group names are role names)`, { scimType: 'invalidValue' });
    }
    const list = Array.isArray(members) ? (members as Array<{ value?: unknown; type?: unknown }>) : [];
    const out: GroupMember[] = [];
    for (const [i, member] of list.entries()) {
      const value = typeof member.value === 'string' ? member.value : '';
      if (!value) throw new ValidationError(`members[${i}].value is required`, { scimType: 'invalidValue' });
      if (value === selfId) throw new ValidationError('a group cannot be a member of itself', { scimType: 'invalidValue' });
      const user = member.type !== 'Group' ? await this.users.findById(tenant, value, trx) : undefined;
      if (user) {
        out.push({ id: value, type: 'User' });
        continue;
      }
      const group = member.type !== 'User' ? await this.groups.findById(tenant, value, trx) : undefined;
      if (group) {
        if (selfId && (await this.containsGroup(trx, tenant, value, selfId))) {
          throw new ValidationError(`adding group ${value} would create a membership cycle`, { scimType: 'invalidValue' });
        }
        out.push({ id: value, type: 'Group' });
        continue;
      }
      throw new ValidationError(`members[${i}].value "${value}" is not a user or group of this tenant`, { scimType: 'invalidValue' });
    }
    return { displayName: displayName.trim(), members: out, rest: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], ...rest } };
  }

  private async containsGroup(trx: Transaction<Database>, tenant: string, groupId: string, target: string): Promise<boolean> {
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

  /** Display names of the members of these groups (usernames for users). */
  private async memberNames(tenant: string, groups: StoredGroup[]): Promise<Map<string, string>> {
    const userIds = groups.flatMap((g) => g.members.filter((m) => m.type === 'User').map((m) => m.id));
    const names = await this.users.usernames(tenant, userIds);
    for (const g of groups) {
      for (const m of g.members) {
        if (m.type === 'Group' && !names.has(m.id)) {
          const nested = await this.groups.findById(tenant, m.id);
          if (nested) names.set(m.id, nested.displayName);
        }
      }
    }
    return names;
  }
}
