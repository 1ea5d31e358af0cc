import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect';
import { varchar } from './column-types';

/** Initial schema. Written with Kysely's schema builder so the same code serves SQLite and PostgreSQL. */
export function initialMigration(dialect: SqlDialectName) {
  // PostgreSQL: 64-bit keys (the pool reads int8 as numbers); SQLite's integer is 64-bit already.
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  const text = varchar(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('tenants')
        .addColumn('domain', text(255), (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', text(64), (c) => c.primaryKey())
        .addColumn('tenant', text(255), (c) => c.notNull())
        .addColumn('username', text(255), (c) => c.notNull())
        .addColumn('username_key', text(255), (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('claims', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addUniqueConstraint('users_tenant_username_uq', ['tenant', 'username_key'])
        .execute();

      await db.schema
        .createTable('identity_providers')
        .addColumn('id', text(64), (c) => c.primaryKey())
        .addColumn('tenant', text(255), (c) => c.notNull())
        .addColumn('name', text(255), (c) => c.notNull())
        .addColumn('name_key', text(255), (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('idp_tenant_name_uq', ['tenant', 'name_key'])
        .execute();

      await db.schema
        .createTable('idp_connectors')
        .addColumn('idp_id', text(64), (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
        .addColumn('tenant', text(255), (c) => c.notNull())
        .addColumn('connector_type', text(64), (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull())
        .addColumn('blocking', 'integer', (c) => c.notNull())
        .addColumn('rules', 'integer', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('secrets', 'text')
        .addColumn('revision', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idp_connectors_pk', ['idp_id', 'connector_type'])
        .execute();

      await db.schema
        .createTable('resident_service_providers')
        .addColumn('tenant', text(255), (c) => c.primaryKey())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('local_claim_overrides')
        .addColumn('tenant', text(255), (c) => c.notNull())
        .addColumn('claim_uri', text(512), (c) => c.notNull())
        .addColumn('display_name', 'text')
        .addColumn('description', 'text')
        .addColumn('mapped_attribute', 'text')
        .addColumn('user_store', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('local_claim_overrides_pk', ['tenant', 'claim_uri'])
        .execute();

      await db.schema
        .createTable('provisioning_jobs')
        .addColumn('id', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('tenant', text(255), (c) => c.notNull())
        .addColumn('entity_type', text(16), (c) => c.notNull())
        .addColumn('entity_id', text(64), (c) => c.notNull())
        .addColumn('entity_name', text(255), (c) => c.notNull())
        .addColumn('operation', text(16), (c) => c.notNull())
        .addColumn('idp_id', text(64), (c) => c.notNull())
        .addColumn('idp_name', text(255), (c) => c.notNull())
        .addColumn('connector_type', text(64), (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', text(16), (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', text(64))
        .addColumn('lease_expires_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .execute();
      await db.schema.createIndex('jobs_state_due_idx').on('provisioning_jobs').columns(['state', 'next_attempt_at']).execute();
      await db.schema
        .createIndex('jobs_chain_idx')
        .on('provisioning_jobs')
        .columns(['idp_id', 'connector_type', 'entity_id', 'id'])
        .execute();
      await db.schema.createIndex('jobs_tenant_entity_idx').on('provisioning_jobs').columns(['tenant', 'entity_name']).execute();

      await db.schema
        .createTable('provisioned_identities')
        .addColumn('tenant', text(255), (c) => c.notNull())
        .addColumn('idp_id', text(64), (c) => c.notNull())
        .addColumn('connector_type', text(64), (c) => c.notNull())
        .addColumn('entity_type', text(16), (c) => c.notNull())
        .addColumn('entity_id', text(64), (c) => c.notNull())
        .addColumn('entity_name', text(255), (c) => c.notNull())
        .addColumn('remote_id', text(255))
        .addColumn('remote_name', text(255))
        .addColumn('state', text(16), (c) => c.notNull())
        .addColumn('last_job_id', 'bigint')
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('provisioned_identities_pk', ['idp_id', 'connector_type', 'entity_id'])
        .execute();
      await db.schema.createIndex('provisioned_tenant_name_idx').on('provisioned_identities').columns(['tenant', 'entity_name']).execute();

      await db.schema
        .createTable('provisioning_attempts')
        .addColumn('id', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('job_id', 'bigint', (c) => c.notNull())
        .addColumn('tenant', text(255), (c) => c.notNull())
        .addColumn('idp_id', text(64), (c) => c.notNull())
        .addColumn('idp_name', text(255), (c) => c.notNull())
        .addColumn('connector_type', text(64), (c) => c.notNull())
        .addColumn('entity_id', text(64), (c) => c.notNull())
        .addColumn('entity_name', text(255), (c) => c.notNull())
        .addColumn('operation', text(16), (c) => c.notNull())
        .addColumn('calls', 'text', (c) => c.notNull())
        .addColumn('outcome', text(32), (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('remote_code', text(128))
        .addColumn('remote_message', 'text')
        .addColumn('remote_id', text(255))
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('attempts_tenant_name_idx').on('provisioning_attempts').columns(['tenant', 'entity_name', 'id']).execute();
      await db.schema.createIndex('attempts_job_idx').on('provisioning_attempts').columns(['job_id']).execute();
    },
  };
}
