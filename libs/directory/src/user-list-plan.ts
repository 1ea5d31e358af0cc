import { parseFilter, simpleEqualityOf } from '@provisioning/scim';
import type { Filter } from '@provisioning/scim';
import type { UserPrefilter } from '@provisioning/user-store';
import type { ListQuery } from './list-query';
import { boundedCount, boundedStart, MAX_RESULTS } from './list-query';
import { userPrefilter } from './user-prefilter';

/**
 * How a user list is answered, cheapest first: a single `userName eq` or `id eq` by its index, plain
 * paging by SQL (only the page is loaded), anything else by a scan that SQL narrows where it can
 * (a superset: the exact filter always decides afterwards).
 */
export type UserListPlan =
  | { kind: 'by-username'; value: string; filter: Filter }
  | { kind: 'by-id'; value: string; filter: Filter }
  | { kind: 'page'; startIndex: number; count: number }
  | {
      kind: 'scan';
      filter?: Filter;
      prefilter?: UserPrefilter;
      /** Memberships are loaded for every candidate only when the filter or sort looks at groups. */
      needsGroups: boolean;
    };

export function planUserList(query: ListQuery, maxResults = MAX_RESULTS): UserListPlan {
  const filter = query.filter ? parseFilter(query.filter) : undefined;
  const equality = filter ? simpleEqualityOf(filter, 'User') : undefined;
  if (filter && equality?.attribute === 'userName') return { kind: 'by-username', value: equality.value, filter };
  if (filter && equality?.attribute === 'id') return { kind: 'by-id', value: equality.value, filter };
  if (!filter && !query.sortBy) return { kind: 'page', startIndex: boundedStart(query.startIndex), count: boundedCount(query.count, maxResults) };
  return {
    kind: 'scan',
    ...(filter ? { filter, prefilter: userPrefilter(filter) } : {}),
    needsGroups: /groups/i.test(`${query.filter ?? ''} ${query.sortBy ?? ''}`),
  };
}
