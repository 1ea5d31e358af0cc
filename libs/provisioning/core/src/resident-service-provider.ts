import { inject, injectable } from 'inversify';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { ValidationError } from '@provisioning/errors';
import { DATABASE, readJson } from '@provisioning/persistence';
import type { Database, DatabaseHandle } from '@provisioning/persistence';
import type { ConnectorDefinition } from '@provisioning/connector-kit';
import type { ConnectorRegistry } from './connector-registry';
import type { ConnectorConfiguration, IdentityProvider } from './identity-provider';
import { IdentityProviderService } from './identity-provider-service';
import { CONNECTOR_REGISTRY } from './tokens';
import { zodToValidationError } from './zod-errors';

type Db = Kysely<Database> | Transaction<Database>;

/** One target of the resident service provider's outbound provisioning. */
export interface OutboundProvisioningTarget {
  idp: string;
  /** Connector type (`salesforce`); a connector id (`c2FsZXNmb3JjZQ`) is accepted on input. */
  connector: string;
  blocking: boolean;
  rules: boolean;
  jit: boolean;
}

export interface ResidentProvisioningConfig {
  outboundProvisioningIdps: OutboundProvisioningTarget[];
}

/** A target that receives changes now: named by the resident SP, IdP and connector both enabled. */
export interface EnabledTarget {
  target: OutboundProvisioningTarget;
  idp: IdentityProvider;
  connector: ConnectorConfiguration;
  definition: ConnectorDefinition;
}

const targetSchema = z.object({
  idp: z.string().min(1, { message: 'idp must name an identity provider' }),
  connector: z.string().min(1, { message: 'connector must name a connector type' }),
  blocking: z.boolean().optional().default(false),
  rules: z.boolean().optional().default(false),
  jit: z.boolean().optional().default(false),
});
const bodySchema = z.object({
  provisioningConfigurations: z
    .object({ outboundProvisioningIdps: z.array(targetSchema).optional().default([]) })
    .passthrough()
    .optional(),
}).passthrough();

/** The server's own outbound provisioning configuration: which IdP connectors receive local changes. */
@injectable()
export class ResidentServiceProviderService {
  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(IdentityProviderService) private readonly idps: IdentityProviderService,
    @inject(CONNECTOR_REGISTRY) private readonly registry: ConnectorRegistry,
  ) {}

  async get(tenant: string, db: Db = this.database.db): Promise<ResidentProvisioningConfig> {
    const row = await db.selectFrom('resident_service_providers').select('config').where('tenant', '=', tenant).executeTakeFirst();
    return row ? readJson<ResidentProvisioningConfig>(row.config, 'resident_service_providers.config')! : { outboundProvisioningIdps: [] };
  }

  /** Replaces the outbound targets; every IdP must exist and carry the named connector. */
  async put(tenant: string, body: unknown): Promise<ResidentProvisioningConfig> {
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) throw zodToValidationError(parsed.error, 'resident service provider');
    const targets = parsed.data.provisioningConfigurations?.outboundProvisioningIdps ?? [];
    const normalised: OutboundProvisioningTarget[] = [];
    const kept: string[] = [];
    for (const [i, target] of targets.entries()) {
      const idp = await this.idps.findByName(tenant, target.idp);
      if (!idp) {
        throw new ValidationError(`outboundProvisioningIdps[${i}].idp: no identity provider named "${target.idp}"`, { code: 'APP-60001' });
      }
      const definition = this.registry.find(target.connector);
      if (!definition) {
        throw new ValidationError(`outboundProvisioningIdps[${i}].connector: unknown connector "${target.connector}"`, { code: 'APP-60001' });
      }
      if (!idp.connectors.some((c) => c.connectorType === definition.manifest.type)) {
        throw new ValidationError(
          `outboundProvisioningIdps[${i}].connector: identity provider "${idp.name}" has no ${definition.manifest.displayName} connector configured`,
          { code: 'APP-60001' },
        );
      }
      if (normalised.some((t) => t.idp.toLowerCase() === idp.name.toLowerCase() && t.connector === definition.manifest.type)) {
        throw new ValidationError(`outboundProvisioningIdps[${i}]: "${idp.name}" / ${definition.manifest.type} is listed twice`, { code: 'APP-60001' });
      }
      normalised.push({ ...target, idp: idp.name, connector: definition.manifest.type });
      kept.push(`${idp.id}\u0000${definition.manifest.type}`);
    }
    const config: ResidentProvisioningConfig = { outboundProvisioningIdps: normalised };
    const now = Date.now();
    await this.database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('resident_service_providers')
        .values({ tenant, config: JSON.stringify(config), updated_at: now })
        .onConflict((oc) => oc.column('tenant').doUpdateSet({ config: JSON.stringify(config), updated_at: now }))
        .execute();
      // Targets taken off are forgotten by automatic runs at once, so putting one back starts a
      // target-added run however soon it comes (RunTriggers, target_sync_state).
      const states = await trx.selectFrom('target_sync_state').select(['idp_id', 'connector_type']).where('tenant', '=', tenant).execute();
      for (const state of states) {
        if (kept.includes(`${state.idp_id}\u0000${state.connector_type}`)) continue;
        await trx.deleteFrom('target_sync_state').where('idp_id', '=', state.idp_id).where('connector_type', '=', state.connector_type).execute();
      }
    });
    return config;
  }

  /**
   * The targets that receive a tenant's changes now, in the resident SP's order; targets whose IdP or
   * connector is missing or disabled are passed to `skipped` (the outbox logs them).
   */
  async enabledTargets(tenant: string, db: Db = this.database.db, skipped?: (target: OutboundProvisioningTarget) => void): Promise<EnabledTarget[]> {
    const config = await this.get(tenant, db);
    const out: EnabledTarget[] = [];
    for (const target of config.outboundProvisioningIdps) {
      const idp = await this.idps.findByName(tenant, target.idp, db);
      const connector = idp?.connectors.find((c) => c.connectorType === target.connector);
      const definition = connector ? this.registry.find(connector.connectorType) : undefined;
      if (!idp || !idp.isEnabled || !connector || !connector.isEnabled || !definition) {
        skipped?.(target);
        continue;
      }
      out.push({ target, idp, connector, definition });
    }
    return out;
  }

  /** Tenants that name at least one outbound target (scheduled reconciliation visits them). */
  async tenantsWithTargets(): Promise<string[]> {
    const rows = await this.database.db.selectFrom('resident_service_providers').select(['tenant', 'config']).execute();
    return rows.filter((r) => (readJson<ResidentProvisioningConfig>(r.config, 'resident_service_providers.config')?.outboundProvisioningIdps.length ?? 0) > 0).map((r) => r.tenant);
  }

  async usesIdp(tenant: string, idpName: string): Promise<boolean> {
    const config = await this.get(tenant);
    return config.outboundProvisioningIdps.some((t) => t.idp.toLowerCase() === idpName.toLowerCase());
  }
}
