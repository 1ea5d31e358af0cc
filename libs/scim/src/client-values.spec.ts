import { isProvisioningError } from '@provisioning/errors';
import { describe, expect, it } from 'vitest';
import { readSample } from '../test/rfc-samples';
import { BULK_REQUEST_SCHEMA, USER_SCHEMA, applyPatch, matchesFilter, parseFilter, planBulk, resolveBulkIds, schemaById, resourceTypeById, sortResources, validateResource } from './index';
import type { BulkStep, ScimResource } from './index';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** A client value far longer than a message may repeat, with control characters in it. */
const BIG = `x\u0000\u001b[31m${'y'.repeat(5000)}`;
const WORD = `a${'b'.repeat(5000)}`;

/** The message of what `action` threw (a ProvisioningError). */
function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(isProvisioningError(error), String(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

/** At most ~200 characters of each quoted value (echo), and never a raw control character. */
function expectBounded(message: string): void {
  expect(message.length, message.slice(0, 120)).toBeLessThan(700);
  expect(message).not.toMatch(CONTROL);
  expect(message).toMatch(/… \(\d+ characters\)/);
}

const user = (): ScimResource => readSample('rfc7643-8.2-full-user.json');
const patch = (operation: Record<string, unknown>): unknown => applyPatch(user(), { schemas: [PATCH], Operations: [operation] }, 'User');

describe('messages quote at most ~200 characters of a client value (issue 10)', () => {
  it.each([
    ['unknown filter attribute', () => matchesFilter(user(), parseFilter(`${WORD} eq "x"`), 'User')],
    ['unknown sub-attribute in a value filter', () => matchesFilter(user(), parseFilter(`emails[${WORD} eq "x"]`), 'User')],
    ['value path on a non-complex attribute', () => matchesFilter(user(), parseFilter(`emails[${WORD}[value eq "x"]]`), 'User')],
    ['filter comparison value', () => matchesFilter(user(), parseFilter(`meta.lastModified gt "${'9'.repeat(5000)}"`), 'User')],
    ['filter syntax', () => parseFilter(`userName eq "x" ${WORD}`)],
    ['PATCH path', () => patch({ op: 'replace', path: WORD, value: 'x' })],
    ['PATCH value path', () => patch({ op: 'replace', path: `${WORD}[type eq "x"]`, value: 'x' })],
    ['PATCH path after "]"', () => patch({ op: 'replace', path: `emails[type eq "work"]${BIG}`, value: 'x' })],
    ['PATCH sub-attribute after a value path', () => patch({ op: 'replace', path: `emails[type eq "work"].${WORD}`, value: 'x' })],
    ['PATCH op', () => patch({ op: BIG, path: 'title', value: 'x' })],
    ['PATCH path-less value key', () => patch({ op: 'add', value: { [BIG]: 'x' } })],
    ['PATCH unknown sub-attribute', () => patch({ op: 'add', path: 'name', value: { [BIG]: 'x' } })],
    ['PATCH wrong type', () => patch({ op: 'replace', path: 'active', value: BIG })],
    ['PATCH mutability, quoting the path', () => patch({ op: 'add', path: `groups[value eq "${WORD}"]`, value: { display: 'x' } })],
    ['POST unknown attribute', () => validateResource({ schemas: [USER_SCHEMA], userName: 'a', [BIG]: 1 }, 'User', { mode: 'create' })],
    ['POST unknown sub-attribute', () => validateResource({ schemas: [USER_SCHEMA], userName: 'a', name: { [BIG]: 1 } }, 'User', { mode: 'create' })],
    ['POST wrong type', () => validateResource({ schemas: [USER_SCHEMA], userName: 'a', active: BIG }, 'User', { mode: 'create' })],
    ['POST schemas', () => validateResource({ schemas: [USER_SCHEMA, BIG], userName: 'a' }, 'User', { mode: 'create' })],
    ['sortBy', () => sortResources([user()], BIG, undefined, 'User')],
    ['sortOrder', () => sortResources([user()], 'userName', BIG, 'User')],
    ['schema id', () => schemaById('https://example.com/scim2', BIG)],
    ['resource type id', () => resourceTypeById('https://example.com/scim2', BIG)],
    ['duplicate bulkId', () => planBulk({ schemas: [BULK_REQUEST_SCHEMA], Operations: [{ method: 'DELETE', path: '/Users/1', bulkId: WORD }, { method: 'DELETE', path: '/Users/2', bulkId: WORD }] }, { maxOperations: 10, maxPayloadSize: 1e9 })],
    ['unresolved bulkId', () => resolveBulkIds({ value: `bulkId:${WORD}` }, new Map())],
    ['self-referencing bulkId', () => resolveBulkIds({ value: `bulkId:${WORD}` }, new Map(), { selfBulkId: WORD })],
  ])('%s', (_label, action) => {
    expectBounded(messageOf(action));
  });

  it('bulk operations that reference undefined or circular bulkIds', () => {
    const post = (bulkId: string, ref: string) => ({ method: 'POST', path: '/Groups', bulkId, data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'g', members: [{ value: `bulkId:${ref}` }] } });
    const rejected = (steps: readonly BulkStep[]) => steps.filter((step) => step.kind === 'rejected').map((step) => (step as { error: Error }).error.message);
    const undefinedRef = rejected(planBulk({ schemas: [BULK_REQUEST_SCHEMA], Operations: [post('a', WORD)] }, { maxOperations: 10, maxPayloadSize: 1e9 }).steps);
    expect(undefinedRef).toHaveLength(1);
    expectBounded(undefinedRef[0]!);
    const circular = rejected(planBulk({ schemas: [BULK_REQUEST_SCHEMA], Operations: [post(WORD, `${WORD}2`), post(`${WORD}2`, WORD)] }, { maxOperations: 10, maxPayloadSize: 1e9 }).steps);
    expect(circular).toHaveLength(2);
    circular.forEach(expectBounded);
  });

  it('non-canonical value warnings', () => {
    const { warnings } = validateResource({ schemas: [USER_SCHEMA], userName: 'a', emails: [{ value: 'a@b', type: BIG }] }, 'User', { mode: 'create' });
    expect(warnings).toHaveLength(1);
    expectBounded(warnings[0]!.message);
  });
});
