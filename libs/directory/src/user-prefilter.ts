import type { Filter } from '@provisioning/scim';
import type { UserPrefilter } from '@provisioning/user-store';

/** Single-valued string attributes of the core User schema that SQL can compare (canonical paths). */
const TEXT_ATTRIBUTES = new Map<string, string[]>(
  [
    'userName',
    'displayName',
    'nickName',
    'title',
    'userType',
    'preferredLanguage',
    'locale',
    'timezone',
    'externalId',
    'profileUrl',
    'name.formatted',
    'name.familyName',
    'name.givenName',
    'name.middleName',
    'name.honorificPrefix',
    'name.honorificSuffix',
  ].map((path) => [path.toLowerCase(), path.split('.')] as const),
);
const CORE_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:user:';
const ALL: UserPrefilter = { kind: 'all' };

/**
 * Turns a SCIM filter into a SQL prefilter over users: comparisons on plain string attributes are
 * pushed down (case-insensitively, ASCII values only, so the prefilter never drops a match); anything
 * else (multi-valued attributes, dates, `not`, value paths) becomes `all` and is left to the exact
 * in-memory filter, which always runs afterwards.
 */
export function userPrefilter(filter: Filter): UserPrefilter {
  switch (filter.op) {
    case 'and': {
      const parts = filter.filters.map(userPrefilter).filter((p) => p.kind !== 'all');
      return parts.length === 0 ? ALL : { kind: 'and', parts };
    }
    case 'or': {
      const parts = filter.filters.map(userPrefilter);
      return parts.some((p) => p.kind === 'all') ? ALL : { kind: 'or', parts };
    }
    case 'pr':
    case 'eq':
    case 'co':
    case 'sw':
    case 'ew': {
      let name = filter.attrPath.toLowerCase();
      if (name.startsWith(CORE_PREFIX)) name = name.slice(CORE_PREFIX.length);
      const path = TEXT_ATTRIBUTES.get(name);
      if (!path) return ALL;
      if (filter.op === 'pr') return { kind: 'text', path, op: 'pr' };
      const value = filter.compValue;
      // Non-ASCII values: SQLite's lower() folds ASCII only, so leave them to the exact filter.
      if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value)) return ALL;
      return { kind: 'text', path, op: filter.op, value };
    }
    default:
      return ALL;
  }
}
