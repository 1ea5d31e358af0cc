import type { ListQuery } from '@provisioning/directory';
import { ValidationError } from '@provisioning/errors';
import { SEARCH_REQUEST_SCHEMA } from '@provisioning/scim';

/** The list parameters of RFC 7644 3.4.2 / 3.4.3, from a query string or a `.search` body. */
export interface ScimQuery extends ListQuery {
  attributes?: string;
  excludedAttributes?: string;
}

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
