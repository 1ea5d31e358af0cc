import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect';
import { varchar } from './column-types';

/** SCIM groups (= local roles) and their members (users or nested groups). */
export const groupsMigration = (dialect: SqlDialectName) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    const text = varchar(dialect);
    await db.schema
      .createTable('groups')
      .addColumn('id', text(64), (c) => c.primaryKey())
      .addColumn('tenant', text(255), (c) => c.notNull())
      .addColumn('display_name', text(255), (c) => c.notNull())
      .addColumn('display_key', text(255), (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addUniqueConstraint('groups_tenant_display_uq', ['tenant', 'display_key'])
      .execute();
    await db.schema
      .createTable('group_members')
      .addColumn('tenant', text(255), (c) => c.notNull())
      .addColumn('group_id', text(64), (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('member_id', text(64), (c) => c.notNull())
      .addColumn('member_type', text(16), (c) => c.notNull())
      .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'member_id'])
      .execute();
    await db.schema.createIndex('group_members_member_idx').on('group_members').columns(['tenant', 'member_id']).execute();
  },
});
