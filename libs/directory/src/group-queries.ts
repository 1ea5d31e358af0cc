import { inject, injectable } from 'inversify';
import { compileFilter, parseFilter, simpleEqualityOf, sortResources } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import { GroupRepository, UserRepository } from '@provisioning/user-store';
import type { StoredGroup } from '@provisioning/user-store';
import type { ListQuery, ResourcePage } from './list-query';
import { MAX_RESULTS, pageOf } from './list-query';
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

  /** Filter, sort and page; `displayName eq` and `id eq` use their index. */
  async list(tenant: string, query: ListQuery, base: string, maxResults = MAX_RESULTS): Promise<ResourcePage> {
    const filter = query.filter ? parseFilter(query.filter) : undefined;
    const equality = filter ? simpleEqualityOf(filter, 'Group') : undefined;
    let candidates: StoredGroup[];
    if (equality?.attribute === 'displayName') {
      const found = await this.groups.findByDisplayName(tenant, equality.value);
      candidates = found ? [found] : [];
    } else if (equality?.attribute === 'id') {
      const found = await this.groups.findById(tenant, equality.value);
      candidates = found ? [found] : [];
    } else {
      candidates = await this.groups.list(tenant);
    }
    const names = await this.memberNames(tenant, candidates);
    let resources = candidates.map((g) => groupResource(g, base, names));
    if (filter) {
      const predicate = compileFilter(filter, 'Group');
      resources = resources.filter((r) => predicate(r));
    }
    resources = sortResources(resources, query.sortBy, query.sortOrder, 'Group');
    return pageOf(resources, query, maxResults);
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
