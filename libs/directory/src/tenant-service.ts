import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { zodToValidationError } from '@provisioning/core';
import { ConflictError, NotFoundError, ValidationError } from '@provisioning/errors';
import { DATABASE } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { hashPassword, USER_STORE_POLICY, UserRepository } from '@provisioning/user-store';
import type { UserStorePolicy } from '@provisioning/user-store';
import { ADMIN_ROLE } from './admin-role';

/** A tenant as the API shows it (WSO2's tenant management shape; the id is the domain). */
export interface TenantView {
  id: string;
  domain: string;
  owners: Array<{ id: string; username: string }>;
  createdDate: string;
  lifecycleStatus: { activated: boolean };
}

const ownerSchema = z.object({
  username: z.string().min(1, { message: 'username is required' }),
  password: z.string().min(1, { message: 'password is required' }),
  email: z.string().optional(),
  firstname: z.string().optional(),
  lastname: z.string().optional(),
  provisioningMethod: z.string().optional(),
});
const createSchema = z.object({
  domain: z
    .string({ message: 'domain is required' })
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, { message: 'must be a domain name such as example.com' }),
  owners: z.array(ownerSchema).length(1, { message: 'exactly one owner (the tenant admin) is required' }),
});

/** Tenants known to this server. The super tenant always exists; others are created by the super admin. */
@injectable()
export class TenantService {
  readonly #known = new Set<string>();

  constructor(
    @inject(DATABASE) private readonly database: DatabaseHandle,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(USER_STORE_POLICY) private readonly policy: UserStorePolicy,
  ) {}

  private get db() {
    return this.database.db;
  }

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

  /**
   * Creates a tenant and its admin (the owner), who signs in as the owner's username qualified with
   * the tenant (`kim@abc.com@abc.com` with email usernames, `kim@abc.com` without) on `/t/{domain}/...`.
   */
  async create(body: unknown): Promise<TenantView> {
    const parsed = createSchema.safeParse(body);
    if (!parsed.success) {
      throw zodToValidationError(parsed.error, 'tenant', 'TM-60001');
    }
    const domain = parsed.data.domain.toLowerCase();
    const owner = parsed.data.owners[0]!;
    if (domain === this.policy.superTenantDomain) throw new ConflictError(`${domain} is the super tenant`, { code: 'TM-60014' });
    this.policy.validateUsername(owner.username);
    this.policy.validatePassword(owner.password);
    try {
      this.policy.qualify(owner.username, domain);
    } catch (error) {
      throw new ValidationError(`owners[0].username "${owner.username}" cannot sign in to tenant ${domain}: ${(error as Error).message}`, { code: 'TM-60001' });
    }
    const passwordHash = await hashPassword(owner.password);
    await this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('tenants').select('domain').where('domain', '=', domain).executeTakeFirst();
      if (existing) throw new ConflictError(`Tenant ${domain} already exists`, { code: 'TM-60014' });
      await trx.insertInto('tenants').values({ domain, created_at: Date.now(), active: 1 }).execute();
      const name = { ...(owner.firstname ? { givenName: owner.firstname } : {}), ...(owner.lastname ? { familyName: owner.lastname } : {}) };
      await this.users.insert(trx, {
        tenant: domain,
        username: owner.username,
        passwordHash,
        resource: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: owner.username,
          ...(Object.keys(name).length > 0 ? { name } : {}),
          ...(owner.email ? { emails: [{ value: owner.email, primary: true }] } : {}),
        },
        claims: { 'http://wso2.org/claims/username': owner.username, ...(owner.email ? { 'http://wso2.org/claims/emailaddress': owner.email } : {}) },
        roles: [ADMIN_ROLE],
      });
    });
    this.#known.add(domain);
    return this.get(domain);
  }

  async list(): Promise<TenantView[]> {
    const rows = await this.db.selectFrom('tenants').select('domain').where('domain', '!=', this.policy.superTenantDomain).orderBy('created_at').execute();
    return Promise.all(rows.map((r) => this.get(r.domain)));
  }

  async get(domain: string): Promise<TenantView> {
    const row = await this.db.selectFrom('tenants').selectAll().where('domain', '=', domain.toLowerCase()).executeTakeFirst();
    if (!row || row.domain === this.policy.superTenantDomain) throw new NotFoundError(`Tenant ${domain} does not exist`, { code: 'TM-60002' });
    const owners = await this.db.selectFrom('users').select(['id', 'username', 'roles']).where('tenant', '=', row.domain).execute();
    return {
      id: row.domain,
      domain: row.domain,
      owners: owners.filter((o) => (JSON.parse(o.roles) as string[]).includes(ADMIN_ROLE)).map((o) => ({ id: o.id, username: o.username })),
      createdDate: new Date(row.created_at).toISOString(),
      lifecycleStatus: { activated: row.active === 1 },
    };
  }
}
