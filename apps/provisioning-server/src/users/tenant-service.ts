import type { Kysely } from 'kysely';
import type { Database } from '@provisioning/persistence';

/** Tenants known to this server. The super tenant always exists. */
export class TenantService {
  readonly #known = new Set<string>();

  constructor(private readonly db: Kysely<Database>) {}

  async ensure(domain: string): Promise<void> {
    await this.db
      .insertInto('tenants')
      .values({ domain, created_at: Date.now(), active: 1 })
      .onConflict((oc) => oc.column('domain').doNothing())
      .execute();
    this.#known.add(domain);
  }

  async exists(domain: string): Promise<boolean> {
    if (this.#known.has(domain)) return true;
    const row = await this.db.selectFrom('tenants').select('domain').where('domain', '=', domain).where('active', '=', 1).executeTakeFirst();
    if (row) this.#known.add(domain);
    return Boolean(row);
  }
}
