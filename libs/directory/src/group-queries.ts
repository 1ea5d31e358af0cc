import { inject, injectable } from 'inversify';
import { compileFilter, parseFilter } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import { GroupRepository, UserRepository } from '@provisioning/user-store';
import type { StoredGroup } from '@provisioning/user-store';
import type { ListQuery, ResourcePage } from './list-query';
import { MAX_RESULTS, searchQueryOf } from './list-query';
import { groupResource } from './scim-resources';

/** Group reads behind SCIM: one group, its SCIM representation (members with their names), lists. */
@injectable()
export class GroupQueries {
  constructor(
    @inject(GroupRepository) private readonly groups: GroupRepository,
    @inject(UserRepository) private readonly users: UserRepository,
  ) {}

  async get(tenant: string, id: string): Promise<StoredGroup> {
    return this.groups.getById(tenant, id);
  }

  async represent(group: StoredGroup, base: string): Promise<ScimResource> {
    return groupResource(group, base, await this.memberNames(group.tenant, [group]));
  }

  /**
   * Filter, sort and page (RFC 7644 3.4.2) in SQL (`GroupRepository.search`); the exact RFC filter
   * decides the few groups SQL leaves open.
   */
  async list(tenant: string, query: ListQuery, base: string, maxResults = MAX_RESULTS): Promise<ResourcePage> {
    const filter = query.filter ? parseFilter(query.filter) : undefined;
    const predicate = filter ? compileFilter(filter, 'Group') : undefined;
    const search = searchQueryOf(query, filter, base, maxResults);
    const page = await this.groups.search(
      tenant,
      search,
      async (candidates) => {
        const names = await this.memberNames(tenant, candidates);
        return candidates.filter((group) => predicate!(groupResource(group, base, names))).map((group) => group.id);
      },
    );
    const names = await this.memberNames(tenant, page.groups);
    return { total: page.total, startIndex: search.startIndex, resources: page.groups.map((group) => groupResource(group, base, names)) };
  }

  /** Display names of the members of these groups (usernames for users, names for nested groups). */
  private async memberNames(tenant: string, groups: StoredGroup[]): Promise<Map<string, string>> {
    const userIds = groups.flatMap((g) => g.members.filter((m) => m.type === 'User').map((m) => m.id));
    const names = await this.users.usernames(tenant, userIds);
    for (const g of groups) {
      for (const m of g.members) {
        if (m.type === 'Group' && !names.has(m.id)) {
          const nested = await this.groups.findById(tenant, m.id);
          if (nested) names.set(m.id, nested.displayName);
        }
      }
    }
    return names;
  }
}
