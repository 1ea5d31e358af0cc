import { inject, injectable } from 'inversify';
import type { ClaimValue, OutboundConnector } from '@provisioning/connector-kit';
import { ConnectorInstances } from './connector-instances';
import type { IdentityProvider } from './identity-provider';
import { IdentityProviderService } from './identity-provider-service';
import type { LocalUser, LocalUserSource } from './local-users';
import { buildUserOperation } from './operation-builder';
import { operationForTarget } from './outbox';
import { isLocalOnly } from './settings';
import type { ProvisioningSettings } from './settings';
import { LOCAL_USERS, PROVISIONING_SETTINGS } from './tokens';

const PAGE = 1000;
const MAX_SAMPLES = 100;

export interface ImpactSample {
  user: string;
  action: 'create' | 'update' | 'deprovision';
  fields: Array<{ field: string; from: ClaimValue | null; to: ClaimValue | null }>;
}

export interface Impact {
  usersInScope: number;
  creates: number;
  updates: number;
  deprovisions: number;
  sample: ImpactSample[];
}

/**
 * What an IdP change would do to its target (contract: "Impact of a configuration change"): for
 * every local user, whether it enters the target's scope (create), leaves it (deprovision) or stays
 * with a different account (update, with the fields that change). Computed from the current and
 * the proposed configuration with the same builder delivery uses, and, where the connector can
 * describe accounts, in the target's own terms; nothing is written anywhere.
 */
@injectable()
export class ImpactService {
  constructor(
    @inject(IdentityProviderService) private readonly idps: IdentityProviderService,
    @inject(ConnectorInstances) private readonly instances: ConnectorInstances,
    @inject(LOCAL_USERS) private readonly users: LocalUserSource,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
  ) {}

  async impact(tenant: string, idpId: string, body: unknown): Promise<Impact> {
    const current = await this.idps.get(tenant, idpId);
    const proposed = await this.idps.proposed(tenant, idpId, body);
    const connector = current.connectors.find((c) => c.connectorType === current.defaultConnectorType) ?? current.connectors[0];
    const instance = connector ? this.instances.get(current, connector) : undefined;
    const result: Impact = { usersInScope: 0, creates: 0, updates: 0, deprovisions: 0, sample: [] };
    let after: string | undefined;
    for (;;) {
      const page = await this.users.scan(tenant, after, PAGE);
      if (page.length === 0) break;
      after = page.at(-1)!.id;
      for (const user of page) if (!isLocalOnly(this.settings, tenant, user.username)) this.judge(tenant, user, current, proposed, instance, result);
    }
    return result;
  }

  private judge(tenant: string, user: LocalUser, current: IdentityProvider, proposed: IdentityProvider, instance: OutboundConnector | undefined, result: Impact): void {
    const inScope = (idp: IdentityProvider) =>
      operationForTarget({ tenant, userId: user.id, username: user.username, operation: 'create', claims: user.claims }, idp.roles.outboundProvisioningRoles) === 'create';
    const before = inScope(current);
    const now = inScope(proposed);
    if (now) result.usersInScope += 1;
    if (!before && !now) return;
    const account = (idp: IdentityProvider): Record<string, ClaimValue | null> => {
      const operation = buildUserOperation({ operation: 'create', localId: user.id, username: user.username, tenant, claims: user.claims }, idp, undefined);
      if (instance?.describeAccount) {
        try {
          return instance.describeAccount(operation).attributes;
        } catch {
          // The connector cannot describe it (e.g. no username): compare the mapped attributes.
        }
      }
      return Object.fromEntries(operation.allAttributes.map((a) => [a.name, a.value]));
    };
    const sample = (action: ImpactSample['action'], fields: ImpactSample['fields']) => {
      if (result.sample.length < MAX_SAMPLES) result.sample.push({ user: user.username, action, fields });
    };
    if (!before) {
      result.creates += 1;
      sample('create', Object.entries(account(proposed)).map(([field, to]) => ({ field, from: null, to })));
    } else if (!now) {
      result.deprovisions += 1;
      sample('deprovision', []);
    } else {
      const from = account(current);
      const to = account(proposed);
      const fields = [...new Set([...Object.keys(from), ...Object.keys(to)])]
        .filter((f) => JSON.stringify(unset(from[f])) !== JSON.stringify(unset(to[f])))
        .map((field) => ({ field, from: from[field] ?? null, to: to[field] ?? null }));
      if (fields.length === 0) return;
      result.updates += 1;
      sample('update', fields);
    }
  }
}

/** An absent value, null and an empty list all mean "nothing" (an entitlement list given no value). */
function unset(value: ClaimValue | null | undefined): ClaimValue | null {
  return value === undefined || (Array.isArray(value) && value.length === 0) ? null : value;
}
