import { describe, expect, it } from 'vitest';
import { UpstreamRejectedError } from '@provisioning/errors';
import type { RemoteAccount } from '../accounts';
import type { ConnectorDefinition, OutboundConnector } from '../connector';
import type { ContractHarness } from './contract-harness';
import { sampleOperation } from './sample-operation';

/**
 * The rules of the optional account capabilities: `listAccounts` (reconciliation reads the target in
 * pages) and `provisionBatch` (several operations per call, an outcome per operation). Each exists
 * exactly when declared; a connector without one gets these tests reported as skipped, not passed.
 */
export function describeAccountContract(definition: ConnectorDefinition, harness: ContractHarness, connector: () => OutboundConnector): void {
  const caps = definition.manifest.capabilities;
  const target = harness.target;
  const canList = Boolean(caps.listAccounts && target && caps.users.create);
  const canBatch = Boolean(caps.batch && target && caps.users.create);

  describe('accounts', () => {
    it('implements listAccounts and provisionBatch exactly when it declares them', () => {
      const instance = connector();
      expect(typeof instance.listAccounts === 'function', 'capabilities.listAccounts <-> listAccounts()').toBe(Boolean(caps.listAccounts));
      expect(typeof instance.describeAccount === 'function', 'capabilities.listAccounts <-> describeAccount()').toBe(Boolean(caps.listAccounts));
      expect(typeof instance.provisionBatch === 'function', 'capabilities.batch <-> provisionBatch()').toBe(Boolean(caps.batch));
      if (caps.batch) expect(caps.batch.maxOperations, 'batch.maxOperations').toBeGreaterThanOrEqual(1);
    });

    it.skipIf(!canList)('lists every account once across its pages, with its name, state and the requested fields', async () => {
      const t = target!;
      const [field, value] = t.updateAttribute;
      const first = await connector().provision(sampleOperation('create', { ...t.createAttributes(), [field]: value }, { localId: `list-a-${Date.now()}` }));
      const second = await connector().provision(sampleOperation('create', t.createAttributes(), { localId: `list-b-${Date.now()}` }));
      await connector().provision(sampleOperation('deprovision', {}, { remoteId: second.remoteId! }));
      const listed = await listAll(connector(), [field]);
      const ids = listed.map((a) => a.remoteId);
      expect(new Set(ids).size, 'no account twice').toBe(ids.length);
      const a = listed.find((x) => x.remoteId === first.remoteId);
      expect(a, 'the created account is listed').toBeDefined();
      expect(a!.remoteName.trim()).not.toBe('');
      expect(a!.active).toBe(true);
      expect(a!.attributes[field]).toBe(value);
      const b = listed.find((x) => x.remoteId === second.remoteId);
      // Deprovisioned: listed as inactive, or gone when the target deletes.
      if (b) expect(b.active).toBe(false);
    });

    it.skipIf(!canList)('describes a created account exactly as the listing shows it (a fresh account is in sync)', async () => {
      const t = target!;
      const operation = sampleOperation('create', t.createAttributes(), { localId: `describe-${Date.now()}` });
      const created = await connector().provision(operation);
      const described = connector().describeAccount!(operation);
      const listed = (await listAll(connector(), Object.keys(described.attributes))).find((a) => a.remoteId === created.remoteId);
      expect(listed, 'the created account is listed').toBeDefined();
      expect(listed!.remoteName.toLowerCase()).toBe(described.remoteName.toLowerCase());
      for (const [field, value] of Object.entries(described.attributes)) {
        const remote = listed!.attributes[field];
        const norm = (v: unknown) => (typeof v === 'string' && v.toLowerCase() === described.remoteName.toLowerCase() ? v.toLowerCase() : v);
        expect(norm(remote ?? null), `field ${field}`).toEqual(norm(value));
      }
    });

    it.skipIf(!canList)('reactivates a deprovisioned account on an update that asks for it', async () => {
      const t = target!;
      const created = await connector().provision(sampleOperation('create', t.createAttributes(), { localId: `reactivate-${Date.now()}` }));
      await connector().provision(sampleOperation('deprovision', {}, { remoteId: created.remoteId! }));
      const [field, value] = t.updateAttribute;
      await connector().provision({ ...sampleOperation('update', { [field]: value }, { remoteId: created.remoteId!, allAttributes: [] }), reactivate: true });
      const record = await t.read(created.remoteId!);
      expect(record && t.isActive(record), 'active again').toBe(true);
    });

    it.skipIf(!canBatch)('batch: an outcome per operation in order; a rejected record fails only itself', async () => {
      const t = target!;
      const rejected = t.rejectedCreateAttributes?.();
      const operations = [
        sampleOperation('create', t.createAttributes(), { localId: `batch-1-${Date.now()}`, username: `batch1.${Date.now()}@example.com` }),
        ...(rejected ? [sampleOperation('create', rejected, { localId: `batch-2-${Date.now()}`, username: `batch2.${Date.now()}@example.com` })] : []),
        sampleOperation('create', t.createAttributes(), { localId: `batch-3-${Date.now()}`, username: `batch3.${Date.now()}@example.com` }),
      ];
      const outcomes = await connector().provisionBatch!(operations);
      expect(outcomes).toHaveLength(operations.length);
      const last = outcomes[outcomes.length - 1]!;
      expect(outcomes[0]!.ok && last.ok, JSON.stringify(outcomes.map((o) => (o.ok ? o.result.outcome : String(o.error))))).toBe(true);
      if (rejected) {
        const failed = outcomes[1]!;
        expect(failed.ok, 'the rejected record fails').toBe(false);
        if (!failed.ok) expect((failed.error as { kind?: string }).kind).toBe('upstream-rejected');
      }
      for (const outcome of [outcomes[0]!, last]) {
        if (!outcome.ok) continue;
        expect(outcome.result.outcome).toBe('created');
        const record = await t.read(outcome.result.remoteId!);
        expect(record && t.isActive(record)).toBe(true);
      }
    });

    it.skipIf(!canBatch)('batch: updates and deprovisions reach the target, each with its own outcome', async () => {
      const t = target!;
      const created = await connector().provisionBatch!([
        sampleOperation('create', t.createAttributes(), { localId: `bu-1-${Date.now()}` }),
        sampleOperation('create', t.createAttributes(), { localId: `bu-2-${Date.now()}` }),
      ]);
      const [one, two] = created.map((o) => (o.ok ? o.result.remoteId! : expect.fail(String((o as { error: unknown }).error))));
      const [field, value] = t.updateAttribute;
      const changed = await connector().provisionBatch!([
        sampleOperation('update', { [field]: value }, { remoteId: one, allAttributes: [] }),
        sampleOperation('deprovision', {}, { remoteId: two }),
      ]);
      expect(changed.map((o) => o.ok && o.result.outcome)).toEqual([expect.stringMatching(/updated|unchanged/), 'deprovisioned']);
      const readOne = await t.read(one!);
      expect(t.readAttribute ? t.readAttribute(readOne!, field) : readOne![field]).toBe(value);
      const readTwo = await t.read(two!);
      expect(readTwo && t.isActive(readTwo)).toBe(false);
    });

    it.skipIf(!canBatch)('batch: claims each create\'s name first; a refused one fails alone and is not created', async () => {
      const t = target!;
      const operations = [
        sampleOperation('create', t.createAttributes(), { localId: `claim-1-${Date.now()}` }),
        sampleOperation('create', t.createAttributes(), { localId: `claim-2-${Date.now()}` }),
      ];
      const asked: number[] = [];
      const outcomes = await connector().provisionBatch!(operations, {
        assertLinkable: async (index, remote) => {
          asked.push(index);
          if (index === 1 && !remote.remoteId) throw new UpstreamRejectedError('the remote name belongs to another local user', { remoteCode: 'REMOTE_ACCOUNT_IN_USE' });
        },
      });
      expect(asked).toEqual(expect.arrayContaining([0, 1]));
      expect(outcomes[0]!.ok).toBe(true);
      expect(outcomes[1]!.ok).toBe(false);
      if (!outcomes[1]!.ok) expect((outcomes[1]!.error as { remoteCode?: string }).remoteCode).toBe('REMOTE_ACCOUNT_IN_USE');
    });
  });
}

/** Every account of the target, following cursors (a guard stops a connector that never ends). */
async function listAll(instance: OutboundConnector, fields: readonly string[]): Promise<RemoteAccount[]> {
  const accounts: RemoteAccount[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page += 1) {
    const result = await instance.listAccounts!({ fields, pageSize: 200, ...(cursor ? { cursor } : {}) });
    accounts.push(...result.accounts);
    cursor = result.cursor;
    if (!cursor) return accounts;
  }
  throw new Error('listAccounts returned a cursor 1000 times: it never ends');
}

