import { ValidationError } from '@provisioning/errors';
import { describe, expect, it } from 'vitest';
import { ENTERPRISE_USER_SCHEMA, listResponse, page, sortResources } from './index';

const users: Record<string, unknown>[] = [
  { id: 'a', userName: 'bravo', name: { givenName: 'Zoe' }, emails: [{ value: 'z@x.org' }, { value: 'b@x.org', primary: true }], meta: { created: '2020-01-01T10:00:00+02:00' } },
  { id: 'b', userName: 'Alpha', externalId: 'b', emails: [{ value: 'c@x.org' }], meta: { created: '2020-01-01T09:00:00Z' } },
  { id: 'c', userName: 'charlie', externalId: 'B', name: { givenName: 'adam' }, meta: { created: '2019-12-31T23:59:59Z' } },
  { id: 'd', userName: 'alpha', externalId: 'a', [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '2' } },
];
const ids = (list: Record<string, unknown>[]): unknown[] => list.map((user) => user.id);

describe('sortResources (RFC 7644 3.4.2.3)', () => {
  it('sorts case-insensitively when caseExact is false, stably', () => {
    expect(ids(sortResources(users, 'userName', undefined, 'User'))).toEqual(['b', 'd', 'a', 'c']);
    expect(ids(sortResources(users, 'USERNAME', 'descending', 'User'))).toEqual(['c', 'a', 'b', 'd']);
  });

  it('sorts case-sensitively when caseExact is true (externalId)', () => {
    // "B" < "a" < "b" in code-point order; a has no externalId.
    expect(ids(sortResources(users, 'externalId', 'ascending', 'User'))).toEqual(['c', 'd', 'b', 'a']);
  });

  it('puts missing values last ascending and first descending', () => {
    expect(ids(sortResources(users, 'name.givenName', 'ascending', 'User'))).toEqual(['c', 'a', 'b', 'd']);
    expect(ids(sortResources(users, 'name.givenName', 'descending', 'User'))).toEqual(['b', 'd', 'a', 'c']);
  });

  it('uses the primary value of a multi-valued attribute, else the first', () => {
    // a: primary b@x.org; b: c@x.org; c and d have none.
    expect(ids(sortResources(users, 'emails.value', 'ascending', 'User'))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(sortResources(users, 'emails', 'descending', 'User'))).toEqual(['c', 'd', 'b', 'a']);
  });

  it('sorts dateTime chronologically, not as text', () => {
    // a is 08:00Z, b 09:00Z, c the day before.
    expect(ids(sortResources(users, 'meta.created', 'ascending', 'User'))).toEqual(['c', 'a', 'b', 'd']);
  });

  it('sorts by extension attributes', () => {
    expect(ids(sortResources(users, `${ENTERPRISE_USER_SCHEMA}:employeeNumber`, 'descending', 'User'))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps the order without sortBy and never changes the input', () => {
    const before = JSON.stringify(users);
    expect(ids(sortResources(users, undefined, undefined, 'User'))).toEqual(['a', 'b', 'c', 'd']);
    sortResources(users, 'userName', 'descending', 'User');
    expect(JSON.stringify(users)).toBe(before);
  });

  it.each([
    ['shoeSize', undefined],
    ['name', undefined],
    ['userName', 'upwards'],
    ['password', undefined],
  ])('rejects sortBy=%s sortOrder=%s with invalidValue', (sortBy, sortOrder) => {
    expect(() => sortResources(users, sortBy, sortOrder, 'User')).toThrow(expect.objectContaining({ constructor: ValidationError, scimType: 'invalidValue' }));
  });
});

describe('page (RFC 7644 3.4.2.4)', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  it.each([
    [undefined, undefined, ['a', 'b', 'c', 'd', 'e'], 1],
    [1, 2, ['a', 'b'], 1],
    [3, 2, ['c', 'd'], 3],
    [5, 10, ['e'], 5],
    [6, 10, [], 6],
    [0, 2, ['a', 'b'], 1],
    [-4, 1, ['a'], 1],
    [2, 0, [], 2],
    [2, -3, [], 2],
    [2, undefined, ['b', 'c', 'd', 'e'], 2],
  ])('startIndex=%s count=%s', (startIndex, count, expected, start) => {
    const result = page(items, startIndex, count);
    expect(result).toEqual({ items: expected, totalResults: 5, startIndex: start, itemsPerPage: expected.length });
  });

  it('rejects non-integers', () => {
    expect(() => page(items, 1.5, 2)).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
    expect(() => page(items, 1, Number.NaN)).toThrow(ValidationError);
  });

  it('builds the ListResponse', () => {
    expect(listResponse(page(items, 2, 2))).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 5,
      itemsPerPage: 2,
      startIndex: 2,
      Resources: ['b', 'c'],
    });
  });
});
