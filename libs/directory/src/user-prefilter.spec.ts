import { describe, expect, it } from 'vitest';
import { parseFilter } from '@provisioning/scim';
import { userPrefilter } from './user-prefilter';

describe('userPrefilter', () => {
  it.each([
    ['name.familyName sw "X"', { kind: 'text', path: ['name', 'familyName'], op: 'sw', value: 'X' }],
    ['USERNAME eq "a@b.c"', { kind: 'text', path: ['userName'], op: 'eq', value: 'a@b.c' }],
    ['urn:ietf:params:scim:schemas:core:2.0:User:title pr', { kind: 'text', path: ['title'], op: 'pr' }],
    ['title eq "x" and emails co "y"', { kind: 'and', parts: [{ kind: 'text', path: ['title'], op: 'eq', value: 'x' }] }],
    ['title eq "x" or emails co "y"', { kind: 'all' }],
    ['not (title eq "x")', { kind: 'all' }],
    ['name.familyName eq "Émile"', { kind: 'all' }],
    ['meta.created gt "2020-01-01T00:00:00Z"', { kind: 'all' }],
    ['emails[type eq "work"]', { kind: 'all' }],
    ['title ne "x"', { kind: 'all' }],
  ])('%s', (text, expected) => {
    expect(userPrefilter(parseFilter(text))).toEqual(expected);
  });
});
