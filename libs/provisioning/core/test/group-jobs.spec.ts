import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorIdOf, parseProperties } from '@provisioning/connector-kit';
import type { ConnectorDefinition, ConnectorManifest, GroupProvisioningOperation } from '@provisioning/connector-kit';
import { UpstreamRejectedError } from '@provisioning/errors';
import type { DatabaseHandle } from '@provisioning/persistence';
import { DEFAULT_PROVISIONING_SETTINGS } from '../src/index';
import type { GroupChange, ProvisioningOutbox, ProvisioningSettings, ProvisioningWorker } from '../src/index';
import { startTestEngine } from './support/engine';

const manifest: ConnectorManifest = {
  type: 'grouping',
  connectorId: connectorIdOf('grouping'),
  displayName: 'Grouping',
  description: 'test target with groups',
  capabilities: { users: { create: true, update: true, deprovision: true }, groups: true, passwords: false, preview: false, connectionTest: false },
  properties: [],
};

/** GROUP jobs: sent only to group-capable connectors, after the members exist remotely, and re-synced after a lost delta. */
describe('group jobs', () => {
  let database: DatabaseHandle;
  let worker: ProvisioningWorker;
  let outbox: ProvisioningOutbox;
  const groupOps: GroupProvisioningOperation[] = [];
  let failNextGroup = false;
  const settings: ProvisioningSettings = { ...DEFAULT_PROVISIONING_SETTINGS, pollIntervalMs: 20, initialBackoffMs: 10, maxBackoffMs: 20, maxAttempts: 3 };

  beforeEach(async () => {
    groupOps.length = 0;
    let next = 0;
    const definition: ConnectorDefinition<Record<string, never>> = {
      manifest,
      parseConfig: (p) => parseProperties(manifest, z.object({}), p),
      create: () => ({
        provision: async (op) => ({ outcome: op.kind === 'create' ? 'created' : 'updated', remoteId: op.remoteId ?? `u-${(next += 1)}` }),
        provisionGroup: async (op) => {
          if (failNextGroup) {
            failNextGroup = false;
            throw new UpstreamRejectedError('nope', { status: 400 });
          }
          groupOps.push(op);
          return { outcome: op.kind === 'create' ? 'created' : 'updated', remoteId: op.remoteId ?? 'g-1' };
        },
        preview: async () => ({ method: 'POST', path: '/', body: {}, warnings: [] }),
        testConnection: async () => ({ ok: true, checks: [] }),
        close: async () => {},
      }),
    };
    const engine = await startTestEngine('groups-', [definition as ConnectorDefinition], settings);
    ({ database, outbox, worker } = engine);
    const { idps, resident } = engine;
    await idps.create('carbon.super', {
      name: 'Target',
      claims: { mappings: [{ idpClaim: 'userName', localClaim: { uri: 'http://wso2.org/claims/username' } }], provisioningClaims: [] },
      provisioning: { outboundConnectors: { connectors: [{ connectorId: manifest.connectorId, isEnabled: true, properties: [] }] } },
    });
    await resident.put('carbon.super', { provisioningConfigurations: { outboundProvisioningIdps: [{ idp: 'Target', connector: 'grouping' }] } });
    worker.start();
  });
  afterEach(async () => {
    await worker.stop(100);
    await database.close();
  });

  const member = (n: number) => ({ localId: `user-${n}`, username: `user${n}` });

  async function createUser(n: number): Promise<number> {
    const [job] = await database.db.transaction().execute((trx) =>
      outbox.record(trx, { tenant: 'carbon.super', userId: `user-${n}`, username: `user${n}`, operation: 'create', claims: { 'http://wso2.org/claims/username': `user${n}` } }),
    );
    outbox.committed();
    return job!.id;
  }

  async function groupChange(change: Omit<GroupChange, 'tenant' | 'groupId'>): Promise<number> {
    const [job] = await database.db.transaction().execute((trx) => outbox.recordGroup(trx, { tenant: 'carbon.super', groupId: 'group-1', ...change }));
    outbox.committed();
    return job!.id;
  }

  it('waits for members to exist remotely, then sends them by remote id', async () => {
    // The group job comes first in the queue; the member's create commits with it (so it is open when
    // the group job is claimed) and runs after it.
    const [group, user] = await database.db.transaction().execute(async (trx) => {
      const [g] = await outbox.recordGroup(trx, { tenant: 'carbon.super', groupId: 'group-1', operation: 'create', group: { displayName: 'eng', members: [member(1)], added: [member(1)], removed: [] } });
      const [u] = await outbox.record(trx, { tenant: 'carbon.super', userId: 'user-1', username: 'user1', operation: 'create', claims: { 'http://wso2.org/claims/username': 'user1' } });
      return [g!.id, u!.id];
    });
    outbox.committed();
    const states = await worker.waitFor([user, group], 10_000);
    expect([...states.values()]).toEqual(['succeeded', 'succeeded']);
    expect(groupOps[0]).toMatchObject({ kind: 'create', displayName: 'eng', members: [{ localId: 'user-1', remoteId: 'u-1' }] });
  });

  it('replaces the remote membership after a lost delta', async () => {
    await worker.waitFor([await createUser(1), await createUser(2), await createUser(3)], 10_000);
    await worker.waitFor([await groupChange({ operation: 'create', group: { displayName: 'eng', members: [member(1)], added: [member(1)], removed: [] } })], 10_000);
    failNextGroup = true;
    const lost = await groupChange({ operation: 'update', group: { displayName: 'eng', members: [member(1), member(2)], added: [member(2)], removed: [] } });
    expect((await worker.waitFor([lost], 10_000)).get(lost)).toBe('failed');
    const next = await groupChange({ operation: 'update', group: { displayName: 'eng', members: [member(1), member(2), member(3)], added: [member(3)], removed: [] } });
    expect((await worker.waitFor([next], 10_000)).get(next)).toBe('succeeded');
    expect(groupOps.at(-1)!.replaceMembers).toBe(true);
    expect(groupOps.at(-1)!.members.map((m) => m.localId)).toEqual(['user-1', 'user-2', 'user-3']);
    expect(groupOps.at(-1)!.addedMembers.map((m) => m.localId)).toEqual(['user-1', 'user-2', 'user-3']);
  });
});
