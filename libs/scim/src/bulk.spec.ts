import { ConflictError, ValidationError } from '@provisioning/errors';
import { describe, expect, it } from 'vitest';
import { expectScimError } from '../test/expect-scim-error';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, bulkIdReferences, planBulk, resolveBulkIds } from './index';
import type { BulkOperationStep, BulkPlan, RejectedBulkStep } from './index';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIMITS = { maxOperations: 10, maxPayloadSize: 1_048_576 };
const request = (...Operations: unknown[]): Record<string, unknown> => ({ schemas: [BULK], Operations });
const postUser = (bulkId: string, data: Record<string, unknown> = {}): Record<string, unknown> => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: { schemas: [USER_SCHEMA], userName: bulkId, ...data },
});
const postGroup = (bulkId: string, memberRefs: string[]): Record<string, unknown> => ({
  method: 'POST',
  path: '/Groups',
  bulkId,
  data: { schemas: [GROUP_SCHEMA], displayName: bulkId, members: memberRefs.map((ref) => ({ type: 'Group', value: `bulkId:${ref}` })) },
});
const order = (plan: BulkPlan): [number, string][] => plan.steps.map((step) => [step.index, step.kind]);
const rejectedAt = (plan: BulkPlan, index: number): RejectedBulkStep => {
  const step = plan.steps.find((candidate) => candidate.index === index);
  expect(step?.kind).toBe('rejected');
  return step as RejectedBulkStep;
};

describe('planBulk: RFC 7644 3.7 examples', () => {
  it('3.7.2: a new User added to a new Group, in order; bulkId references resolved', () => {
    const plan = planBulk(
      request(postUser('qwerty'), {
        method: 'POST',
        path: '/Groups',
        bulkId: 'ytrewq',
        data: { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:qwerty' }] },
      }),
      LIMITS,
    );
    expect(order(plan)).toEqual([
      [0, 'operation'],
      [1, 'operation'],
    ]);
    const group = plan.steps[1] as BulkOperationStep;
    expect(group).toMatchObject({ method: 'POST', resourceType: 'Group', bulkId: 'ytrewq', references: ['qwerty'] });
    const data = resolveBulkIds(group.data, new Map([['qwerty', '92b725cd-9465-4e7d-8c16-01f8e146b87a']]));
    expect(data?.members).toEqual([{ type: 'User', value: '92b725cd-9465-4e7d-8c16-01f8e146b87a' }]);
  });

  it('3.7.2: an extension reference (manager) is found too, and moves its operation after the POST', () => {
    const plan = planBulk(
      request(
        {
          method: 'POST',
          path: '/Users',
          bulkId: 'ytrewq',
          data: { schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA], userName: 'Bob', [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '11250', manager: { value: 'bulkId:qwerty' } } },
        },
        postUser('qwerty'),
      ),
      LIMITS,
    );
    expect(order(plan)).toEqual([
      [1, 'operation'],
      [0, 'operation'],
    ]);
  });

  it('3.7.1: circular references are reported as 409 conflicts; independent operations still run', () => {
    const plan = planBulk(request(postGroup('qwerty', ['ytrewq']), postGroup('ytrewq', ['qwerty']), postGroup('downstream', ['qwerty']), postUser('alone')), LIMITS);
    expect(order(plan)).toEqual([
      [3, 'operation'],
      [0, 'rejected'],
      [1, 'rejected'],
      [2, 'rejected'],
    ]);
    const cycle = rejectedAt(plan, 0).error;
    expect(cycle).toBeInstanceOf(ConflictError);
    expect(cycle.message).toContain('bulkId:qwerty -> bulkId:ytrewq -> bulkId:qwerty');
    expect(rejectedAt(plan, 2).error).toBeInstanceOf(ConflictError);
  });

  it('3.7.3: add, replace, patch and delete with failOnErrors', () => {
    const plan = planBulk(
      {
        schemas: [BULK],
        failOnErrors: 1,
        Operations: [
          postUser('qwerty'),
          { method: 'PUT', path: '/Users/b7c14771-226c-4d05-8860-134711653041', version: 'W/"3694e05e9dff591"', data: { schemas: [USER_SCHEMA], userName: 'Bob' } },
          { method: 'PATCH', path: '/Users/5d8d29d3-342c-4b5f-8683-a3cb6763ffcc', version: 'W/"edac3253e2c0ef2"', data: { schemas: [PATCH], Operations: [{ op: 'remove', path: 'nickName' }] } },
          { method: 'DELETE', path: '/Users/e9025315-6bea-44e1-899c-1e07454e468b', version: 'W/"0ee8add0a938e1a"' },
        ],
      },
      LIMITS,
    );
    expect(plan.failOnErrors).toBe(1);
    expect(plan.steps.map((step) => (step.kind === 'operation' ? [step.method, step.resourceId, step.version] : step.kind))).toEqual([
      ['POST', undefined, undefined],
      ['PUT', 'b7c14771-226c-4d05-8860-134711653041', 'W/"3694e05e9dff591"'],
      ['PATCH', '5d8d29d3-342c-4b5f-8683-a3cb6763ffcc', 'W/"edac3253e2c0ef2"'],
      ['DELETE', 'e9025315-6bea-44e1-899c-1e07454e468b', 'W/"0ee8add0a938e1a"'],
    ]);
  });
});

