import { inject, injectable } from 'inversify';
import type { Transaction } from 'kysely';
import type { Database } from '@provisioning/persistence';
import { ClusterSignals } from './cluster-signals';
import { JobStore } from './job-store';
import { valuesOf } from './jobs';
import type { GroupJobPayload, JobOperation, JobPayload, LocalClaims } from './jobs';
import { ResidentServiceProviderService } from './resident-service-provider';
import { CORE_LOGGER, PROVISIONING_SETTINGS } from './tokens';
import type { CoreLogger } from './logger';
import { isLocalOnly } from './settings';
import type { ProvisioningSettings } from './settings';

/** A committed local change of a user. */
export interface UserChange {
  tenant: string;
  userId: string;
  username: string;
  operation: 'create' | 'update' | 'delete';
  claims: LocalClaims;
  changedClaims?: string[];
  /** Claims before an update: decides role-based provisioning (entering or leaving a provisioning role). */
  previousClaims?: LocalClaims;
}

export const ROLE_CLAIM = 'http://wso2.org/claims/role';

function rolesOf(claims: LocalClaims | undefined): Set<string> {
  return new Set(
    valuesOf(claims?.[ROLE_CLAIM])
      .map((r) => r.trim().toLowerCase())
      .filter(Boolean),
  );
}

export const ACTIVE_CLAIM = 'http://wso2.org/claims/active';

/** A user whose SCIM `active` is false is not provisioned (deactivated remotely), as Entra ID and Okta do. */
function isActive(claims: LocalClaims | undefined): boolean {
  return claims?.[ACTIVE_CLAIM] !== 'false';
}

/**
 * What a change means for one target. A user "belongs" on a target while active and, when the IdP
 * names provisioning roles (WSO2's outbound provisioning roles), a member of one of them. Entering
 * creates (or relinks and reactivates) the remote account, leaving deprovisions it, staying updates.
 */
export function operationForTarget(change: UserChange, provisioningRoles: readonly string[]): JobOperation | undefined {
  const wanted = provisioningRoles.map((r) => r.toLowerCase());
  const belongs = (claims: LocalClaims | undefined) =>
    isActive(claims) && (wanted.length === 0 || wanted.some((r) => rolesOf(claims).has(r)));
  const now = belongs(change.claims);
  if (change.operation === 'create') return now ? 'create' : undefined;
  if (change.operation === 'delete') return wanted.length === 0 || now ? 'deprovision' : undefined;
  const before = belongs(change.previousClaims ?? change.claims);
  if (before && now) return 'update';
  if (!before && now) return 'create';
  if (before && !now) return 'deprovision';
  return undefined;
}

/** A committed change of a group (its user members are flattened through nested groups). */
export interface GroupChange {
  tenant: string;
  groupId: string;
  operation: 'create' | 'update' | 'delete';
  group: GroupJobPayload;
}

/** A job written for one target of a change. */
export interface EnqueuedJob {
  id: number;
  operation: JobOperation;
  idpName: string;
  connectorType: string;
  blocking: boolean;
}

/**
 * The transactional outbox: `record` must be called inside the same transaction as the local write,
 * so a change and its provisioning jobs commit together or not at all (WSO2 provisioned on pre-events,
 * before the local write was known to succeed). One job per target named by the resident service provider.
 */
@injectable()
export class ProvisioningOutbox {

  constructor(
    @inject(ResidentServiceProviderService) private readonly resident: ResidentServiceProviderService,
    @inject(JobStore) private readonly store: JobStore,
    @inject(ClusterSignals) private readonly signals: ClusterSignals,
    @inject(CORE_LOGGER) private readonly logger: CoreLogger,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
  ) {}

  async record(trx: Transaction<Database>, change: UserChange): Promise<EnqueuedJob[]> {
    if (isLocalOnly(this.settings, change.tenant, change.username)) return [];
    const payload: JobPayload = { claims: change.claims, ...(change.changedClaims ? { changedClaims: change.changedClaims } : {}) };
    const now = Date.now();
    const jobs: EnqueuedJob[] = [];
    const skipped = (target: { idp: string; connector: string }) =>
      this.logger.warn({ tenant: change.tenant, idp: target.idp, connector: target.connector }, 'outbound target skipped: identity provider or connector missing or disabled');
    for (const { target, idp, connector } of await this.resident.enabledTargets(change.tenant, trx, skipped)) {
      const operation = operationForTarget(change, idp.roles.outboundProvisioningRoles);
      if (!operation) continue;
      const id = await this.store.enqueue(trx, {
        tenant: change.tenant,
        entity_type: 'USER',
        entity_id: change.userId,
        entity_name: change.username,
        chain_key: change.username.toLowerCase(),
        operation,
        idp_id: idp.id,
        idp_name: idp.name,
        connector_type: connector.connectorType,
        payload: JSON.stringify(payload),
      }, now);
      jobs.push({ id, operation, idpName: idp.name, connectorType: connector.connectorType, blocking: target.blocking || connector.blockingEnabled });
    }
    return jobs;
  }

  /**
   * A committed group change, for every target whose connector declares group support (others never
   * receive group operations; their users still get role changes as user updates).
   */
  async recordGroup(trx: Transaction<Database>, change: GroupChange): Promise<EnqueuedJob[]> {
    const now = Date.now();
    const jobs: EnqueuedJob[] = [];
    for (const { idp, connector, definition } of await this.resident.enabledTargets(change.tenant, trx)) {
      if (!definition.manifest.capabilities.groups) continue;
      const payload: JobPayload = { claims: {}, group: change.group };
      const operation: JobOperation = change.operation === 'delete' ? 'deprovision' : change.operation;
      const id = await this.store.enqueue(trx, {
        tenant: change.tenant,
        entity_type: 'GROUP',
        entity_id: change.groupId,
        entity_name: change.group.displayName,
        chain_key: `group:${change.groupId}`,
        operation,
        idp_id: idp.id,
        idp_name: idp.name,
        connector_type: connector.connectorType,
        payload: JSON.stringify(payload),
      }, now);
      jobs.push({ id, operation, idpName: idp.name, connectorType: connector.connectorType, blocking: false });
    }
    return jobs;
  }

  /** Called by the host after the transaction commits, to wake the worker at once. */
  committed(): void {
    this.signals.newWork();
  }
}
