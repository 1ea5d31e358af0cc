import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect';

/**
 * Indexes for SCIM lists answered in SQL (the user store's `search`). Few, because every SCIM create
 * writes them; the partial ones hold only the rare users they describe, and their predicates are
 * exactly what the search writes:
 * - `users_tenant_created_idx`: the default order (creation), so a plain page reads only the page.
 * - `users_tenant_id_idx`: a tenant's users in id order (keyset pages of reconciliation runs).
 * - `users_external_id_idx`: `externalId eq`, how provisioning clients find their users
 *   (`userName eq` has the unique username key, `id eq` the primary key).
 * - `users_exotic_idx`, `users_username_idx`, `users_escaped_idx` (partial): users whose resource has
 *   a character beyond ASCII or a `\u` escape, whose username has a character beyond ASCII, whose
 *   resource has a `\u` escape (NUL, unpaired surrogates). SQL folds case for ASCII only, so these
 *   are the only users it may leave to the exact in-memory filter: finding them reads nothing else.
 */
export const scimSearchIndexesMigration = (dialect: SqlDialectName) => ({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createIndex('users_tenant_created_idx').on('users').columns(['tenant', 'created_at', 'id']).execute();
    // Keyset pages of a tenant's users in id order (reconciliation runs walk 100k users this way).
    // Without it SQLite, having no statistics, answered `tenant = ? and id > ? order by id` through
    // the externalId index below and sorted the whole tenant for every page.
    await db.schema.createIndex('users_tenant_id_idx').on('users').columns(['tenant', 'id']).execute();
    if (dialect === 'postgres') {
      await sql`create index users_external_id_idx on users (tenant, (((case when not (resource like '%\\\\u%') then resource::jsonb end) -> 'externalId') #>> '{}'))`.execute(db);
      await sql`create index users_exotic_idx on users (tenant) where (octet_length(resource) <> char_length(resource) or (resource like '%\\\\u%'))`.execute(db);
      await sql`create index users_username_idx on users (tenant) where (octet_length(username) <> char_length(username))`.execute(db);
      await sql`create index users_escaped_idx on users (tenant) where (resource like '%\\\\u%')`.execute(db);
    } else {
      await sql`create index users_external_id_idx on users (tenant, json_extract(resource, '$.externalId'))`.execute(db);
      await sql`create index users_exotic_idx on users (tenant) where (length(cast(resource as blob)) <> length(resource) or (resource glob '*\\u*'))`.execute(db);
      await sql`create index users_username_idx on users (tenant) where (length(cast(username as blob)) <> length(username))`.execute(db);
      await sql`create index users_escaped_idx on users (tenant) where (resource glob '*\\u*')`.execute(db);
    }
  },
});
