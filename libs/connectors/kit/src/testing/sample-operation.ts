import type { GroupMember, GroupOperationKind, GroupProvisioningOperation } from '../group-operations';
import type { ClaimValue, OperationKind, OutboundAttribute, ProvisioningOperation } from '../operations';

/** Builds a user provisioning operation for contract and connector tests, as the engine would. */
export function sampleOperation(
  kind: OperationKind,
  attributes: Record<string, ClaimValue>,
  overrides: Partial<ProvisioningOperation> = {},
): ProvisioningOperation {
  const attrs: OutboundAttribute[] = Object.entries(attributes).map(([name, value]) => ({ name, value, source: 'user' }));
  return {
    kind,
    entityType: 'USER',
    localId: overrides.localId ?? 'contract-user-1',
    username: overrides.username ?? 'contract.user@example.com',
    tenantDomain: 'carbon.super',
    attributes: kind === 'deprovision' ? [] : attrs,
    allAttributes: attrs,
    ...overrides,
  };
}

/** Builds a group provisioning operation for contract and connector tests. */
export function sampleGroupOperation(
  kind: GroupOperationKind,
  displayName: string,
  overrides: Partial<GroupProvisioningOperation> = {},
): GroupProvisioningOperation {
  const members: GroupMember[] = overrides.members ?? [];
  return {
    kind,
    entityType: 'GROUP',
    localId: overrides.localId ?? 'contract-group-1',
    displayName,
    tenantDomain: 'carbon.super',
    members,
    addedMembers: kind === 'create' ? members : [],
    removedMembers: [],
    ...overrides,
  };
}
