import { computeOutboundAttributes } from '@provisioning/claims';
import type { ClaimValue, GroupProvisioningOperation, OperationKind, OutboundAttribute, ProvisioningOperation } from '@provisioning/connector-kit';
import type { IdentityProvider, RoleMapping } from './identity-provider';
import type { GroupJobPayload, JobOperation, JobState } from './jobs';
import { valuesOf } from './jobs';
import type { LocalClaims } from './jobs';
import { ROLE_CLAIM } from './outbox';

/**
 * IdP role mappings (local role -> IdP role) without a `field`: with any mappings, the role claim
 * carries the mapped IdP roles of the user's local roles, and unmapped local roles are not sent;
 * without mappings, roles pass as they are. Mappings naming a field feed that field only
 * ({@link withEntitlements}).
 */
export function mapRoles(claims: LocalClaims, mappings: readonly RoleMapping[]): LocalClaims {
  const roles = claims[ROLE_CLAIM];
  if (mappings.length === 0 || roles === undefined) return claims;
  const mapped = givenRoles(roles, mappings.filter((m) => m.field === undefined));
  const { [ROLE_CLAIM]: _dropped, ...next } = claims;
  return mapped.length > 0 ? { ...next, [ROLE_CLAIM]: mapped } : next;
}

/** The IdP roles these mappings give a holder of `roles`, in mapping order (the first is the preferred one for single-valued fields). */
function givenRoles(roles: ClaimValue | undefined, mappings: readonly RoleMapping[]): string[] {
  const held = new Set(valuesOf(roles).map((r) => r.trim().toLowerCase()));
  return [...new Set(mappings.filter((m) => held.has(m.localRole.trim().toLowerCase())).map((m) => m.idpRole))];
}

/**
 * The IdP fields that role mappings name, each with every IdP role the mappings can give it (its
 * managed values), in mapping order.
 */
export function entitlementFields(mappings: readonly RoleMapping[]): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const m of mappings) {
    if (m.field === undefined) continue;
    const values = fields.get(m.field) ?? [];
    if (!values.includes(m.idpRole)) values.push(m.idpRole);
    fields.set(m.field, values);
  }
  return fields;
}

/**
 * Adds the entitlement lists of role mappings that name a field: each such field carries the IdP
 * roles the user's local roles give it (before any value the role claim's mapping gives the same
 * field), with `managedValues` so that a connector can remove the ones no longer given. A user given
 * none gets the field's provisioning default if it has one, else an empty list: "none of them".
 */
export function withEntitlements(attributes: readonly OutboundAttribute[], roles: ClaimValue | undefined, idp: Pick<IdentityProvider, 'claims' | 'roles'>): OutboundAttribute[] {
  const fields = entitlementFields(idp.roles.mappings);
  if (fields.size === 0) return [...attributes];
  const out = [...attributes];
  for (const [field, values] of fields) {
    const given = givenRoles(roles, idp.roles.mappings.filter((m) => m.field === field));
    const at = out.findIndex((a) => a.name === field);
    const existing = at >= 0 ? out[at] : undefined;
    const managedValues = existing?.source === 'default' ? [...new Set([...values, ...valuesOf(existing.value)])] : values;
    let next: OutboundAttribute;
    if (existing?.source === 'user') next = { ...existing, value: [...new Set([...given, ...valuesOf(existing.value)])], managedValues };
    else if (given.length > 0 || !existing) next = { name: field, value: given, source: 'user', localClaim: ROLE_CLAIM, managedValues };
    else next = { ...existing, managedValues };
    if (at >= 0) out[at] = next;
    else out.push(next);
  }
  return out;
}

/** What a user operation is built from: a job, or (for a preview) a would-be create. */
export interface UserOperationInput {
  operation: JobOperation;
  localId: string;
  username: string;
  tenant: string;
  /** Local claims after the change. */
  claims: LocalClaims;
  /** For updates: the local claims that changed. */
  changedClaims?: readonly string[];
  /** Send every attribute although this is an update (the previous attempt's outcome is unknown, or a run repairs drift). */
  resendAll?: boolean;
  /** An update that also makes the remote account active again (a run found it deactivated remotely). */
  reactivate?: boolean;
}

/**
 * The operation a connector receives, built the same way for delivery and for preview: role
 * mappings applied, claims mapped to remote attributes with the IdP's claim dialect and
 * provisioning defaults, an update of a user with no remote account turned into a create, and an
 * update sending only what changed (or everything, after an attempt whose outcome is unknown: a
 * late-landing older PATCH is then repaired by this one instead of leaving stale fields).
 */
