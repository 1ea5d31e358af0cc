import type { OperationKind, OutboundAttribute, ProvisioningOperation } from '../operations';

/** Builds a provisioning operation for contract tests. */
export function sampleOperation(
  kind: OperationKind,
  attributes: Record<string, string>,
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
