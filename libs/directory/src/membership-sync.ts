import { inject, injectable } from 'inversify';
import type { Transaction } from 'kysely';
import { scimUserToLocalClaims } from '@provisioning/claims';
import type { ClaimValue } from '@provisioning/claims';
import { ProvisioningOutbox } from '@provisioning/core';
import type { EnqueuedJob } from '@provisioning/core';
import type { Database } from '@provisioning/persistence';
import { GroupRepository, UserRepository } from '@provisioning/user-store';
import type { StoredUser } from '@provisioning/user-store';

type Trx = Transaction<Database>;
type MemberRef = { localId: string; username: string };

/** Local claims added, changed or removed. */
export function diffClaims(before: Readonly<Record<string, ClaimValue>>, after: Readonly<Record<string, ClaimValue>>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !sameClaim(before[k], after[k])).sort();
}

/** Equal claim values: the same text, or the same values in the same order. */
function sameClaim(a: ClaimValue | undefined, b: ClaimValue | undefined): boolean {
  if (typeof a === 'string' || typeof b === 'string' || a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The local claims of a user resource with its groups (groups are roles: the `role` claim). */
export function claimsOf(resource: Record<string, unknown>, groups: ReadonlyArray<{ id: string; displayName: string }>): Record<string, ClaimValue> {
  return scimUserToLocalClaims({ ...resource, ...(groups.length > 0 ? { groups: groups.map((g) => ({ value: g.id, display: g.displayName })) } : {}) });
}

/**
 * How group membership reaches provisioning, in the caller's transaction (the outbox's rule): users
 * whose memberships changed get their role claim recomputed and an update queued (which role-based
 * provisioning turns into a create or a deprovision); group-capable targets get the group changes
 * with their user members, for the group itself and for the groups that contain it. One owner for
 * this fan-out, so user writes and group writes share it without depending on each other.
 */
@injectable()
export class MembershipSync {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(GroupRepository) private readonly groups: GroupRepository,
    @inject(ProvisioningOutbox) private readonly outbox: ProvisioningOutbox,
  ) {}

  /** Recomputes the role claim of these users and queues an update for each one whose claims differ. */
  async refreshUsers(trx: Trx, tenant: string, userIds: Iterable<string>): Promise<number> {
    let changed = 0;
    for (const userId of new Set(userIds)) {
      const user = await this.users.findById(tenant, userId, trx);
      if (!user) continue;
      const groups = await this.groups.groupsOf(tenant, userId, trx);
      const claims = claimsOf(user.resource, groups);
      const changedClaims = diffClaims(user.claims, claims);
      if (changedClaims.length === 0) continue;
      const updated = await this.users.update(trx, { ...user, claims });
      const jobs = await this.outbox.record(trx, { tenant, userId, username: updated.username, operation: 'update', claims, changedClaims, previousClaims: user.claims });
      await this.userJoinedTargets(trx, tenant, updated, jobs, groups);
      changed += 1;
    }
    return changed;
  }

  /**
   * A user who becomes provisioned on a target by an update (joining a provisioning role, being
   * reactivated) must also appear in the groups they already belong to on group-capable targets.
   */
  async userJoinedTargets(trx: Trx, tenant: string, user: StoredUser, jobs: readonly EnqueuedJob[], groups: ReadonlyArray<{ id: string; displayName: string }>): Promise<void> {
    if (!jobs.some((j) => j.operation === 'create') || groups.length === 0) return;
    for (const group of groups) await this.groupUpdated(trx, tenant, group, { added: [{ localId: user.id, username: user.username }] });
  }

  /** A deleted user leaves the groups that contained it (directly or not) on group-capable targets too. */
  async userRemoved(trx: Trx, tenant: string, user: MemberRef, containing: ReadonlyArray<{ id: string; displayName: string }>): Promise<void> {
    for (const group of containing) {
      await this.groups.touch(trx, tenant, group.id);
      await this.groupUpdated(trx, tenant, group, { removed: [user] });
    }
  }

  /**
   * After a group write: members whose (transitive) membership changed get their role claim
   * recomputed (everyone on a rename), and group-capable targets get the group and its ancestors.
   */
  async groupChanged(
    trx: Trx,
    tenant: string,
    groupId: string,
    before: readonly string[],
    operation: 'create' | 'update',
    displayName: string,
    renamed = false,
  ): Promise<void> {
    const after = await this.groups.userMembersOf(tenant, groupId, trx);
    const beforeSet = new Set(before);
    const afterSet = new Set(after);
    const added = after.filter((id) => !beforeSet.has(id));
    const removed = before.filter((id) => !afterSet.has(id));
    await this.refreshUsers(trx, tenant, renamed ? [...new Set([...before, ...after])] : [...added, ...removed]);
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
      const stillIn = new Set(await this.groups.userMembersOf(tenant, ancestor.id, trx));
      await this.groupUpdated(trx, tenant, ancestor, {
        added: added.filter((id) => stillIn.has(id)).map(member),
        removed: removed.filter((id) => !stillIn.has(id)).map(member),
      });
    }
  }

  /** A deleted group: its former user members lose the role, group-capable targets delete the group. */
  async groupDeleted(trx: Trx, tenant: string, groupId: string, displayName: string, formerMembers: readonly string[]): Promise<void> {
    await this.refreshUsers(trx, tenant, formerMembers);
    const names = await this.users.usernames(tenant, formerMembers, trx);
    const removed = formerMembers.map((localId) => ({ localId, username: names.get(localId) ?? '' }));
    await this.outbox.recordGroup(trx, { tenant, groupId, operation: 'delete', group: { displayName, members: [], added: [], removed } });
  }

  /** A GROUP update for group-capable targets: the group's current user members and what changed. */
  private async groupUpdated(
    trx: Trx,
    tenant: string,
    group: { id: string; displayName: string },
    change: { added?: MemberRef[]; removed?: MemberRef[] },
  ): Promise<void> {
    const members = await this.groups.userMembersOf(tenant, group.id, trx);
    const names = await this.users.usernames(tenant, members, trx);
    const known = new Map([...(change.added ?? []), ...(change.removed ?? [])].map((m) => [m.localId, m.username] as const));
    await this.outbox.recordGroup(trx, {
      tenant,
      groupId: group.id,
      operation: 'update',
      group: {
        displayName: group.displayName,
        members: members.map((localId) => ({ localId, username: names.get(localId) ?? known.get(localId) ?? '' })),
        added: change.added ?? [],
        removed: change.removed ?? [],
      },
    });
  }
}