describe('planBulk: references', () => {
  it('a path may reference a bulkId (PUT /Users/bulkId:x) and is ordered after its POST', () => {
    const plan = planBulk(request({ method: 'PUT', path: '/Users/bulkId:qwerty', data: { schemas: [USER_SCHEMA], userName: 'x' } }, postUser('qwerty')), LIMITS);
    expect(order(plan)).toEqual([
      [1, 'operation'],
      [0, 'operation'],
    ]);
    const put = plan.steps[1] as BulkOperationStep;
    expect(put).toMatchObject({ resourceId: 'bulkId:qwerty', references: ['qwerty'] });
    expect(resolveBulkIds(put.path, { qwerty: 'abc' })).toBe('/Users/abc');
  });

  it('a reference no POST defines rejects that operation with invalidValue', () => {
    const plan = planBulk(request(postGroup('g', ['nobody']), postUser('u')), LIMITS);
    const error = rejectedAt(plan, 0).error;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ scimType: 'invalidValue', details: { bulkIds: ['nobody'] } });
    expect((plan.steps.find((step) => step.index === 1) as BulkOperationStep).kind).toBe('operation');
  });

  it('an operation referencing its own bulkId is a circular reference', () => {
    const error = rejectedAt(planBulk(request(postGroup('self', ['self'])), LIMITS), 0).error;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe('Circular bulkId reference bulkId:self -> bulkId:self');
  });
});

describe('planBulk: request-level errors', () => {
  it('more operations than maxOperations -> tooMany, details.status 413 (RFC 7644 3.7.4)', () => {
    const error = expectScimError(() => planBulk(request(postUser('a'), postUser('b'), postUser('c')), { maxOperations: 2, maxPayloadSize: 1_000_000 }), 'tooMany');
    expect(error.details).toEqual({ status: 413, limit: 'maxOperations', max: 2, actual: 3 });
    expect(error.message).toContain('maxOperations (2)');
  });

  it('a payload above maxPayloadSize -> tooMany, details.status 413, measured or given', () => {
    const body = request(postUser('a', { displayName: 'x'.repeat(200) }));
    const measured = expectScimError(() => planBulk(body, { maxOperations: 10, maxPayloadSize: 100 }), 'tooMany');
    expect(measured.details).toMatchObject({ status: 413, limit: 'maxPayloadSize', max: 100 });
    expect(measured.message).toBe('The size of the bulk operation exceeds the maxPayloadSize (100)');
    expectScimError(() => planBulk(request(postUser('a')), { maxOperations: 10, maxPayloadSize: 100 }, 4096), 'tooMany');
  });

  it.each([
    ['not an object', 'x', 'invalidSyntax'],
    ['no schemas', { Operations: [postUser('a')] }, 'invalidSyntax'],
    ['no operations', request(), 'invalidSyntax'],
    ['failOnErrors 0', { ...request(postUser('a')), failOnErrors: 0 }, 'invalidValue'],
    ['failOnErrors text', { ...request(postUser('a')), failOnErrors: 'one' }, 'invalidValue'],
    ['duplicate bulkIds', request(postUser('a'), postUser('a')), 'invalidValue'],
  ])('%s -> %s', (_label, body, scimType) => {
    expectScimError(() => planBulk(body, LIMITS), scimType);
  });
});

