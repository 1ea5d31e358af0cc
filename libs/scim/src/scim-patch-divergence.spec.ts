import { scimPatch } from 'scim-patch';
import type { ScimPatchOperation, ScimResource as LibraryResource } from 'scim-patch';
import { describe, expect, it } from 'vitest';
import { expectScimError } from '../test/expect-scim-error';
import { readSample } from '../test/rfc-samples';
import { applyPatch } from './index';
import type { ScimResource } from './index';

/**
 * Why applyPatch does not delegate to scim-patch 0.8.3 (see patch.ts): each case runs the library
 * and ours on the same input. If a scim-patch upgrade fixes a case, its expectation fails here and
 * the decision can be revisited.
 */
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const user = (): ScimResource => readSample('rfc7643-8.2-full-user.json');
const library = (resource: ScimResource, operations: Record<string, unknown>[]): Record<string, unknown> =>
  scimPatch(resource as unknown as LibraryResource, operations as unknown as ScimPatchOperation[], { mutateDocument: false, treatMissingAsAdd: true }) as unknown as Record<string, unknown>;
const ours = (resource: ScimResource, operations: Record<string, unknown>[]): ScimResource => applyPatch(resource, { schemas: [PATCH], Operations: operations }, 'User').resource;

describe('scim-patch 0.8.3 versus applyPatch', () => {
  it('attribute names: the RFC\'s "nickname" is nickName, not a second attribute', () => {
    const operations = [{ op: 'add', value: { nickname: 'Barbie' } }];
    expect(library(user(), operations)).toMatchObject({ nickName: 'Babs', nickname: 'Barbie' });
    const result = ours(user(), operations);
    expect(result.nickName).toBe('Barbie');
    expect(result).not.toHaveProperty('nickname');
  });

  it('path-less add of a complex attribute merges instead of replacing it', () => {
    const operations = [{ op: 'add', value: { name: { middleName: 'J.' } } }];
    expect(library(user(), operations).name).toEqual({ middleName: 'J.' });
    expect(ours(user(), operations).name).toMatchObject({ givenName: 'Barbara', middleName: 'J.' });
  });

  it('mutability: id cannot be replaced', () => {
    const operations = [{ op: 'replace', path: 'id', value: 'stolen' }];
    expect(library(user(), operations).id).toBe('stolen');
    expectScimError(() => ours(user(), operations), 'mutability');
  });

  it('op names are case-insensitive', () => {
    const operations = [{ op: 'ADD', path: 'title', value: 'Boss' }];
    expect(() => library(user(), operations)).toThrow();
    expect(ours(user(), operations).title).toBe('Boss');
  });

  it('value filters follow caseExact, and a replace without match is noTarget, not an append', () => {
    const start = { ...user(), emails: [{ value: 'a@example.com', type: 'Work' }] };
    const operations = [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'b@example.com' }];
    expect(library(start, operations).emails).toEqual([{ value: 'a@example.com', type: 'Work' }, { type: 'work', value: 'b@example.com' }]);
    expect(ours(start, operations).emails).toEqual([{ value: 'b@example.com', type: 'Work' }]);
    expectScimError(() => ours(start, [{ op: 'replace', path: 'emails[type eq "home"].value', value: 'x' }]), 'noTarget');
  });

  it('a member added again with another $ref is not duplicated', () => {
    const group = readSample('rfc7643-8.4-group.json');
    const operations = [{ op: 'add', path: 'members', value: [{ value: '2819c223-7f76-453a-919d-413861904646', $ref: 'https://example.com/v2/Users/2819c223...' }] }];
    expect((library(group, operations).members as unknown[]).length).toBe(3);
    expect((applyPatch(group, { schemas: [PATCH], Operations: operations }, 'Group').resource.members as unknown[]).length).toBe(2);
  });
});
