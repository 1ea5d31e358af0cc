import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleOperation } from '@provisioning/connector-kit/testing';
import { startScimTarget } from './testing';
import type { RunningScimTarget } from './testing';
import { connect, rejection, userAttributes } from './testing/spec-helpers';

describe('SCIM 2.0 connector: what the target does not support', () => {
  let target: RunningScimTarget;
  beforeEach(async () => {
    target = await startScimTarget();
  });
  afterEach(async () => target.close());

  it('without PATCH: reads the user and PUTs it back with If-Match, keeping attributes it does not map', async () => {
    target.state.options.patch = false;
    const attrs = userAttributes({ title: 'Engineer' });
    const connector = connect(target);
    const created = await connector.provision(sampleOperation('create', attrs));
    const updated = await connector.provision(sampleOperation('update', { 'name.familyName': 'Put' }, { remoteId: created.remoteId, allAttributes: [] }));
    expect(updated.outcome).toBe('updated');
    expect(target.state.user(created.remoteId!)).toMatchObject({ title: 'Engineer', name: { givenName: 'Kim', familyName: 'Put' } });
    const put = target.state.requestsTo('PUT', /^\/scim2\/Users\//).at(-1)!;
    expect(put.headers['if-match']).toMatch(/^W\/"\d+"$/);
    expect(target.state.requestsTo('PATCH', /./)).toHaveLength(0);
    await connector.provision(sampleOperation('deprovision', {}, { remoteId: created.remoteId }));
    expect(target.state.user(created.remoteId!)?.active).toBe(false);
    expect((await connector.preview(sampleOperation('update', { title: 'x' }, { remoteId: 'abc' }))).method).toBe('PUT');
  });

  it('without a ServiceProviderConfig: relies on nothing optional (PUT, no search)', async () => {
    target.state.options.serviceProviderConfig = false;
    const connector = connect(target);
    const created = await connector.provision(sampleOperation('create', userAttributes()));
    await connector.provision(sampleOperation('update', { title: 'Lead' }, { remoteId: created.remoteId }));
    expect(target.state.user(created.remoteId!)?.title).toBe('Lead');
    expect(target.state.requests.some((r) => r.url.includes('filter='))).toBe(false);
    const report = await connector.testConnection();
    expect(report.checks[0].detail).toMatch(/no ServiceProviderConfig served/);
  });

  it('without filtering: a 409 cannot be linked and the message says why and what to do', async () => {
    target.state.options.filter = false;
    const attrs = userAttributes();
    await connect(target).provision(sampleOperation('create', attrs));
    const error = await rejection(connect(target).provision(sampleOperation('create', attrs)));
    expect(error).toMatchObject({ kind: 'upstream-rejected', status: 409, remoteCode: 'uniqueness' });
    expect((error as Error).message).toMatch(/does not support filtering, so it cannot be linked; map userName to a claim that is unique/);
  });

  it('a target that refuses the search (400 invalidFilter) still gets the create', async () => {
    target.state.injectFault({ method: 'GET', path: /^\/Users$/, action: { type: 'status', status: 400, scimType: 'invalidFilter' } });
    expect((await connect(target).provision(sampleOperation('create', userAttributes()))).outcome).toBe('created');
  });

  it('a target that ignores the filter cannot make the connector link the wrong user', async () => {
    target.state.options.honourFilter = false;
    const someone = await connect(target).provision(sampleOperation('create', userAttributes()));
    const mine = await connect(target).provision(sampleOperation('create', userAttributes()));
    expect(mine.outcome).toBe('created');
    expect(mine.remoteId).not.toBe(someone.remoteId);
  });

  it('an update of a user deleted on the target fails permanently, saying so', async () => {
    const created = await connect(target).provision(sampleOperation('create', userAttributes()));
    target.state.users.delete(created.remoteId!);
    const error = await rejection(connect(target).provision(sampleOperation('update', { title: 'x' }, { remoteId: created.remoteId })));
    expect(error).toMatchObject({ kind: 'upstream-rejected', status: 404 });
    expect((error as Error).message).toMatch(/no longer exists on the target/);
  });
});
