import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, GroupTable, SqlDialectName, UserTable } from '@provisioning/persistence';
import { compileFilter, sortResources } from '@provisioning/scim';
import type { Filter } from '@provisioning/scim';
import { TRUE } from './condition';
import type { Cond } from './condition';
import { groupFilterSql, groupSortKey } from './group-search-sql';
import { runSearch } from './search-runner';
import type { Decide, SearchResult } from './search-runner';
import type { SortKey } from './sort-sql';
import { restartAliases, sqlDialect } from './sql-dialect';
import { userFilterSql, userSortKey } from './user-search-sql';

export type { Decide } from './search-runner';

type Db = Kysely<Database> | Transaction<Database>;

/** A SCIM list request (RFC 7644 3.4.2) as the repositories take it. */
export interface SearchQuery {
  filter?: Filter;
  sortBy?: string;
  sortOrder?: string;
  /** 1-based. */
  startIndex: number;
  count: number;
  /** The SCIM base URL the request came through (`meta.location`, `$ref`). */
  base: string;
}

/** The SQL of a search: the filter and the sort key (for tests and plans). */
export interface SearchSql {
  where: Cond;
  sort?: SortKey;
  descending: boolean;
}

/**
 * Translates a User or Group search to SQL, after checking it as the in-memory engine does: a filter
 * that does not compile is `invalidFilter`, a bad `sortBy` or `sortOrder` is `invalidValue`.
 */
export function searchSql(resourceType: 'User' | 'Group', dialect: SqlDialectName, tenant: string, query: Omit<SearchQuery, 'startIndex' | 'count'>): SearchSql {
  if (query.filter) compileFilter(query.filter, resourceType);
  sortResources([], query.sortBy, query.sortOrder, resourceType);
  restartAliases();
  const ctx = { dialect: sqlDialect(dialect), tenant, base: query.base };
  const sortBy = query.sortBy === undefined || query.sortBy === '' ? undefined : query.sortBy;
  return {
    where: query.filter ? (resourceType === 'User' ? userFilterSql : groupFilterSql)(query.filter, ctx) : TRUE,
    ...(sortBy ? { sort: (resourceType === 'User' ? userSortKey : groupSortKey)(sortBy, ctx) } : {}),
    descending: query.sortOrder?.toLowerCase() === 'descending',
  };
}

function run<Row>(table: 'users' | 'groups', db: Db, dialect: SqlDialectName, tenant: string, query: SearchQuery, decide: Decide<Row>): Promise<SearchResult> {
  const translated = searchSql(table === 'users' ? 'User' : 'Group', dialect, tenant, query);
  return runSearch(db, sqlDialect(dialect), tenant, { table, ...translated, offset: query.startIndex - 1, limit: query.count }, decide);
}

export function searchUsers(db: Db, dialect: SqlDialectName, tenant: string, query: SearchQuery, decide: Decide<Selectable<UserTable>>): Promise<SearchResult> {
  return run('users', db, dialect, tenant, query, decide);
}

export function searchGroups(db: Db, dialect: SqlDialectName, tenant: string, query: SearchQuery, decide: Decide<Selectable<GroupTable>>): Promise<SearchResult> {
  return run('groups', db, dialect, tenant, query, decide);
}

/**
 * An id given to an insert: SQL compares ids as they are, which agrees with JavaScript for ASCII
 * (the server's own ids are UUIDs).
 */
export function checkedId(id: string): string {
  if (!/^[\x21-\x7e]{1,64}$/.test(id)) throw new Error(`ids are 1 to 64 printable ASCII characters, not ${JSON.stringify(id)}`);
  return id;
}
