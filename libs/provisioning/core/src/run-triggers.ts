import { createHash, randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { sql } from 'kysely';
import { DATABASE } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import type { IdentityProvider } from './identity-provider';
import type { CoreLogger } from './logger';
import { ResidentServiceProviderService } from './resident-service-provider';
import type { EnabledTarget } from './resident-service-provider';
import { RunStore } from './run-store';
import type { RunTrigger } from './runs';
import type { ProvisioningSettings } from './settings';
import { CORE_LOGGER, PROVISIONING_SETTINGS } from './tokens';

/** A full comparison at least this often, even when no configuration table seems to have changed. */
const FULL_CHECK_MS = 60_000;

/**
 * What decides what an IdP provisions, as a run would see it: claim mappings, provisioning defaults
 * (both in `claims`), provisioning roles and role mappings (`roles`).
 */
export function provisioningFingerprint(idp: Pick<IdentityProvider, 'claims' | 'roles'>): string {
  return createHash('sha256').update(JSON.stringify({ claims: idp.claims, roles: idp.roles })).digest('hex');
}

/**
 * Automatic reconciliation runs (contract "Reconciliation runs"): an applied run when a target is
 * added to the resident service provider or its IdP or connector is enabled (`target-added`), and
 * when its IdP's claim mappings, defaults, provisioning roles or role mappings change
 * (`config-changed`).
 *
 * Level-triggered, not event-driven: each check compares every enabled target with what
 * `target_sync_state` says was last seen of it (a fingerprint of its provisioning configuration).
 * So a change committed just before a crash is still acted on by the next check of any instance,
 * and a change made on one instance is seen by all. The state change and the run it starts commit in
 * one transaction, conditional on the state read (an insert that must not conflict, an update that
 * must find the old fingerprint), so of several instances checking at once exactly one starts the
 * run. A check is two aggregate queries unless a configuration table changed (or a minute passed).
 * With `[provisioning] automatic_runs = false` the state is kept all the same (no run is started),
 * so turning them on later does not take every target for a new one.
 */
@injectable()
export class RunTriggers {
  #marker = '';
  #lastFull = 0;

  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(ResidentServiceProviderService) private readonly resident: ResidentServiceProviderService,
    @inject(RunStore) private readonly runs: RunStore,
    @inject(CORE_LOGGER) private readonly logger: CoreLogger,
    @inject(PROVISIONING_SETTINGS) private readonly settings: ProvisioningSettings,
  ) {}

  /** Compares the targets with their last seen state and queues the runs the differences call for. */
  async check(now = Date.now()): Promise<void> {
    const marker = await this.marker();
    if (marker === this.#marker && now - this.#lastFull < FULL_CHECK_MS) return;
    const db = this.database.db;
    const rows = await db.selectFrom('target_sync_state').selectAll().execute();
    const states = new Map<string, (typeof rows)[number]>(rows.map((row) => [`${row.idp_id}\u0000${row.connector_type}`, row]));
    const enabled = new Set<string>();
    for (const tenant of await this.resident.tenantsWithTargets()) {
      for (const target of await this.resident.enabledTargets(tenant)) {
        const key = `${target.idp.id}\u0000${target.connector.connectorType}`;
        enabled.add(key);
        const state = states.get(key);
        const fingerprint = provisioningFingerprint(target.idp);
        if (!state) await this.trigger(target, 'target-added', null, fingerprint, now);
        else if (state.fingerprint === null) await this.adopt(target, fingerprint, now);
        else if (state.fingerprint !== fingerprint) await this.trigger(target, 'config-changed', state.fingerprint, fingerprint, now);
      }
    }
    // Targets removed or disabled: forgotten, so adding or enabling them again starts a run.
    for (const [key, state] of states) {
      if (enabled.has(key)) continue;
      await db
        .deleteFrom('target_sync_state')
        .where('idp_id', '=', state.idp_id)
        .where('connector_type', '=', state.connector_type)
        .where('updated_at', '=', state.updated_at)
        .execute();
    }
    this.#marker = marker;
    this.#lastFull = now;
  }

  /** Changes whenever an IdP or a resident service provider is created, changed or deleted. */
  private async marker(): Promise<string> {
    const { rows } = await sql<{ n: number; m: number | null }>`
      select count(*) as n, max(updated_at) as m from identity_providers
      union all
      select count(*) as n, max(updated_at) as m from resident_service_providers`.execute(this.database.db);
    return rows.map((row) => `${Number(row.n)}:${row.m === null ? '' : Number(row.m)}`).join('/');
  }

  /** A target that existed before automatic runs: its configuration is taken as the baseline. */
  private async adopt(target: EnabledTarget, fingerprint: string, now: number): Promise<void> {
    await this.database.db
      .updateTable('target_sync_state')
      .set({ fingerprint, updated_at: now })
      .where('idp_id', '=', target.idp.id)
      .where('connector_type', '=', target.connector.connectorType)
      .where('fingerprint', 'is', null)
      .execute();
  }

  private async trigger(target: EnabledTarget, trigger: RunTrigger, previous: string | null, fingerprint: string, now: number): Promise<void> {
    const { idp, connector, definition } = target;
    const where = { tenant: idp.tenant, idp: idp.name, connector: connector.connectorType, trigger };
    const started = await this.database.db.transaction().execute(async (trx) => {
      if (previous === null) {
        const inserted = await trx
          .insertInto('target_sync_state')
          .values({ idp_id: idp.id, connector_type: connector.connectorType, tenant: idp.tenant, fingerprint, updated_at: now })
          .onConflict((oc) => oc.columns(['idp_id', 'connector_type']).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return undefined;
      } else {
        const updated = await trx
          .updateTable('target_sync_state')
          .set({ fingerprint, updated_at: now })
          .where('idp_id', '=', idp.id)
          .where('connector_type', '=', connector.connectorType)
          .where('fingerprint', '=', previous)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return undefined;
      }
      if (!this.settings.automaticRuns) return 'off' as const;
      if (!definition.manifest.capabilities.listAccounts) return 'cannot-list' as const;
      // A run that has not started yet plans with the configuration as it is when it starts.
      if (await this.runs.queuedAppliedRun(idp.id, connector.connectorType, trx)) return 'queued' as const;
      const id = randomUUID();
      await this.runs.create({ id, tenant: idp.tenant, idpId: idp.id, idpName: idp.name, connectorType: connector.connectorType, dryRun: false, trigger, users: null, requestedBy: null }, now, trx);
      return id;
    });
    if (started === undefined || started === 'off') return;
    if (started === 'cannot-list') this.logger.info(where, 'outbound target changed; its connector cannot list accounts, so no reconciliation run was started');
    else if (started === 'queued') this.logger.info(where, 'outbound target changed; the run already queued for it will apply the new configuration');
    else this.logger.info({ ...where, run: started }, 'outbound target changed: reconciliation run queued');
  }
}
