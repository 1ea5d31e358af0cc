import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorIdOf, parseProperties, provisionOneByOne } from '@provisioning/connector-kit';
import type { BatchCallOptions, BatchOutcome, ConnectorDefinition, ConnectorManifest, ProvisioningOperation, ProvisioningResult } from '@provisioning/connector-kit';
import { UpstreamRejectedError, UpstreamThrottledError } from '@provisioning/errors';
import { DEFAULT_PROVISIONING_SETTINGS } from '../src/index';
import type { ProvisioningSettings } from '../src/index';
import { startTestEngine } from './support/engine';
import type { TestEngine } from './support/engine';

const manifest: ConnectorManifest = {
  type: 'batched',
  connectorId: connectorIdOf('batched'),
  displayName: 'Batched',
  description: 'test target with a batch operation',
  capabilities: { users: { create: true, update: true, deprovision: true }, groups: false, passwords: false, preview: false, connectionTest: false, batch: { maxOperations: 50 } },
  properties: [{ key: 'name', displayName: 'Name', type: 'string', isMandatory: true, isConfidential: false }],
};

/** A remote system that records every batch call and can reject a username or throttle a whole call. */
class Remote {
  readonly batches: ProvisioningOperation[][] = [];
  readonly singles: ProvisioningOperation[] = [];
  readonly rejected = new Set<string>();
  throttleNext = false;
  readonly accounts = new Map<string, string>();

  async one(op: ProvisioningOperation): Promise<ProvisioningResult> {
    if (this.rejected.has(op.username)) throw new UpstreamRejectedError(`bad record ${op.username}`, { remoteCode: 'INVALID_FIELD' });
    if (op.kind === 'create') {
      const id = `r-${op.localId}`;
      this.accounts.set(id, op.username);
      return { outcome: 'created', remoteId: id, remoteName: op.username };
    }
    return { outcome: op.kind === 'update' ? 'updated' : 'deprovisioned', ...(op.remoteId ? { remoteId: op.remoteId } : {}) };
  }

  async batch(ops: readonly ProvisioningOperation[], options: BatchCallOptions): Promise<BatchOutcome[]> {
    this.batches.push([...ops]);
    if (this.throttleNext) {
      this.throttleNext = false;
      throw new UpstreamThrottledError('limit reached', { remoteCode: 'REQUEST_LIMIT_EXCEEDED', retryAfterMs: 50 });
    }
    return provisionOneByOne(ops, async (op, index) => {
      if (op.kind === 'create') await options.assertLinkable?.(index, { remoteName: op.username.replace(/^dup\d+/, 'dup') });
      options.record?.(index, { method: 'POST', path: '/batch', body: { user: op.username }, durationMs: 1 });
      return this.one(op);
    });
  }
}

/**
 * Batched delivery: due jobs of one target whose connector declares `capabilities.batch` go out in
 * one call (an outcome per job, settled in one transaction); one rejected record fails only its
 * own job; a throttled call pauses the target and gives every job its attempt back.
 */
