import type { Kysely } from 'kysely';

/** SCIM groups (= local roles) and their members (users or nested groups). */
export const groupsMigration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('groups')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('tenant', 'varchar(255)', (c) => c.notNull())
      .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('display_key', 'varchar(255)', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addUniqueConstraint('groups_tenant_display_uq', ['tenant', 'display_key'])
      .execute();
    await db.schema
      .createTable('group_members')
      .addColumn('tenant', 'varchar(255)', (c) => c.notNull())
      .addColumn('group_id', 'varchar(64)', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('member_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('member_type', 'varchar(16)', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'member_id'])
      .execute();
    await db.schema.createIndex('group_members_member_idx').on('group_members').columns(['tenant', 'member_id']).execute();
  },
};
