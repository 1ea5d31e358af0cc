import { describe, expect, it } from 'vitest';
import { planUserList } from './user-list-plan';

describe('planUserList', () => {
  it('answers userName and id equality from their index', () => {
    expect(planUserList({ filter: 'userName eq "kim@wso2.com"' })).toMatchObject({ kind: 'by-username', value: 'kim@wso2.com' });
    expect(planUserList({ filter: 'id eq "123"' })).toMatchObject({ kind: 'by-id', value: '123' });
  });

  it('pages plain lists in SQL, within the server page size', () => {
    expect(planUserList({})).toEqual({ kind: 'page', startIndex: 1, count: 1000 });
    expect(planUserList({ startIndex: -5, count: 5000 })).toEqual({ kind: 'page', startIndex: 1, count: 1000 });
    expect(planUserList({ startIndex: 11, count: 10 })).toEqual({ kind: 'page', startIndex: 11, count: 10 });
  });

  it('scans with a SQL prefilter otherwise, loading memberships only when groups are looked at', () => {
    expect(planUserList({ filter: 'name.familyName sw "P"' })).toMatchObject({ kind: 'scan', prefilter: { kind: 'text', op: 'sw' }, needsGroups: false });
    expect(planUserList({ filter: 'groups.display eq "Sales"' })).toMatchObject({ kind: 'scan', needsGroups: true });
    expect(planUserList({ sortBy: 'userName' })).toEqual({ kind: 'scan', needsGroups: false });
  });

  it('refuses an invalid filter with invalidFilter', () => {
    expect(() => planUserList({ filter: 'userName xx "a"' })).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
  });
});
