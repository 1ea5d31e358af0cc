import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { validateIdpClaimConfig } from '@provisioning/claims';
import type { IdpClaimConfig } from '@provisioning/claims';
import type { ZodError } from 'zod';
import { withDefaults } from '@provisioning/connector-kit';
import type { ConnectorDefinition } from '@provisioning/connector-kit';
import { ConflictError, NotFoundError, ValidationError } from '@provisioning/errors';
import { DATABASE, readJson } from '@provisioning/persistence';
import type { Database, DatabaseHandle, IdentityProviderTable, IdpConnectorTable } from '@provisioning/persistence';
import type { EgressPolicy } from '@provisioning/egress';
import { parseCertificate } from './certificates';
import { assertEndpointsAllowed, assertSecretsResent } from './connector-endpoints';
import type { ConnectorRegistry } from './connector-registry';
import { identityProviderInputSchema, connectorInputSchema } from './identity-provider';
import type { ConnectorConfiguration, ConnectorInput, IdentityProvider, IdentityProviderInput } from './identity-provider';
import type { SecretBox } from './secret-box';
import { CONNECTOR_REGISTRY, EGRESS_POLICY, SECRET_BOX } from './tokens';
import { zodToValidationError } from './zod-errors';

type Db = Kysely<Database> | Transaction<Database>;

/** The IdP's `config` JSON column: every field of the entity that has no column of its own. */
type StoredIdpConfig = Pick<
  IdentityProvider,
  'image' | 'isPrimary' | 'isFederationHub' | 'homeRealmIdentifier' | 'alias' | 'certificates' | 'claims' | 'roles' | 'jit' | 'defaultConnectorType'
>;

/**
 * Identity providers and their outbound connector configurations: validation, storage, and the
 * encryption of confidential connector properties. Changing a connector configuration never touches
 * the stored remote ids of provisioned users (WSO2 deleted them).
 */
