import { ValidationError } from '@provisioning/errors';
import { page, SEARCH_REQUEST_SCHEMA } from '@provisioning/scim';

/** The list parameters of RFC 7644 3.4.2 / 3.4.3, from a query string or a `.search` body. */
export interface ScimQuery {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: number;
  count?: number;
  attributes?: string;
  excludedAttributes?: string;
}

/** The largest page this server returns (advertised as filter.maxResults). */
export const MAX_RESULTS = 1000;

function text(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  throw new ValidationError(`${name} must be a string`, { scimType: 'invalidValue' });
}

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw new ValidationError(`${name} must be an integer`, { scimType: 'invalidValue' });
  return n;
}

/** From `?filter=...&sortBy=...` (GET). */
export function queryFromParams(query: Record<string, unknown>): ScimQuery {
  return {
    filter: text(query.filter, 'filter'),
    sortBy: text(query.sortBy, 'sortBy'),
    sortOrder: text(query.sortOrder, 'sortOrder'),
    startIndex: integer(query.startIndex, 'startIndex'),
    count: integer(query.count, 'count'),
    attributes: text(query.attributes, 'attributes'),
    excludedAttributes: text(query.excludedAttributes, 'excludedAttributes'),
  };
}

/** From a SearchRequest body (POST `.search`). */
export function queryFromSearchBody(body: unknown): ScimQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('The body must be a SearchRequest object', { scimType: 'invalidSyntax' });
  }
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.schemas) || !b.schemas.includes(SEARCH_REQUEST_SCHEMA)) {
    throw new ValidationError(`A SearchRequest must list the schema ${SEARCH_REQUEST_SCHEMA}`, { scimType: 'invalidSyntax' });
  }
  return queryFromParams(b);
}

/** A page size within the server's limit (RFC 7644 3.4.2.4: a server may return fewer). */
export function boundedCount(count: number | undefined): number {
  if (count === undefined) return MAX_RESULTS;
  return Math.min(Math.max(0, count), MAX_RESULTS);
}

/** One page of already filtered and sorted items (RFC 7644 3.4.2.4), within the server's page size. */
export function pageOf<T>(items: readonly T[], query: ScimQuery): { total: number; startIndex: number; resources: T[] } {
  const result = page(items, query.startIndex === undefined ? undefined : Math.max(1, query.startIndex), boundedCount(query.count));
  return { total: result.totalResults, startIndex: result.startIndex, resources: result.items };
}
