import { inject, injectable } from 'inversify';
import { compileFilter, findAttribute, parseFilter } from '@provisioning/scim';
import type { Filter, ScimResource } from '@provisioning/scim';
import { GroupRepository, UserRepository } from '@provisioning/user-store';
import type { StoredUser } from '@provisioning/user-store';
import type { ListQuery, ResourcePage } from './list-query';
import { MAX_RESULTS, searchQueryOf } from './list-query';
import { userResource } from './scim-resources';
import type { Membership } from './scim-resources';

type Memberships = (userId: string) => Membership[];

/** Whether a filter looks at `groups` (memberships are then part of what it is evaluated on). */
function mentionsGroups(filter: Filter): boolean {
  switch (filter.op) {
    case 'and':
    case 'or':
      return filter.filters.some(mentionsGroups);
    case 'not':
      return mentionsGroups(filter.filter);
    default: {
      const resolved = findAttribute('User', filter.attrPath);
      return resolved !== undefined && !resolved.extension && resolved.attribute.name === 'groups';
    }
  }
}

/** User reads behind SCIM: one user, its SCIM representation, and filtered, sorted, paged lists. */
@injectable()
export class UserQueries {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(GroupRepository) private readonly groups: GroupRepository,
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
   * Filter, sort and page (RFC 7644 3.4.2) in SQL (`UserRepository.search`): only the page is read.
   * The exact RFC filter (`compileFilter` on the SCIM representation) decides the few users SQL
   * leaves open. `maxResults` is the page size limit (larger only for internal callers).
   */
  async list(tenant: string, query: ListQuery, base: string, maxResults = MAX_RESULTS): Promise<ResourcePage> {
    const filter = query.filter ? parseFilter(query.filter) : undefined;
    const predicate = filter ? compileFilter(filter, 'User') : undefined;
    const search = searchQueryOf(query, filter, base, maxResults);
    const page = await this.users.search(
      tenant,
      search,
      async (candidates) => {
        const memberships: Memberships = filter && mentionsGroups(filter) ? await this.groups.membershipIndex(tenant, candidates.map((u) => u.id)) : () => [];
        return candidates.filter((user) => predicate!(userResource(user, memberships(user.id), base))).map((user) => user.id);
      },
    );
    const memberships = await this.groups.membershipIndex(tenant, page.users.map((u) => u.id));
    return { total: page.total, startIndex: search.startIndex, resources: page.users.map((user) => userResource(user, memberships(user.id), base)) };
  }
}
