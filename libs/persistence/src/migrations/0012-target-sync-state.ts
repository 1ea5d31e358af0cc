import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect';
import { varchar } from './column-types';

/**
 * What automatic reconciliation runs last saw of each enabled outbound target (resident service
 * provider entry whose IdP and connector are enabled): the fingerprint of the IdP's claim mappings,
 * defaults, provisioning roles and role mappings. A target without a row was just added or enabled
 * (a `target-added` run); a row with another fingerprint means the configuration changed (a
 * `config-changed` run). Targets that already existed when this migration ran get a row with no
 * fingerprint: the first check adopts their configuration without a run, so upgrading does not
 * start a run for every target.
 */
export const targetSyncStateMigration = (dialect: SqlDialectName) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    const text = varchar(dialect);
    await db.schema
      .createTable('target_sync_state')
      .addColumn('idp_id', text(64), (c) => c.notNull())
      .addColumn('connector_type', text(64), (c) => c.notNull())
      .addColumn('tenant', text(255), (c) => c.notNull())
      .addColumn('fingerprint', text(64))
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('target_sync_state_pk', ['idp_id', 'connector_type'])
      .execute();
    const residents: Array<{ tenant: string; config: string }> = await db.selectFrom('resident_service_providers').select(['tenant', 'config']).execute();
    const now = Date.now();
    for (const { tenant, config } of residents) {
      let targets: Array<{ idp?: unknown; connector?: unknown }> = [];
      try {
        targets = (JSON.parse(config) as { outboundProvisioningIdps?: typeof targets }).outboundProvisioningIdps ?? [];
      } catch {
        continue;
      }
      for (const target of targets) {
        if (typeof target.idp !== 'string' || typeof target.connector !== 'string') continue;
        const idp: { id: string } | undefined = await db
          .selectFrom('identity_providers')
          .select('id')
          .where('tenant', '=', tenant)
          .where('name_key', '=', target.idp.toLowerCase())
          .executeTakeFirst();
        if (!idp) continue;
        await db
          .insertInto('target_sync_state')
          .values({ idp_id: idp.id, connector_type: target.connector, tenant, fingerprint: null, updated_at: now })
          .onConflict((oc) => oc.columns(['idp_id', 'connector_type']).doNothing())
          .execute();
      }
    }
  },
});
