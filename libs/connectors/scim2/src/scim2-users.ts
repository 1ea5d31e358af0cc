import { UpstreamRejectedError, ValidationError } from '@provisioning/errors';
import type { CallOptions, OutboundAttribute, ProvisioningOperation, ProvisioningResult } from '@provisioning/connector-kit';
import { parseAttributeName } from './attribute-path';
import { filterString, idOf, matching, SEARCH_REFUSED, writeResource } from './resource-writer';
import type { Scim2Client } from './scim2-client';
import type { Scim2Config } from './scim2-config';
import { scimErrorOf } from './scim2-errors';
import { applyChanges, patchBody } from './scim-changes';
import type { ScimChange } from './scim-changes';
import { buildUserResource, userChanges } from './scim-user-body';
import type { ServiceProviderConfigCache } from './service-provider-config';

/** A remote user found by userName. */
interface FoundUser {
  id: string;
  userName: string;
}

function isUserName(a: OutboundAttribute): boolean {
  const path = parseAttributeName(a.name);
  return !('problem' in path) && path.schema === undefined && path.attribute === 'userName' && !path.subAttribute;
}

/** The operation cannot be expressed as a SCIM User: which attributes and why. */
export function mappingError(problems: readonly string[]): ValidationError {
  return new ValidationError(`The user cannot be expressed as a SCIM 2.0 User: ${problems.join('; ')}`, {
    code: 'SCIM2-MAPPING',
    description: 'Fix the IdP claim mapping (IdP claim names are SCIM attribute paths) or the claim values; see docs/connectors.md.',
    details: { problems },
  });
}

/**
 * The changes an update sends (single or in a Bulk request): the changed attributes, and
 * `active: true` when the engine asks to reactivate the account (a reconciliation run found it
 * deactivated while the local user is active). Throws the mapping error.
 */
export function updateChanges(operation: ProvisioningOperation): ScimChange[] {
  const { changes, problems } = userChanges(operation.attributes, operation.allAttributes);
  if (problems.length > 0) throw mappingError(problems);
  if (!operation.reactivate) return changes;
  return [...changes.filter((c) => c.path.toLowerCase() !== 'active'), { path: 'active', value: true }];
}

/**
 * The user operations. Create looks the userName up first (when the target filters) and links to an
 * existing user instead of duplicating it, and does the same after a 409; update replaces only what
 * changed; deprovision deactivates (or deletes, if configured).
 */
export class ScimUsers {
  constructor(
    private readonly config: Scim2Config,
    private readonly client: Scim2Client,
    private readonly spc: ServiceProviderConfigCache,
  ) {}

  userUrl(id: string): string {
    return `${this.config.usersUrl}/${encodeURIComponent(id)}`;
  }

  async create(operation: ProvisioningOperation, options: CallOptions): Promise<ProvisioningResult> {
    const mapped = buildUserResource(operation.allAttributes, { defaultUserName: operation.username, password: this.config.defaultPassword });
    if (mapped.problems.length > 0) throw mappingError(mapped.problems);
    const userName = String(mapped.resource.userName);
    await options.assertLinkable?.({ remoteName: userName });
    const features = await this.spc.get(options);
    const existing = features.filter ? await this.findByUserName(userName, options) : undefined;
    if (existing) return this.link(existing, operation, options);

    const response = await this.client.send({ method: 'POST', url: this.config.usersUrl, body: mapped.resource, accept: [409] }, options);
    if (response.status === 409) {
      const taken = features.filter ? await this.findByUserName(userName, options) : undefined;
      if (taken) return this.link(taken, operation, options);
      const { scimType, detail } = scimErrorOf(response.body);
      throw new UpstreamRejectedError(
        `The SCIM target already has a user "${userName}" (409 ${scimType ?? 'uniqueness'}) and ` +
          (features.filter ? 'does not return it for filter=userName eq, so it cannot be linked' : 'does not support filtering, so it cannot be linked') +
          '; map userName to a claim that is unique on the target, or remove the remote user.',
        { status: 409, remoteCode: scimType ?? 'uniqueness', ...(detail ? { remoteMessage: detail } : {}) },
      );
    }
    const id = idOf(response.body);
    if (!id) {
      throw new UpstreamRejectedError(`The SCIM target created "${userName}" (${response.status}) but returned no id, so later updates could not reach it`, {
        status: response.status,
        remoteCode: 'NO_ID',
      });
    }
    return { outcome: 'created', remoteId: id, remoteName: userName };
  }

