import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleGroupOperation, sampleOperation } from '@provisioning/connector-kit/testing';
import type { GroupMember, OutboundConnector } from '@provisioning/connector-kit';
import { startScimTarget } from './testing';
import type { RunningScimTarget } from './testing';
import { connect, userAttributes } from './testing/spec-helpers';

describe('SCIM 2.0 connector: groups', () => {
  let target: RunningScimTarget;
  let connector: OutboundConnector;
  const member = async (n: number): Promise<GroupMember> => {
    const created = await connector.provision(sampleOperation('create', userAttributes()));
    return { localId: `local-${n}`, username: `member${n}`, remoteId: created.remoteId! };
  };
  const memberIds = (id: string) => ((target.state.group(id)?.members ?? []) as Array<{ value: string }>).map((m) => m.value);

  beforeEach(async () => {
    target = await startScimTarget();
    connector = connect(target);
  });
  afterEach(async () => target.close());

  it('leaves out members not provisioned to this target and says so', async () => {
    const a = await member(1);
    const created = await connector.provisionGroup!(sampleGroupOperation('create', 'Sales', { members: [a, { localId: 'l2', username: 'not-yet' }] }));
    expect(created).toMatchObject({ outcome: 'created', note: expect.stringMatching(/1 member\(s\) left out.*not-yet/) });
    expect(memberIds(created.remoteId!)).toEqual([a.remoteId]);
    expect(target.state.group(created.remoteId!)?.externalId).toBe('contract-group-1');
  });

  it('links to an existing group with the same displayName and makes its members ours', async () => {
    const [a, b] = [await member(1), await member(2)];
    const first = await connector.provisionGroup!(sampleGroupOperation('create', 'Engineering', { members: [a] }));
    const again = await connector.provisionGroup!(sampleGroupOperation('create', 'Engineering', { members: [b] }));
    expect(again).toMatchObject({ outcome: 'linked', remoteId: first.remoteId });
    expect(memberIds(first.remoteId!)).toEqual([b.remoteId]);
  });

  it('without PATCH, updates membership with GET + PUT', async () => {
    target.state.options.patch = false;
    const [a, b, c] = [await member(1), await member(2), await member(3)];
    const created = await connector.provisionGroup!(sampleGroupOperation('create', 'Ops', { members: [a, b] }));
    await connector.provisionGroup!(sampleGroupOperation('update', 'Ops team', { remoteId: created.remoteId, members: [b, c], addedMembers: [c], removedMembers: [a] }));
    expect(target.state.group(created.remoteId!)).toMatchObject({ displayName: 'Ops team' });
    expect(memberIds(created.remoteId!)).toEqual([b.remoteId, c.remoteId]);
    expect(target.state.requestsTo('PATCH', /./)).toHaveLength(0);
  });

  it('deletes by displayName when no remote id was stored, and treats a missing group as done', async () => {
    const created = await connector.provisionGroup!(sampleGroupOperation('create', 'Temp'));
    expect(await connector.provisionGroup!(sampleGroupOperation('delete', 'Temp'))).toMatchObject({ outcome: 'deleted', remoteId: created.remoteId });
    expect(await connector.provisionGroup!(sampleGroupOperation('delete', 'Temp', { remoteId: created.remoteId }))).toMatchObject({ outcome: 'unchanged' });
  });
});
