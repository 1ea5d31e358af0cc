import { page } from '@provisioning/scim';
import type { Filter, ScimResource } from '@provisioning/scim';
import type { SearchQuery } from '@provisioning/user-store';

/** What a SCIM list asks for (RFC 7644 3.4.2): filter, sort and page. Projection is the HTTP layer's. */
export interface ListQuery {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: number;
  count?: number;
}

/** One page of a list: the total and the page's resources. */
export interface ResourcePage {
  total: number;
  startIndex: number;
  resources: ScimResource[];
}

/** The largest page this server returns (advertised as filter.maxResults). */
export const MAX_RESULTS = 1000;

/** A page size within the server's limit (RFC 7644 3.4.2.4: a server may return fewer). */
export function boundedCount(count: number | undefined, maxResults = MAX_RESULTS): number {
  if (count === undefined) return maxResults;
  return Math.min(Math.max(0, count), maxResults);
}

/** A 1-based start index within what SQL and arrays take. */
export function boundedStart(startIndex: number | undefined): number {
  return Math.min(Math.max(1, startIndex ?? 1), 2 ** 31);
}

/**
 * One page of already filtered and sorted items (RFC 7644 3.4.2.4), within the server's page size
 * (`maxResults`: larger only for internal callers, such as the root search merging two types).
 */
export function pageOf<T>(items: readonly T[], query: ListQuery, maxResults = MAX_RESULTS): { total: number; startIndex: number; resources: T[] } {
  const result = page(items, query.startIndex === undefined ? undefined : Math.max(1, query.startIndex), boundedCount(query.count, maxResults));
  return { total: result.totalResults, startIndex: result.startIndex, resources: result.items };
}

/** A list request as the repositories' SQL search takes it (`filter` already parsed and checked). */
export function searchQueryOf(query: ListQuery, filter: Filter | undefined, base: string, maxResults = MAX_RESULTS): SearchQuery {
  return {
    ...(filter ? { filter } : {}),
    ...(query.sortBy !== undefined ? { sortBy: query.sortBy } : {}),
    ...(query.sortOrder !== undefined ? { sortOrder: query.sortOrder } : {}),
    startIndex: boundedStart(query.startIndex),
    count: boundedCount(query.count, maxResults),
    base,
  };
}
