import { describe, expect, it } from 'vitest';
import type { ConnectorDefinition, OutboundConnector } from '../connector';
import type { ContractHarness } from './contract-harness';
import { expectKind } from './contract-harness';
import { sampleGroupOperation, sampleOperation } from './sample-operation';

/**
 * The group rules of the contract: group operations exist exactly when declared, and a connector that
 * declares them proves create -> rename/membership change -> delete against its target.
 */
export function describeGroupContract(definition: ConnectorDefinition, harness: ContractHarness, connector: () => OutboundConnector): void {
  const caps = definition.manifest.capabilities;

  describe('groups', () => {
    it('implements group operations exactly when it declares them', async () => {
      const instance = connector();
      if (caps.groups) {
        expect(typeof instance.provisionGroup, 'capabilities.groups requires provisionGroup').toBe('function');
        expect(Boolean(harness.groupTarget), 'a connector that declares groups must provide a contract group target').toBe(true);
      } else if (instance.provisionGroup) {
        await expectKind(instance.provisionGroup(sampleGroupOperation('create', 'Contract group')), 'not-supported');
      }
    });

    const { target, groupTarget } = harness;
    if (!caps.groups || !target || !groupTarget || !caps.users.create) return;

    it('round trip: create a group with a member -> rename and swap members -> delete reaches the target', async () => {
      const instance = connector();
      const provisionGroup = instance.provisionGroup!.bind(instance);
      const stamp = Date.now();
      const users = [];
      for (const n of [1, 2]) {
        const created = await instance.provision(sampleOperation('create', target.createAttributes(), { localId: `contract-member-${stamp}-${n}` }));
        users.push({ localId: `contract-member-${stamp}-${n}`, username: `member${n}`, remoteId: created.remoteId! });
      }
      const [first, second] = users;
      const name = `Contract group ${stamp}`;

      const created = await provisionGroup(sampleGroupOperation('create', name, { members: [first] }));
      expect(created.outcome).toBe('created');
      expect(created.remoteId).toBeTruthy();
      const remoteId = created.remoteId!;
      const record = await groupTarget.read(remoteId);
      expect(record && groupTarget.displayNameOf(record)).toBe(name);
      expect(record && groupTarget.memberIdsOf(record)).toEqual([first.remoteId]);

      const renamed = `${name} (renamed)`;
      const updated = await provisionGroup(
        sampleGroupOperation('update', renamed, { remoteId, members: [second], addedMembers: [second], removedMembers: [first] }),
      );
      expect(['updated', 'unchanged']).toContain(updated.outcome);
      const after = await groupTarget.read(remoteId);
      expect(after && groupTarget.displayNameOf(after)).toBe(renamed);
      expect(after && groupTarget.memberIdsOf(after)).toEqual([second.remoteId]);

      const deleted = await provisionGroup(sampleGroupOperation('delete', renamed, { remoteId }));
      expect(deleted.outcome).toBe('deleted');
      expect(await groupTarget.read(remoteId)).toBeUndefined();
    });
  });
}