@injectable()
export class IdentityProviderService {
  readonly #hydrated = new Map<string, IdentityProvider>();

  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(CONNECTOR_REGISTRY) private readonly registry: ConnectorRegistry,
    @inject(SECRET_BOX) private readonly secretBox: SecretBox,
    @inject(EGRESS_POLICY) private readonly egress: EgressPolicy,
  ) {}

  async create(tenant: string, body: unknown): Promise<IdentityProvider> {
    const input = parseInput(body);
    const now = Date.now();
    const id = randomUUID();
    const config = this.buildConfig(input, undefined);
    await this.database.db.transaction().execute(async (trx) => {
      await this.assertNameFree(trx, tenant, input.name);
      await trx
        .insertInto('identity_providers')
        .values({
          id,
          tenant,
          name: input.name,
          name_key: input.name.toLowerCase(),
          description: input.description ?? '',
          enabled: input.isEnabled === false ? 0 : 1,
          config: JSON.stringify(config),
          created_at: now,
          updated_at: now,
        })
        .execute();
      await this.writeConnectors(trx, tenant, id, input.provisioning?.outboundConnectors?.connectors ?? [], [], true);
    });
    return this.get(tenant, id);
  }

  async list(tenant: string): Promise<IdentityProvider[]> {
    const rows = await this.database.db.selectFrom('identity_providers').selectAll().where('tenant', '=', tenant).orderBy('name_key').execute();
    return Promise.all(rows.map((row) => this.cached(this.database.db, row)));
  }

  async get(tenant: string, id: string, db: Db = this.database.db): Promise<IdentityProvider> {
    const row = await db.selectFrom('identity_providers').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`Identity provider ${id} does not exist`, { code: 'IDP-60002' });
    return this.cached(db, row);
  }

  async findByName(tenant: string, name: string, db: Db = this.database.db): Promise<IdentityProvider | undefined> {
    const row = await db
      .selectFrom('identity_providers')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('name_key', '=', name.toLowerCase())
      .executeTakeFirst();
    return row ? this.cached(db, row) : undefined;
  }

  /** PUT: replaces the IdP; connectors given in the body replace the stored ones, keeping omitted secrets. */
  async replace(tenant: string, id: string, body: unknown): Promise<IdentityProvider> {
    const input = parseInput(body);
    await this.database.db.transaction().execute(async (trx) => {
      const current = await this.get(tenant, id, trx);
      if (current.name.toLowerCase() !== input.name.toLowerCase()) await this.assertNameFree(trx, tenant, input.name);
      const config = this.buildConfig(input, current);
      await trx
        .updateTable('identity_providers')
        .set({
          name: input.name,
          name_key: input.name.toLowerCase(),
          description: input.description ?? '',
          enabled: input.isEnabled === false ? 0 : 1,
          config: JSON.stringify(config),
          updated_at: Math.max(Date.now(), current.updatedAt + 1),
        })
        .where('id', '=', id)
        .execute();
      const connectors = input.provisioning?.outboundConnectors?.connectors;
      if (connectors) await this.writeConnectors(trx, tenant, id, connectors, current.connectors, true);
      // A disabled IdP is forgotten by automatic runs: enabling it again starts a target-added run.
      if (input.isEnabled === false) await trx.deleteFrom('target_sync_state').where('idp_id', '=', id).execute();
      if (current.name !== input.name) await this.renameInResidentConfig(trx, tenant, current.name, input.name);
    });
    return this.get(tenant, id);
  }

  /**
   * What the IdP would be after `PUT .../{id}` with this body (validated as the PUT validates it),
   * without saving anything: its claim configuration and roles as proposed, its connectors as they
   * are. For impact previews.
   */
  async proposed(tenant: string, id: string, body: unknown): Promise<IdentityProvider> {
    const current = await this.get(tenant, id);
    const config = this.buildConfig(parseInput(body), current);
    return { ...current, claims: config.claims, roles: config.roles };
  }

  /**
   * A local role (group) was renamed: IdP provisioning roles and role mappings name roles, so they
   * follow in the same transaction (otherwise a rename would deprovision every member).
   */
  async renameLocalRole(trx: Db, tenant: string, from: string, to: string): Promise<void> {
    const rows = await trx.selectFrom('identity_providers').selectAll().where('tenant', '=', tenant).execute();
    for (const row of rows) {
      const config = readJson<StoredIdpConfig>(row.config, 'identity_providers.config')!;
      const same = (role: string) => role.toLowerCase() === from.toLowerCase();
      const roles = config.roles.outboundProvisioningRoles.map((r) => (same(r) ? to : r));
      const mappings = config.roles.mappings.map((m) => (same(m.localRole) ? { ...m, localRole: to } : m));
      if (JSON.stringify(roles) === JSON.stringify(config.roles.outboundProvisioningRoles) && JSON.stringify(mappings) === JSON.stringify(config.roles.mappings)) continue;
      const next: StoredIdpConfig = { ...config, roles: { outboundProvisioningRoles: roles, mappings } };
      await trx
        .updateTable('identity_providers')
        .set({ config: JSON.stringify(next), updated_at: Math.max(Date.now(), row.updated_at + 1) })
        .where('id', '=', row.id)
        .execute();
    }
  }

  /**
   * The resident service provider names IdPs (WSO2's shape); a rename follows into it in the same
   * transaction, so provisioning does not silently stop.
   */
  private async renameInResidentConfig(trx: Db, tenant: string, from: string, to: string): Promise<void> {
    const row = await trx.selectFrom('resident_service_providers').select('config').where('tenant', '=', tenant).executeTakeFirst();
    if (!row) return;
    const config = readJson<{ outboundProvisioningIdps?: Array<{ idp: string }> }>(row.config, 'resident_service_providers.config') ?? {};
    let changed = false;
    for (const target of config.outboundProvisioningIdps ?? []) {
      if (target.idp.toLowerCase() === from.toLowerCase()) {
        target.idp = to;
        changed = true;
      }
    }
    if (changed) {
      await trx.updateTable('resident_service_providers').set({ config: JSON.stringify(config), updated_at: Date.now() }).where('tenant', '=', tenant).execute();
    }
  }

  /** WSO2's PATCH: `[{operation: "REPLACE"|"ADD"|"REMOVE", path: "/description", value}]` on simple top-level fields. */
  async patch(tenant: string, id: string, body: unknown): Promise<IdentityProvider> {
    if (!Array.isArray(body)) throw new ValidationError('PATCH body must be an array of {operation, path, value}', { code: 'IDP-60001' });
    const current = await this.get(tenant, id);
    const next: Record<string, unknown> = {
      name: current.name,
      description: current.description,
      image: current.image,
      isEnabled: current.isEnabled,
      isPrimary: current.isPrimary,
      isFederationHub: current.isFederationHub,
      homeRealmIdentifier: current.homeRealmIdentifier,
      alias: current.alias,
    };
    const allowed = new Set(Object.keys(next));
    for (const [i, op] of body.entries()) {
      const { operation, path, value } = (op ?? {}) as { operation?: string; path?: string; value?: unknown };
      const field = typeof path === 'string' ? path.replace(/^\//, '') : '';
      if (!allowed.has(field)) {
        throw new ValidationError(`PATCH operation ${i}: path "${path}" is not patchable; use one of /${[...allowed].join(', /')}`, { code: 'IDP-60001' });
      }
      const kind = String(operation ?? '').toUpperCase();
      if (kind === 'REPLACE' || kind === 'ADD') next[field] = value;
      else if (kind === 'REMOVE') next[field] = undefined;
      else throw new ValidationError(`PATCH operation ${i}: operation "${operation}" must be ADD, REPLACE or REMOVE`, { code: 'IDP-60001' });
    }
    const merged = { ...this.toInputShape(current), ...next };
    return this.replace(tenant, id, merged);
  }

  async delete(tenant: string, id: string, inUse: (idpName: string) => Promise<boolean>): Promise<void> {
    const current = await this.get(tenant, id);
    if (await inUse(current.name)) {
      throw new ConflictError(`Identity provider "${current.name}" is used by the resident service provider's outbound provisioning`, {
        code: 'IDP-60005',
        description: 'Remove it from /api/server/v1/applications/resident first.',
      });
    }
    await this.database.db.deleteFrom('identity_providers').where('tenant', '=', tenant).where('id', '=', id).execute();
  }

  /** PUT outbound-connectors: replaces the list. */
  async replaceConnectors(tenant: string, id: string, body: unknown): Promise<IdentityProvider> {
    const raw = body as { connectors?: unknown; defaultConnectorId?: unknown } | unknown[] | null;
    const list = Array.isArray(raw) ? raw : (raw?.connectors ?? []);
    const parsed = zodParse(connectorInputSchema.array(), list, 'connectors');
    await this.database.db.transaction().execute(async (trx) => {
      const current = await this.get(tenant, id, trx);
      await this.writeConnectors(trx, tenant, id, parsed, current.connectors, true);
      await trx.updateTable('identity_providers').set({ updated_at: Math.max(Date.now(), current.updatedAt + 1) }).where('id', '=', id).execute();
    });
    return this.get(tenant, id);
  }

  /** PUT outbound-connectors/{connectorId}: creates or replaces one connector configuration. */
  async replaceConnector(tenant: string, id: string, connectorId: string, body: unknown): Promise<ConnectorConfiguration> {
    const parsed = zodParse(connectorInputSchema.partial({ connectorId: true }), body, 'connector');
    const definition = this.registry.get(connectorId);
    await this.database.db.transaction().execute(async (trx) => {
      const current = await this.get(tenant, id, trx);
      await this.writeConnectors(trx, tenant, id, [{ ...parsed, connectorId: definition.manifest.connectorId }], current.connectors, false);
      await trx.updateTable('identity_providers').set({ updated_at: Math.max(Date.now(), current.updatedAt + 1) }).where('id', '=', id).execute();
    });
    return this.getConnector(tenant, id, connectorId);
  }

  async getConnector(tenant: string, id: string, connectorId: string): Promise<ConnectorConfiguration> {
    const idp = await this.get(tenant, id);
    const definition = this.registry.get(connectorId);
    const found = idp.connectors.find((c) => c.connectorType === definition.manifest.type);
    if (!found) throw new NotFoundError(`Identity provider "${idp.name}" has no ${definition.manifest.displayName} connector`, { code: 'IDP-60003' });
    return found;
  }

  /** The definition of a stored connector type (for manifests when rendering). */
  definitionOf(connectorType: string): ConnectorDefinition {
    return this.registry.get(connectorType);
  }

  private async assertNameFree(trx: Db, tenant: string, name: string): Promise<void> {
    const existing = await trx
      .selectFrom('identity_providers')
      .select('id')
      .where('tenant', '=', tenant)
      .where('name_key', '=', name.toLowerCase())
      .executeTakeFirst();
    if (existing) throw new ConflictError(`An identity provider named "${name}" already exists`, { code: 'IDP-60004' });
  }

  private buildConfig(input: IdentityProviderInput, current: IdentityProvider | undefined): StoredIdpConfig {
    const certificates = (input.certificate?.certificates ?? current?.certificates ?? []).map((c, i) => parseCertificate(c, i).pem);
    const claims = input.claims === undefined ? (current?.claims ?? emptyClaims()) : validateIdpClaimConfig(input.claims);
    const defaultId = input.provisioning?.outboundConnectors?.defaultConnectorId;
    return {
      image: input.image,
      isPrimary: input.isPrimary ?? false,
      isFederationHub: input.isFederationHub ?? false,
      homeRealmIdentifier: input.homeRealmIdentifier ?? '',
      alias: input.alias,
      certificates,
      claims,
      roles: {
        mappings: input.roles?.mappings ?? current?.roles.mappings ?? [],
        outboundProvisioningRoles: input.roles?.outboundProvisioningRoles ?? current?.roles.outboundProvisioningRoles ?? [],
      },
      jit: { isEnabled: input.provisioning?.jit?.isEnabled ?? current?.jit.isEnabled ?? false },
      defaultConnectorType: defaultId ? this.registry.get(defaultId).manifest.type : current?.defaultConnectorType,
    };
  }

  /**
   * Validates and stores connector configurations. Confidential properties are sealed; one omitted from
   * the input keeps its stored value, unless the request moves an endpoint (then every stored secret
   * must be sent again). Endpoints must satisfy the egress policy. Enabled connectors must form a
   * complete valid configuration.
   */
  private async writeConnectors(
    trx: Db,
    tenant: string,
    idpId: string,
    inputs: ConnectorInput[],
    current: ConnectorConfiguration[],
    replaceAll: boolean,
  ): Promise<void> {
    const seen = new Set<string>();
    const rows: IdpConnectorTable[] = [];
    for (const input of inputs) {
      const definition = this.registry.get(input.connectorId);
      const { manifest } = definition;
      if (seen.has(manifest.type)) throw new ValidationError(`connector ${input.connectorId} is listed twice`, { code: 'IDP-60001' });
      seen.add(manifest.type);
      const previous = current.find((c) => c.connectorType === manifest.type);
      const merged: Record<string, string> = {};
      const given = new Map((input.properties ?? []).map((p) => [p.key, p.value] as const));
      for (const descriptor of manifest.properties) {
        const value = given.get(descriptor.key);
        if (value !== undefined && value !== '') merged[descriptor.key] = value;
        else if (descriptor.isConfidential && previous?.properties[descriptor.key] !== undefined) {
          // Write-only: a request that leaves a secret out (responses never show it) keeps the stored one.
          merged[descriptor.key] = previous.properties[descriptor.key]!;
        }
      }
      for (const key of given.keys()) if (!manifest.properties.some((p) => p.key === key)) merged[key] = given.get(key) ?? '';
      assertSecretsResent(manifest, previous, merged, given);
      assertEndpointsAllowed(manifest, merged, this.egress);
      const isEnabled = input.isEnabled ?? previous?.isEnabled ?? false;
      if (isEnabled) definition.parseConfig(merged);
      else withDefaults(manifest, merged);
      const publicProps: Record<string, string> = {};
      const secretProps: Record<string, string> = {};
      for (const [key, value] of Object.entries(merged)) {
        const confidential = manifest.properties.find((p) => p.key === key)?.isConfidential ?? false;
        (confidential ? secretProps : publicProps)[key] = value;
      }
      rows.push({
        idp_id: idpId,
        tenant,
        connector_type: manifest.type,
        enabled: isEnabled ? 1 : 0,
        is_default: (input.isDefault ?? previous?.isDefault ?? false) ? 1 : 0,
        blocking: (input.blockingEnabled ?? previous?.blockingEnabled ?? false) ? 1 : 0,
        rules: (input.rulesEnabled ?? previous?.rulesEnabled ?? false) ? 1 : 0,
        properties: JSON.stringify(publicProps),
        secrets: Object.keys(secretProps).length > 0 ? this.secretBox.seal(JSON.stringify(secretProps)) : null,
        // A connector instance (and its OAuth token) is reused while its configuration is unchanged.
        // Monotonic across remove and re-add too (a time-based floor), so a cached instance built from an
        // older configuration is never taken for the new one.
        revision: previous && sameConfiguration(previous, merged, isEnabled, input) ? previous.revision : Math.max((previous?.revision ?? 0) + 1, Date.now()),
        updated_at: Date.now(),
      });
    }
    // A connector turned off (or removed) is forgotten by automatic runs at once, so turning it on
    // again starts a target-added run however soon it comes (RunTriggers, target_sync_state).
    // ('' keeps the lists non-empty: no connector type is empty.)
    const forget = trx.deleteFrom('target_sync_state').where('idp_id', '=', idpId);
    if (replaceAll) await forget.where('connector_type', 'not in', ['', ...rows.filter((row) => row.enabled === 1).map((row) => row.connector_type)]).execute();
    else await forget.where('connector_type', 'in', ['', ...rows.filter((row) => row.enabled === 0).map((row) => row.connector_type)]).execute();
    if (replaceAll) {
      await trx.deleteFrom('idp_connectors').where('idp_id', '=', idpId).execute();
    } else {
      for (const row of rows) {
        await trx.deleteFrom('idp_connectors').where('idp_id', '=', idpId).where('connector_type', '=', row.connector_type).execute();
      }
    }
    for (const row of rows) await trx.insertInto('idp_connectors').values(row).execute();
  }

  /**
   * Hydration (connectors, decryption) is cached per row version: every write bumps the IdP's
   * `updated_at` strictly, so a cached entry is never stale, on this instance or another.
   */
  private async cached(db: Db, row: Selectable<IdentityProviderTable>): Promise<IdentityProvider> {
    const key = `${row.id}:${row.updated_at}`;
    const hit = this.#hydrated.get(key);
    if (hit) return hit;
    const idp = await this.hydrate(db, row);
    if (this.#hydrated.size > 1000) this.#hydrated.clear();
    this.#hydrated.set(key, idp);
    return idp;
  }

  private async hydrate(db: Db, row: Selectable<IdentityProviderTable>): Promise<IdentityProvider> {
    const config = readJson<StoredIdpConfig>(row.config, 'identity_providers.config')!;
    const connectorRows = await db.selectFrom('idp_connectors').selectAll().where('idp_id', '=', row.id).orderBy('connector_type').execute();
    return {
      id: row.id,
      tenant: row.tenant,
      name: row.name,
      description: row.description,
      isEnabled: row.enabled === 1,
      image: config.image,
      isPrimary: config.isPrimary,
      isFederationHub: config.isFederationHub,
      homeRealmIdentifier: config.homeRealmIdentifier,
      alias: config.alias,
      certificates: config.certificates,
      claims: config.claims,
      roles: config.roles,
      jit: config.jit,
      defaultConnectorType: config.defaultConnectorType,
      connectors: connectorRows.map((c) => this.hydrateConnector(c)),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private hydrateConnector(row: Selectable<IdpConnectorTable>): ConnectorConfiguration {
    const publicProps = readJson<Record<string, string>>(row.properties, 'idp_connectors.properties') ?? {};
    const secretProps = row.secrets ? (JSON.parse(this.secretBox.open(row.secrets)) as Record<string, string>) : {};
    const definition = this.registry.find(row.connector_type);
    return {
      connectorType: row.connector_type,
      connectorId: definition?.manifest.connectorId ?? Buffer.from(row.connector_type).toString('base64url'),
      isEnabled: row.enabled === 1,
      isDefault: row.is_default === 1,
      blockingEnabled: row.blocking === 1,
      rulesEnabled: row.rules === 1,
      properties: { ...publicProps, ...secretProps },
      confidentialKeys: Object.keys(secretProps),
      revision: row.revision,
    };
  }

  private toInputShape(idp: IdentityProvider): Record<string, unknown> {
    return {
      name: idp.name,
      certificate: { certificates: idp.certificates },
      claims: idp.claims,
      roles: idp.roles,
      provisioning: { jit: idp.jit },
    };
  }
}

function sameConfiguration(previous: ConnectorConfiguration, properties: Record<string, string>, isEnabled: boolean, input: ConnectorInput): boolean {
  const keys = new Set([...Object.keys(previous.properties), ...Object.keys(properties)]);
  return (
    previous.isEnabled === isEnabled &&
    previous.isDefault === (input.isDefault ?? previous.isDefault) &&
    previous.blockingEnabled === (input.blockingEnabled ?? previous.blockingEnabled) &&
    previous.rulesEnabled === (input.rulesEnabled ?? previous.rulesEnabled) &&
    [...keys].every((k) => previous.properties[k] === properties[k])
  );
}

function emptyClaims(): IdpClaimConfig {
  return { mappings: [], provisioningClaims: [] };
}

function parseInput(body: unknown): IdentityProviderInput {
  return zodParse(identityProviderInputSchema, body, 'identity provider');
}

function zodParse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } }, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) throw zodToValidationError(result.error, what);
  return result.data;
}