describe('planBulk: operation-level errors are rejected steps', () => {
  it.each([
    ['unknown method', { method: 'GET', path: '/Users/1' }, 'invalidValue'],
    ['POST without bulkId', { method: 'POST', path: '/Users', data: {} }, 'invalidValue'],
    ['bulkId with a slash', { method: 'POST', path: '/Users', bulkId: 'a/b', data: {} }, 'invalidValue'],
    ['POST to a resource', { method: 'POST', path: '/Users/1', bulkId: 'x', data: {} }, 'invalidValue'],
    ['PUT without id', { method: 'PUT', path: '/Users', data: {} }, 'invalidValue'],
    ['unknown endpoint', { method: 'DELETE', path: '/Devices/1' }, 'invalidValue'],
    ['missing data', { method: 'PUT', path: '/Users/1' }, 'invalidSyntax'],
    ['bad PatchOp data', { method: 'PATCH', path: '/Groups/1', data: { Operations: [] } }, 'invalidSyntax'],
    ['version not a string', { method: 'DELETE', path: '/Users/1', version: 3 }, 'invalidValue'],
    ['not an object', 'DELETE /Users/1', 'invalidSyntax'],
  ])('%s -> %s', (_label, operation, scimType) => {
    const plan = planBulk(request(operation, postUser('ok')), LIMITS);
    expect(rejectedAt(plan, 0).error).toMatchObject({ scimType });
    expect(plan.steps.filter((step) => step.kind === 'operation').map((step) => step.index)).toEqual([1]);
  });

  it('accepts methods in any case', () => {
    const plan = planBulk(request({ method: 'delete', path: '/groups/42/' }), LIMITS);
    expect(plan.steps[0]).toMatchObject({ kind: 'operation', method: 'DELETE', resourceType: 'Group', resourceId: '42' });
  });
});

describe('resolveBulkIds', () => {
  const data = {
    members: [{ value: 'bulkId:a', $ref: 'https://example.com/v2/Users/bulkId:a' }, { value: 'bulkId:b' }, { value: 'x-bulkId:a' }],
    nested: { list: ['bulkId:b'] },
  };

  it('replaces references anywhere, including $ref URLs, without changing the input', () => {
    const before = JSON.stringify(data);
    expect(resolveBulkIds(data, { a: 'id-a', b: 'id-b' })).toEqual({
      members: [{ value: 'id-a', $ref: 'https://example.com/v2/Users/id-a' }, { value: 'id-b' }, { value: 'x-bulkId:a' }],
      nested: { list: ['id-b'] },
    });
    expect(JSON.stringify(data)).toBe(before);
    expect(bulkIdReferences(data)).toEqual(['a', 'b']);
  });

  it('names unresolved references (invalidValue) and detects self references (409)', () => {
    const error = expectScimError(() => resolveBulkIds(data, new Map([['a', 'id-a']])), 'invalidValue');
    expect(error.details).toEqual({ bulkIds: ['b'] });
    expectScimError(() => resolveBulkIds(data, { a: 'id-a', b: 'id-b' }, { selfBulkId: 'b' }), undefined, ConflictError);
  });
});