  /**
   * Adopts an existing remote user: every mapped attribute is written and the user reactivated, once
   * the engine confirmed the account is not another local user's.
   */
  private async link(existing: FoundUser, operation: ProvisioningOperation, options: CallOptions): Promise<ProvisioningResult> {
    const { changes, problems } = userChanges(operation.allAttributes.filter((a) => !isUserName(a)), operation.allAttributes);
    if (problems.length > 0) throw mappingError(problems);
    await options.assertLinkable?.({ remoteId: existing.id, remoteName: existing.userName });
    if (!changes.some((c) => c.path === 'active')) changes.push({ path: 'active', value: true });
    await this.modify(existing.id, changes, options);
    return { outcome: 'linked', remoteId: existing.id, remoteName: existing.userName, note: 'linked to the existing SCIM user with this userName (attributes written, user active)' };
  }

  async update(operation: ProvisioningOperation, options: CallOptions): Promise<ProvisioningResult> {
    const remoteId = operation.remoteId;
    if (!remoteId) throw new ValidationError('update without a remote id');
    const changes = updateChanges(operation);
    if (changes.length === 0) return { outcome: 'unchanged', remoteId, note: 'no changed attribute maps to a SCIM attribute' };
    if (!(await this.modify(remoteId, changes, options, true))) {
      throw new UpstreamRejectedError(`The SCIM user ${remoteId} no longer exists on the target (404); it was deleted there`, { status: 404, remoteCode: 'HTTP_404' });
    }
    return { outcome: 'updated', remoteId };
  }

  async deprovision(operation: ProvisioningOperation, options: CallOptions): Promise<ProvisioningResult> {
    let remoteId = operation.remoteId;
    if (!remoteId) {
      const userName = String(buildUserResource(operation.allAttributes, { defaultUserName: operation.username }).resource.userName);
      const features = await this.spc.get(options);
      const found = features.filter ? await this.findByUserName(userName, options) : undefined;
      if (!found) return { outcome: 'unchanged', note: 'no SCIM user to deprovision' };
      // Found by name, not by a stored id: it may be another local user's account.
      await options.assertLinkable?.({ remoteId: found.id, remoteName: found.userName });
      remoteId = found.id;
    }
    if (this.config.deprovision === 'DELETE') {
      const response = await this.client.send({ method: 'DELETE', url: this.userUrl(remoteId), accept: [404] }, options);
      if (response.status === 404) return { outcome: 'unchanged', remoteId, note: 'the SCIM user was already deleted' };
      return { outcome: 'deprovisioned', remoteId, note: 'deleted' };
    }
    if (!(await this.modify(remoteId, [{ path: 'active', value: false }], options, true))) {
      return { outcome: 'unchanged', remoteId, note: 'the SCIM user no longer exists on the target' };
    }
    return { outcome: 'deprovisioned', remoteId };
  }

  /** PATCH replace (or GET + PUT) of a list of changes. */
  async modify(id: string, changes: readonly ScimChange[], options: CallOptions, missingOk = false): Promise<boolean> {
    const features = await this.spc.get(options);
    return writeResource(this.client, features, this.userUrl(id), { patch: patchBody(changes), apply: (current) => applyChanges(current, changes) }, options, missingOk);
  }

  /** `filter=userName eq "x"`; only an exact (case-insensitive) match counts, so a target that ignores filters cannot cause a wrong link. */
  async findByUserName(userName: string, options: CallOptions): Promise<FoundUser | undefined> {
    const filter = `userName eq ${filterString(userName)}`;
    const response = await this.client.send({ method: 'GET', url: `${this.config.usersUrl}?filter=${encodeURIComponent(filter)}`, accept: SEARCH_REFUSED }, options);
    const found = matching(response.body, 'userName', userName)[0];
    const id = idOf(found);
    return found && id ? { id, userName: found.userName as string } : undefined;
  }
}