export function buildUserOperation(input: UserOperationInput, idp: Pick<IdentityProvider, 'claims' | 'roles'>, remoteId: string | undefined): ProvisioningOperation {
  const claims = mapRoles(input.claims, idp.roles.mappings);
  const roles = input.claims[ROLE_CLAIM];
  const allAttributes = withEntitlements(computeOutboundAttributes(claims, idp.claims), roles, idp);
  let kind: OperationKind = input.operation;
  if (kind === 'update' && !remoteId) kind = 'create';
  let attributes = allAttributes;
  if (kind === 'update' && !input.resendAll) {
    const changed = new Set(input.changedClaims ?? []);
    const changedAttributes = computeOutboundAttributes(claims, idp.claims, { onlyChangedLocalClaims: changed });
    // A role change resends the whole entitlement list of each field role mappings name.
    const fields = changed.has(ROLE_CLAIM) ? entitlementFields(idp.roles.mappings) : new Map<string, string[]>();
    attributes = [...changedAttributes.filter((a) => !fields.has(a.name)), ...allAttributes.filter((a) => fields.has(a.name))];
  } else if (kind === 'deprovision') {
    attributes = [];
  }
  return {
    kind,
    entityType: 'USER',
    localId: input.localId,
    username: input.username,
    tenantDomain: input.tenant,
    attributes,
    allAttributes,
    ...(remoteId ? { remoteId } : {}),
    ...(kind === 'update' && input.reactivate ? { reactivate: true } : {}),
  };
}

/** What the store knows about a group's members on one target when its job is delivered. */
export interface GroupMemberFacts {
  /** Remote ids of members provisioned there. */
  provisioned: ReadonlyMap<string, string>;
  /** Remote ids of members there in any state (a removed member may be deprovisioned already). */
  known: ReadonlyMap<string, string>;
  /** Members whose own job for this target is still open. */
  pending: ReadonlySet<string>;
  /** The state of this group's previous job for this target, if any. */
  previousState?: JobState;
}

/** A group operation, or the news that it must wait for members' own creates. */
export type GroupBuild = { kind: 'operation'; operation: GroupProvisioningOperation } | { kind: 'waiting-for-members'; members: string[] };

/**
 * A group operation with its members' remote ids on this target. A member not yet provisioned whose
 * own job is still open makes it wait, so membership never refers to a missing account; members
 * not provisioned there (e.g. outside provisioning roles) are left out. Group jobs carry deltas;
 * after a lost delta (an earlier job of the group failed or was discarded, or this one's outcome is
 * unknown) the remote membership is replaced as a whole.
 */
export function buildGroupOperation(
  job: { operation: JobOperation; localId: string; tenant: string; group: GroupJobPayload; outcomeUnknown: boolean },
  facts: GroupMemberFacts,
  remoteId: string | undefined,
): GroupBuild {
  const { group } = job;
  const waiting = group.members.filter((m) => !facts.provisioned.has(m.localId) && facts.pending.has(m.localId)).map((m) => m.localId);
  if (waiting.length > 0) return { kind: 'waiting-for-members', members: waiting };
  const withRemote = (list: ReadonlyArray<{ localId: string; username: string }>, ids: ReadonlyMap<string, string> = facts.provisioned) =>
    list.filter((m) => ids.has(m.localId)).map((m) => ({ localId: m.localId, username: m.username, remoteId: ids.get(m.localId) }));
  const resync = job.outcomeUnknown || facts.previousState === 'failed' || facts.previousState === 'discarded';
  let kind: GroupProvisioningOperation['kind'] = job.operation === 'deprovision' ? 'delete' : job.operation;
  if (kind === 'update' && !remoteId) kind = 'create';
  if (kind === 'create' && remoteId) kind = 'update';
  return {
    kind: 'operation',
    operation: {
      kind,
      entityType: 'GROUP',
      localId: job.localId,
      displayName: group.displayName,
      tenantDomain: job.tenant,
      members: withRemote(group.members),
      addedMembers: withRemote(resync ? group.members : group.added),
      removedMembers: withRemote(group.removed, facts.known),
      ...(resync ? { replaceMembers: true } : {}),
      ...(remoteId ? { remoteId } : {}),
    },
  };
}
