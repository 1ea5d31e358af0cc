import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleOperation } from '@provisioning/connector-kit/testing';
import { startScimTarget } from './testing';
import type { RunningScimTarget } from './testing';
import { connect, recorder, rejection, userAttributes } from './testing/spec-helpers';

describe('SCIM 2.0 connector: failures map to the error taxonomy', () => {
  let target: RunningScimTarget;
  beforeAll(async () => {
    target = await startScimTarget();
  });
  afterAll(async () => target.close());
  afterEach(() => target.state.clearFaults());

  it('honours 429 Retry-After as a throttle with retryAfterMs', async () => {
    target.state.injectFault({ method: 'POST', path: /^\/Users$/, action: { type: 'status', status: 429, retryAfter: '7', detail: 'slow down' } });
    const error = await rejection(connect(target).provision(sampleOperation('create', userAttributes())));
    expect(error).toMatchObject({ kind: 'upstream-throttled', status: 429, retryAfterMs: 7_000, remoteMessage: 'slow down' });
  });

  it('honours 503 Retry-After (HTTP date) as unavailable, not applied', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    target.state.injectFault({ method: 'POST', path: /^\/Users$/, action: { type: 'status', status: 503, retryAfter: at } });
    const error = await rejection(connect(target).provision(sampleOperation('create', userAttributes())));
    expect(error).toMatchObject({ kind: 'upstream-unavailable', status: 503, outcomeUnknown: false });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(20_000);
  });

  it('treats other 5xx on a write as unavailable with the outcome unknown', async () => {
    target.state.injectFault({ method: 'PATCH', action: { type: 'status', status: 500 } });
    const created = await connect(target).provision(sampleOperation('create', userAttributes()));
    const error = await rejection(connect(target).provision(sampleOperation('update', { title: 'x' }, { remoteId: created.remoteId })));
    expect(error).toMatchObject({ kind: 'upstream-unavailable', status: 500, outcomeUnknown: true });
  });

  it('maps a 4xx to a rejection carrying SCIM scimType and detail, and records the call', async () => {
    target.state.injectFault({ method: 'POST', path: /^\/Users$/, action: { type: 'status', status: 400, scimType: 'invalidValue', detail: 'title is too long' } });
    const { calls, record } = recorder();
    const error = await rejection(connect(target).provision(sampleOperation('create', userAttributes()), { record }));
    expect(error).toMatchObject({ kind: 'upstream-rejected', status: 400, remoteCode: 'invalidValue', remoteMessage: 'title is too long' });
    expect((error as Error).message).toMatch(/POST \/scim2\/Users: the SCIM target rejected the request \(400\) \(invalidValue: title is too long\)/);
    expect(calls.at(-1)).toMatchObject({ method: 'POST', path: '/scim2/Users', status: 400, remoteCode: 'invalidValue', remoteMessage: 'title is too long' });
    expect(JSON.stringify(calls)).not.toContain('scim-target-password');
  });

  it('times out a hung request at requestTimeoutMs; a write that may have been applied is outcome-unknown', async () => {
    target.state.injectFault({ method: 'POST', path: /^\/Users$/, action: { type: 'apply-then-hang' } });
    const before = target.state.requestsTo('POST', /\/Users$/).length;
    const error = await rejection(connect(target, {}, { requestTimeoutMs: 1_000 }).provision(sampleOperation('create', userAttributes())));
    expect(target.state.requestsTo('POST', /\/Users$/).length).toBe(before + 1);
    expect(error).toMatchObject({ kind: 'upstream-unavailable', outcomeUnknown: true });
    expect((error as Error).message).toMatch(/POST \/scim2\/Users: the SCIM target did not answer within 1000 ms/);
  });

  it('stops when the engine aborts the operation', async () => {
    target.state.injectFault({ method: 'GET', path: /^\/Users$/, action: { type: 'hang' } });
    const searches = target.state.requestsTo('GET', /\/Users$/).length;
    const controller = new AbortController();
    const pending = connect(target, {}, { requestTimeoutMs: 10_000 }).provision(sampleOperation('create', userAttributes()), { signal: controller.signal });
    await target.state.waitForRequest('GET', /\/Users$/, searches);
    controller.abort();
    expect(await rejection(pending)).toMatchObject({ kind: 'upstream-unavailable', message: expect.stringMatching(/aborted before the SCIM target answered/) });
  });

  it('reports a refused connection as unavailable and certainly not applied', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const closed = { ...target, usersUrl: `http://127.0.0.1:${port}/scim2/Users` };
    const error = await rejection(connect(closed).provision(sampleOperation('create', userAttributes())));
    expect(error).toMatchObject({ kind: 'upstream-unavailable', outcomeUnknown: false, remoteCode: 'ECONNREFUSED' });
  });

  it('reads the ServiceProviderConfig once per instance, and again after a failed read', async () => {
    const connector = connect(target);
    const spcReads = () => target.state.requestsTo('GET', /\/ServiceProviderConfig$/).length;
    const before = spcReads();
    target.state.injectFault({ method: 'GET', path: /^\/ServiceProviderConfig$/, action: { type: 'status', status: 503 } });
    await rejection(connector.provision(sampleOperation('create', userAttributes())));
    await connector.provision(sampleOperation('create', userAttributes()));
    await connector.provision(sampleOperation('create', userAttributes()));
    expect(spcReads() - before).toBe(2);
  });
});
