import { scimError } from './scim-errors';
import { LIST_RESPONSE_SCHEMA } from './urns';

/** One page of results with the RFC 7644 3.4.2.4 response elements. */
export interface Page<T> {
  readonly items: T[];
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
}

function integerOrUndefined(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value)) throw scimError('invalidValue', `${name} must be an integer`);
  return value;
}

/**
 * Takes one page out of `items` (RFC 7644 3.4.2.4): `startIndex` is 1-based, values below 1 mean 1;
 * `count` is the maximum page size, negative means 0 (only `totalResults`), absent means the rest.
 * Non-integers throw `ValidationError` scimType `invalidValue`.
 */
export function page<T>(items: readonly T[], startIndex?: number, count?: number): Page<T> {
  const start = Math.max(1, integerOrUndefined(startIndex, 'startIndex') ?? 1);
  const requested = integerOrUndefined(count, 'count');
  const size = requested === undefined ? items.length : Math.max(0, requested);
  const slice = items.slice(start - 1, start - 1 + size);
  return { items: slice, totalResults: items.length, startIndex: start, itemsPerPage: slice.length };
}

/** The RFC 7644 3.4.2 ListResponse body. */
export interface ListResponse<T> {
  schemas: string[];
  totalResults: number;
  itemsPerPage: number;
  startIndex: number;
  Resources: T[];
}

/** The RFC 7644 3.4.2 ListResponse body for a page. */
export function listResponse<T>(result: Page<T>): ListResponse<T> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: result.totalResults,
    itemsPerPage: result.itemsPerPage,
    startIndex: result.startIndex,
    Resources: result.items,
  };
}
