import { inject, injectable } from 'inversify';
import { compileFilter, sortResources } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import { GroupRepository, USER_STORE_POLICY, UserRepository } from '@provisioning/user-store';
import type { StoredUser, UserStorePolicy } from '@provisioning/user-store';
import type { ListQuery, ResourcePage } from './list-query';
import { MAX_RESULTS, pageOf } from './list-query';
import { userResource } from './scim-resources';
import type { Membership } from './scim-resources';
import { planUserList } from './user-list-plan';

type Memberships = (userId: string) => Membership[];

/** User reads behind SCIM: one user, its SCIM representation, and filtered, sorted, paged lists. */
@injectable()
export class UserQueries {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(GroupRepository) private readonly groups: GroupRepository,
    @inject(USER_STORE_POLICY) private readonly policy: UserStorePolicy,
  ) {}

  async get(tenant: string, id: string): Promise<StoredUser> {
    return this.users.getById(tenant, id);
  }

  /** The SCIM representation; `base` is the SCIM base URL the request came through. */
  async represent(user: StoredUser, base: string, memberships?: Memberships): Promise<ScimResource> {
    const groups = memberships ? memberships(user.id) : await this.groups.groupsOf(user.tenant, user.id);
    return userResource(user, groups, base);
  }

  /**
   * Filter, sort and page (RFC 7644 3.4.2), answered as {@link planUserList} decides; `maxResults`
   * is the page size limit (larger only for internal callers).
   */
  async list(tenant: string, query: ListQuery, base: string, maxResults = MAX_RESULTS): Promise<ResourcePage> {
    const plan = planUserList(query, maxResults);
    let candidates: StoredUser[];
    if (plan.kind === 'page') {
      const page = await this.users.list(tenant, { startIndex: plan.startIndex, count: plan.count });
      const memberships = await this.groups.membershipIndex(tenant, page.users.map((u) => u.id));
      return { total: page.total, startIndex: plan.startIndex, resources: await Promise.all(page.users.map((u) => this.represent(u, base, memberships))) };
    }
    if (plan.kind === 'by-username') {
      const local = this.localUsername(plan.value, tenant);
      const found = local ? await this.users.findByUsername(tenant, local) : undefined;
      candidates = found ? [found] : [];
    } else if (plan.kind === 'by-id') {
      const found = await this.users.findById(tenant, plan.value);
      candidates = found ? [found] : [];
    } else {
      candidates = await this.users.all(tenant, { claims: false, ...(plan.prefilter ? { prefilter: plan.prefilter } : {}) });
    }
    const filter = plan.filter;
    const needsGroups = plan.kind === 'scan' && plan.needsGroups;
    const memberships = needsGroups ? await this.groups.membershipIndex(tenant) : () => [];
    let pairs = await Promise.all(candidates.map(async (user) => ({ user, resource: await this.represent(user, base, memberships) })));
    if (filter) {
      const predicate = compileFilter(filter, 'User');
      pairs = pairs.filter((p) => predicate(p.resource));
    }
    const sorted = sortResources(
      pairs.map((p) => p.resource),
      query.sortBy,
      query.sortOrder,
      'User',
    );
    const byResource = new Map(pairs.map((p) => [p.resource, p.user] as const));
    const { total, startIndex, resources } = pageOf(sorted, query, maxResults);
    if (needsGroups) return { total, startIndex, resources };
    // Memberships only for the returned page.
    const pageUsers = resources.map((r) => byResource.get(r)!);
    const pageMemberships = await this.groups.membershipIndex(tenant, pageUsers.map((u) => u.id));
    return { total, startIndex, resources: await Promise.all(pageUsers.map((u) => this.represent(u, base, pageMemberships))) };
  }

  /** The local username a `userName eq` names in this tenant, or undefined when it names another one. */
  private localUsername(userName: string, tenant: string): string | undefined {
    if (userName.trim() === '') return undefined;
    if (tenant === this.policy.superTenantDomain) return userName;
    try {
      return this.policy.parseQualifiedUsername(userName, tenant).username;
    } catch {
      return undefined;
    }
  }
}