describe('batched delivery', () => {
  let engine: TestEngine;
  let remote: Remote;

  async function start(settings: Partial<ProvisioningSettings> = {}): Promise<void> {
    remote = new Remote();
    const definition: ConnectorDefinition<{ name: string }> = {
      manifest,
      parseConfig: (p) => parseProperties(manifest, z.object({ name: z.string() }), p),
      create: () => ({
        provision: async (op) => {
          remote.singles.push(op);
          return remote.one(op);
        },
        provisionBatch: (ops, options) => remote.batch(ops, options ?? {}),
        preview: async () => ({ method: 'POST', path: '/', body: {}, warnings: [] }),
        testConnection: async () => ({ ok: true, checks: [] }),
        close: async () => {},
      }),
    };
    const all: ProvisioningSettings = { ...DEFAULT_PROVISIONING_SETTINGS, pollIntervalMs: 20, initialBackoffMs: 10, maxBackoffMs: 20, throttlePauseMs: 100, ...settings };
    engine = await startTestEngine('batch-', [definition as ConnectorDefinition], all);
    await engine.idps.create('carbon.super', {
      name: 'Batched',
      claims: { mappings: [{ idpClaim: 'userName', localClaim: { uri: 'http://wso2.org/claims/username' } }], provisioningClaims: [] },
      provisioning: { outboundConnectors: { connectors: [{ connectorId: manifest.connectorId, isEnabled: true, properties: [{ key: 'name', value: 'b' }] }] } },
    });
    await engine.resident.put('carbon.super', { provisioningConfigurations: { outboundProvisioningIdps: [{ idp: 'Batched', connector: 'batched' }] } });
  }

  afterEach(async () => {
    await engine?.worker.stop(200);
    await engine?.database.close();
  });

  async function createUsers(prefix: string, count: number): Promise<number[]> {
    const ids: number[] = [];
    await engine.database.db.transaction().execute(async (trx) => {
      for (let i = 1; i <= count; i += 1) {
        const username = `${prefix}${i}`;
        const jobs = await engine.outbox.record(trx, { tenant: 'carbon.super', userId: `id-${username}`, username, operation: 'create', claims: { 'http://wso2.org/claims/username': username } });
        ids.push(...jobs.map((j) => j.id));
      }
    });
    engine.outbox.committed();
    return ids;
  }

  async function attemptsOf(id: number): Promise<number> {
    const row = await engine.database.db.selectFrom('provisioning_jobs').select('attempts').where('id', '=', id).executeTakeFirstOrThrow();
    return row.attempts;
  }

  it('sends due jobs of one target in batches of at most maxOperations, and settles each with its own outcome', async () => {
    await start({ concurrency: 4, targetConcurrency: 2 });
    remote.rejected.add('user7');
    const ids = await createUsers('user', 120);
    engine.worker.start();
    const states = await engine.worker.waitFor(ids, 10_000);
    expect(remote.singles).toHaveLength(0);
    expect(remote.batches.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...remote.batches.map((b) => b.length))).toBeLessThanOrEqual(50);
    expect(remote.batches.flat().map((op) => op.username).sort()).toEqual(Array.from({ length: 120 }, (_, i) => `user${i + 1}`).sort());
    const failed = ids.filter((id) => states.get(id) === 'failed');
    expect(failed).toHaveLength(1);
    expect([...states.values()].filter((s) => s === 'succeeded')).toHaveLength(119);
    // Each job's log shows its own record; identities are recorded per job.
    const attempt = await engine.database.db.selectFrom('provisioning_attempts').selectAll().where('job_id', '=', ids[0]!).executeTakeFirstOrThrow();
    expect(JSON.parse(attempt.calls)).toEqual([expect.objectContaining({ body: { user: 'user1' } })]);
    const identities = await engine.database.db.selectFrom('provisioned_identities').select(['entity_name', 'remote_id', 'state']).execute();
    expect(identities.filter((i) => i.state === 'provisioned')).toHaveLength(119);
    const bad = await engine.database.db.selectFrom('provisioning_jobs').select('last_error').where('id', '=', failed[0]!).executeTakeFirstOrThrow();
    expect(JSON.parse(bad.last_error!)).toMatchObject({ remoteCode: 'INVALID_FIELD' });
  });

  it('sends a lone due job through the single operation (no batch of one)', async () => {
    await start();
    const [id] = await createUsers('solo', 1);
    engine.worker.start();
    expect((await engine.worker.waitFor([id!], 5_000)).get(id!)).toBe('succeeded');
    expect(remote.singles).toHaveLength(1);
    expect(remote.batches).toHaveLength(0);
  });

  it('pauses the target once when a batch call is throttled, and gives every job its attempt back', async () => {
    await start({ concurrency: 1, targetConcurrency: 1 });
    remote.throttleNext = true;
    const ids = await createUsers('slow', 10);
    engine.worker.start();
    const states = await engine.worker.waitFor(ids, 10_000);
    expect([...states.values()].every((s) => s === 'succeeded')).toBe(true);
    expect(remote.batches.length).toBe(2);
    for (const id of ids) expect(await attemptsOf(id)).toBe(1);
  });

  it('refuses, inside a batch, a remote name another job of the batch claimed first (it alone fails)', async () => {
    await start({ concurrency: 1, targetConcurrency: 1 });
    // dup1 and dup2 both map to the remote name "dup".
    const ids = await createUsers('dup', 2);
    engine.worker.start();
    const states = await engine.worker.waitFor(ids, 10_000);
    expect([...states.values()].sort()).toEqual(['failed', 'succeeded']);
    const failed = ids.find((id) => states.get(id) === 'failed')!;
    const row = await engine.database.db.selectFrom('provisioning_jobs').select('last_error').where('id', '=', failed).executeTakeFirstOrThrow();
    expect(JSON.parse(row.last_error!)).toMatchObject({ remoteCode: 'REMOTE_ACCOUNT_IN_USE' });
  });

  it('delivers one by one with batch_size 1', async () => {
    await start({ batchSize: 1 });
    const ids = await createUsers('single', 5);
    engine.worker.start();
    await engine.worker.waitFor(ids, 5_000);
    expect(remote.batches).toHaveLength(0);
    expect(remote.singles).toHaveLength(5);
  });
});
