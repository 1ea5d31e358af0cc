import { UpstreamRejectedError, ValidationError } from '@provisioning/errors';
import type { CallOptions, GroupMember, GroupProvisioningOperation, GroupProvisioningResult } from '@provisioning/connector-kit';
import { filterString, idOf, matching, SEARCH_REFUSED, writeResource } from './resource-writer';
import type { ResourceChange } from './resource-writer';
import type { Scim2Client } from './scim2-client';
import type { Scim2Config } from './scim2-config';
import { scimErrorOf } from './scim2-errors';
import type { ServiceProviderConfigCache } from './service-provider-config';

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Json = Record<string, unknown>;

/** Members as SCIM references; members not provisioned to this target have no remote id and are left out. */
function references(members: readonly GroupMember[]): { values: string[]; skipped: string[] } {
  return {
    values: members.flatMap((m) => (m.remoteId ? [m.remoteId] : [])),
    skipped: members.filter((m) => !m.remoteId).map((m) => m.username),
  };
}

function skippedNote(skipped: readonly string[]): { note?: string } {
  return skipped.length === 0 ? {} : { note: `${skipped.length} member(s) left out, not provisioned to this target yet: ${skipped.join(', ')}` };
}

function membersOf(resource: Json): Json[] {
  return Array.isArray(resource.members) ? (resource.members as Json[]) : [];
}

/** Replaces name and membership as a whole (used when linking to an existing group). */
function replaceAll(displayName: string, values: readonly string[]): ResourceChange {
  return {
    patch: {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'displayName', value: displayName },
        { op: 'replace', path: 'members', value: values.map((value) => ({ value })) },
      ],
    },
    apply: (current) => {
      const { meta: _meta, ...rest } = current;
      return { ...rest, displayName, members: values.map((value) => ({ value })) };
    },
  };
}

/** Renames and adds/removes only the members that changed, so concurrent membership changes on the target survive. */
function delta(displayName: string, added: readonly string[], removed: readonly string[]): ResourceChange {
  const operations: Json[] = [{ op: 'replace', path: 'displayName', value: displayName }];
  if (added.length > 0) operations.push({ op: 'add', path: 'members', value: added.map((value) => ({ value })) });
  for (const id of removed) operations.push({ op: 'remove', path: `members[value eq ${filterString(id)}]` });
  return {
    patch: { schemas: [PATCH_OP], Operations: operations },
    apply: (current) => {
      const { meta: _meta, ...rest } = current;
      const kept = membersOf(current).filter((m) => typeof m.value === 'string' && !removed.includes(m.value));
      const fresh = added.filter((id) => !kept.some((m) => m.value === id)).map((value) => ({ value }));
      return { ...rest, displayName, members: [...kept, ...fresh] };
    },
  };
}

/**
 * Group operations (RFC 7643 4.2): a group is matched by displayName before it is created (and after a
 * 409), so an existing remote group is linked rather than duplicated; membership refers to members'
 * remote ids.
 */
export class ScimGroups {
  constructor(
    private readonly config: Scim2Config,
    private readonly client: Scim2Client,
    private readonly spc: ServiceProviderConfigCache,
  ) {}

  async provision(operation: GroupProvisioningOperation, options: CallOptions): Promise<GroupProvisioningResult> {
    switch (operation.kind) {
      case 'create':
        return this.create(operation, options);
      case 'update':
        return this.update(operation, options);
      case 'delete':
        return this.delete(operation, options);
    }
  }

  private groupUrl(id: string): string {
    return `${this.config.groupsUrl}/${encodeURIComponent(id)}`;
  }

  private async create(operation: GroupProvisioningOperation, options: CallOptions): Promise<GroupProvisioningResult> {
    const { values, skipped } = references(operation.members);
    await options.assertLinkable?.({ remoteName: operation.displayName });
    const features = await this.spc.get(options);
    const existing = features.filter ? await this.findByDisplayName(operation.displayName, options) : undefined;
    if (existing) return this.link(existing, operation.displayName, values, skipped, options);
    const body = { schemas: [GROUP_SCHEMA], displayName: operation.displayName, externalId: operation.localId, members: values.map((value) => ({ value })) };
    const response = await this.client.send({ method: 'POST', url: this.config.groupsUrl, body, accept: [409] }, options);
    if (response.status === 409) {
      const taken = features.filter ? await this.findByDisplayName(operation.displayName, options) : undefined;
      if (taken) return this.link(taken, operation.displayName, values, skipped, options);
      const { scimType, detail } = scimErrorOf(response.body);
      throw new UpstreamRejectedError(`The SCIM target already has a group "${operation.displayName}" and it cannot be found to link it`, {
        status: 409,
        remoteCode: scimType ?? 'uniqueness',
        ...(detail ? { remoteMessage: detail } : {}),
      });
    }
    const id = idOf(response.body);
    if (!id) throw new UpstreamRejectedError(`The SCIM target created group "${operation.displayName}" but returned no id`, { status: response.status, remoteCode: 'NO_ID' });
    return { outcome: 'created', remoteId: id, remoteName: operation.displayName, ...skippedNote(skipped) };
  }

  private async link(id: string, displayName: string, values: string[], skipped: string[], options: CallOptions): Promise<GroupProvisioningResult> {
    await options.assertLinkable?.({ remoteId: id, remoteName: displayName });
    await writeResource(this.client, await this.spc.get(options), this.groupUrl(id), replaceAll(displayName, values), options);
    const note = ['linked to the existing SCIM group with this displayName', skippedNote(skipped).note].filter(Boolean).join('; ');
    return { outcome: 'linked', remoteId: id, remoteName: displayName, note };
  }

  private async update(operation: GroupProvisioningOperation, options: CallOptions): Promise<GroupProvisioningResult> {
    const remoteId = operation.remoteId;
    if (!remoteId) throw new ValidationError('group update without a remote id');
    const added = references(operation.replaceMembers ? operation.members : operation.addedMembers);
    const removed = references(operation.removedMembers);
    const change = operation.replaceMembers ? replaceAll(operation.displayName, added.values) : delta(operation.displayName, added.values, removed.values);
    if (!(await writeResource(this.client, await this.spc.get(options), this.groupUrl(remoteId), change, options, true))) {
      throw new UpstreamRejectedError(`The SCIM group ${remoteId} no longer exists on the target (404)`, { status: 404, remoteCode: 'HTTP_404' });
    }
    return { outcome: 'updated', remoteId, remoteName: operation.displayName, ...skippedNote(added.skipped) };
  }

  private async delete(operation: GroupProvisioningOperation, options: CallOptions): Promise<GroupProvisioningResult> {
    let remoteId = operation.remoteId;
    if (!remoteId) {
      const features = await this.spc.get(options);
      remoteId = features.filter ? await this.findByDisplayName(operation.displayName, options) : undefined;
      if (!remoteId) return { outcome: 'unchanged', note: 'no SCIM group to delete' };
    }
    const response = await this.client.send({ method: 'DELETE', url: this.groupUrl(remoteId), accept: [404] }, options);
    if (response.status === 404) return { outcome: 'unchanged', remoteId, note: 'the SCIM group was already deleted' };
    return { outcome: 'deleted', remoteId };
  }

  private async findByDisplayName(displayName: string, options: CallOptions): Promise<string | undefined> {
    const filter = `displayName eq ${filterString(displayName)}`;
    const response = await this.client.send({ method: 'GET', url: `${this.config.groupsUrl}?filter=${encodeURIComponent(filter)}`, accept: SEARCH_REFUSED }, options);
    return idOf(matching(response.body, 'displayName', displayName)[0]);
  }
}
