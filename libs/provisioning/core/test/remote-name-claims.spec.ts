import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@provisioning/persistence';
import { JobStore } from '../src/job-store';
import { openTestDatabase } from './support/engine';

const NOW = 1_800_000_000_000;
const target = { idpId: 'idp-1', connectorType: 'salesforce', entityType: 'USER' as const };
const alice = { ...target, entityId: 'a', entityName: 'alice' };
const bob = { ...target, entityId: 'b', entityName: 'bob' };

/** Remote name claims: who may create or adopt the remote account with a given name (both dialects). */
describe('remote name claims', () => {
  let handle: DatabaseHandle;
  let store: JobStore;

  beforeEach(async () => {
    handle = await openTestDatabase('claims-');
    store = new JobStore(handle);
  });
  afterEach(async () => {
    await handle.close();
  });

  async function openJob(entity: typeof alice, operation: string, state = 'running') {
    await handle.db
      .insertInto('provisioning_jobs')
      .values({
        tenant: 't', entity_type: 'USER', entity_id: entity.entityId, entity_name: entity.entityName, chain_key: entity.entityName, operation,
        idp_id: target.idpId, idp_name: 'SF', connector_type: target.connectorType, payload: '{}', state, attempts: 1, next_attempt_at: NOW,
        lease_owner: null, lease_expires_at: null, last_error: null, created_at: NOW, updated_at: NOW, completed_at: null,
      })
      .execute();
  }

  async function identity(entity: typeof alice, remoteName: string, state = 'provisioned') {
    await handle.db
      .insertInto('provisioned_identities')
      .values({
        tenant: 't', idp_id: target.idpId, connector_type: target.connectorType, entity_type: 'USER', entity_id: entity.entityId, entity_name: entity.entityName,
        remote_id: '005x', remote_name: remoteName, state, last_job_id: null, last_attempt_at: null, last_error: null, updated_at: NOW,
      })
      .execute();
  }

  it('refuses a name whose holder has a create in flight (its account may exist before its identity is recorded)', async () => {
    await openJob(alice, 'create');
    expect(await store.claimRemoteName(alice, 'Shared@Example.com', NOW)).toBeUndefined();
    expect(await store.claimRemoteName(alice, 'shared@example.com', NOW)).toBeUndefined();
    expect(await store.claimRemoteName(bob, 'SHARED@example.com', NOW)).toBe('alice');
  });

  it('refuses a name its holder is provisioned under, case-insensitively', async () => {
    await store.claimRemoteName(alice, 'shared@example.com', NOW);
    await identity(alice, 'Shared@Example.com');
    expect(await store.claimRemoteName(bob, 'shared@example.com', NOW)).toBe('alice');
  });

  it('hands over a name its holder no longer uses (renamed remotely, or nothing in flight)', async () => {
    await store.claimRemoteName(alice, 'old@example.com', NOW);
    await identity(alice, 'new@example.com');
    expect(await store.claimRemoteName(bob, 'old@example.com', NOW)).toBeUndefined();
    await openJob(alice, 'update');
    // bob holds it now: alice, although busy, cannot take it back while bob has a create in flight.
    await openJob(bob, 'create');
    expect(await store.claimRemoteName(alice, 'old@example.com', NOW)).toBe('bob');
  });

  it('does not hold a name for an entity whose only open job is its deprovision', async () => {
    await store.claimRemoteName(alice, 'gone@example.com', NOW);
    await identity(alice, 'gone@example.com', 'deprovisioned');
    await openJob(alice, 'deprovision');
    expect(await store.claimRemoteName(bob, 'gone@example.com', NOW)).toBeUndefined();
  });

  it('keeps names apart per target and per entity type', async () => {
    await openJob(alice, 'create');
    await store.claimRemoteName(alice, 'x@example.com', NOW);
    expect(await store.claimRemoteName({ ...bob, idpId: 'idp-2' }, 'x@example.com', NOW)).toBeUndefined();
    expect(await store.claimRemoteName({ ...bob, entityType: 'GROUP' as never }, 'x@example.com', NOW)).toBeUndefined();
  });

  it('gives a name raced for by two deliveries at once to exactly one of them', async () => {
    await openJob(alice, 'create');
    await openJob(bob, 'create');
    const results = await Promise.all([store.claimRemoteName(alice, 'race@example.com', NOW), store.claimRemoteName(bob, 'race@example.com', NOW)]);
    expect(results.filter((r) => r === undefined)).toHaveLength(1);
  });
});
