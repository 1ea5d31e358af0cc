import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorIdOf, parseProperties } from '@provisioning/connector-kit';
import type { ClaimValue, ConnectorDefinition, ConnectorManifest, ProvisioningOperation, ProvisioningResult } from '@provisioning/connector-kit';
import { UpstreamRejectedError, UpstreamThrottledError, UpstreamUnavailableError } from '@provisioning/errors';
import type { DatabaseHandle } from '@provisioning/persistence';
import { DEFAULT_PROVISIONING_SETTINGS } from '../src/index';
import type { IdentityProviderService, ProvisioningOutbox, ProvisioningSettings, ProvisioningWorker } from '../src/index';
import { startTestEngine } from './support/engine';

/** A recording in-memory target: what a remote system saw, in order; faults scripted per call. */
class RecordingTarget {
  readonly seen: ProvisioningOperation[] = [];
  readonly accounts = new Map<string, Record<string, ClaimValue>>();
  failures: Array<Error | undefined> = [];
  delayMs = 0;
  async handle(op: ProvisioningOperation): Promise<ProvisioningResult> {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    this.seen.push(op);
    const failure = this.failures.shift();
    if (failure) throw failure;
    const fields = Object.fromEntries(op.attributes.map((a) => [a.name, a.value]));
    if (op.kind === 'create') {
      const id = `r-${this.accounts.size + 1}`;
      this.accounts.set(id, { ...fields, active: 'true' });
      return { outcome: 'created', remoteId: id };
    }
    const account = this.accounts.get(op.remoteId!)!;
    if (op.kind === 'update') Object.assign(account, fields);
    else account.active = 'false';
    return { outcome: op.kind === 'update' ? 'updated' : 'deprovisioned', remoteId: op.remoteId };
  }
}

const manifest: ConnectorManifest = {
  type: 'recording',
  connectorId: connectorIdOf('recording'),
  displayName: 'Recording',
  description: 'test target',
  capabilities: { users: { create: true, update: true, deprovision: true }, groups: false, passwords: false, preview: false, connectionTest: false },
  properties: [{ key: 'token', displayName: 'Token', type: 'secret', isMandatory: true, isConfidential: true }],
};

const ROLE = 'http://wso2.org/claims/role';

describe('outbox and worker on SQLite', () => {
  let database: DatabaseHandle;
  let target: RecordingTarget;
  let worker: ProvisioningWorker;
  let outbox: ProvisioningOutbox;
  let idps: IdentityProviderService;
  const settings: ProvisioningSettings = { ...DEFAULT_PROVISIONING_SETTINGS, pollIntervalMs: 20, initialBackoffMs: 10, maxBackoffMs: 20, maxAttempts: 3, throttlePauseMs: 100 };

  beforeEach(async () => {
    target = new RecordingTarget();
    const definition: ConnectorDefinition<{ token: unknown }> = {
      manifest,
      parseConfig: (p) => parseProperties(manifest, z.object({ token: z.string() }), p),
      create: () => ({ provision: (op) => target.handle(op), preview: async () => ({ method: 'POST', path: '/', body: {}, warnings: [] }), testConnection: async () => ({ ok: true, checks: [] }), close: async () => {} }),
    };
    const engine = await startTestEngine('core-', [definition as ConnectorDefinition], settings);
    ({ database, idps, outbox, worker } = engine);
    const { resident } = engine;
    await idps.create('carbon.super', {
      name: 'Target',
      claims: {
        mappings: [
          { idpClaim: 'Name', localClaim: { uri: 'http://wso2.org/claims/lastname' } },
          { idpClaim: 'Mail', localClaim: { uri: 'http://wso2.org/claims/emailaddress' } },
          { idpClaim: 'Roles', localClaim: { uri: ROLE } },
        ],
        provisioningClaims: [],
      },
      // Local roles -> IdP roles, a name with a comma on either side.
      roles: { mappings: [{ localRole: 'staff', idpRole: 'Staff, all' }, { localRole: 'Sales, EMEA', idpRole: 'EMEA' }, { localRole: 'sales', idpRole: 'Sales' }] },
      provisioning: { outboundConnectors: { connectors: [{ connectorId: manifest.connectorId, isEnabled: true, properties: [{ key: 'token', value: 'tok-secret' }] }] } },
    });
    await resident.put('carbon.super', { provisioningConfigurations: { outboundProvisioningIdps: [{ idp: 'Target', connector: 'recording' }] } });
  });

  afterEach(async () => {
    await worker.stop(100);
    await database.close();
  });

  async function record(operation: 'create' | 'update' | 'delete', claims: Record<string, ClaimValue>, changedClaims?: string[]) {
    const jobs = await database.db.transaction().execute((trx) =>
      outbox.record(trx, { tenant: 'carbon.super', userId: 'u1', username: 'kim', operation, claims, changedClaims }),
    );
    outbox.committed();
    return jobs;
  }

  it('applies one user\'s changes in commit order, sending only changed fields', async () => {
    const lastname = 'http://wso2.org/claims/lastname';
    const mail = 'http://wso2.org/claims/emailaddress';
    worker.start();
    const steps: Array<[Parameters<typeof record>[0], Record<string, string>, string[]?]> = [
      ['create', { [lastname]: 'One', [mail]: 'kim@x.com' }],
      ['update', { [lastname]: 'Two', [mail]: 'kim@x.com' }, [lastname]],
      ['update', { [lastname]: 'Two', [mail]: 'kim@y.com' }, [mail]],
      ['delete', { [lastname]: 'Two', [mail]: 'kim@y.com' }],
    ];
    for (const [operation, claims, changed] of steps) {
      const [job] = await record(operation, claims, changed);
      expect((await worker.waitFor([job!.id], 10_000)).get(job!.id)).toBe('succeeded');
    }
    expect(target.seen.map((o) => o.kind)).toEqual(['create', 'update', 'update', 'deprovision']);
    expect(target.seen[1]!.attributes.map((a) => a.name)).toEqual(['Name']);
    expect(target.seen[2]!.attributes.map((a) => a.name)).toEqual(['Mail']);
    expect(target.seen[3]!.remoteId).toBe('r-1');
    expect(target.accounts.get('r-1')).toEqual({ Name: 'Two', Mail: 'kim@y.com', active: 'false' });
  });

  it('coalesces queued updates into the job ahead of them and keeps a later delete after them', async () => {
    const lastname = 'http://wso2.org/claims/lastname';
    const mail = 'http://wso2.org/claims/emailaddress';
    const [create] = await record('create', { [lastname]: 'One', [mail]: 'kim@x.com' });
    const [u1] = await record('update', { [lastname]: 'Two', [mail]: 'kim@x.com' }, [lastname]);
    const [u2] = await record('update', { [lastname]: 'Two', [mail]: 'kim@y.com' }, [mail]);
    const [del] = await record('delete', { [lastname]: 'Two', [mail]: 'kim@y.com' });
    worker.start();
    const states = await worker.waitFor([create!.id, u1!.id, u2!.id, del!.id], 10_000);
    expect([...states.values()]).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(target.seen.map((o) => o.kind)).toEqual(['create', 'deprovision']);
    expect(Object.fromEntries(target.seen[0]!.attributes.map((a) => [a.name, a.value]))).toEqual({ Name: 'Two', Mail: 'kim@y.com' });
    const rows = await database.db.selectFrom('provisioning_jobs').select(['id', 'coalesced_into']).orderBy('id').execute();
    expect(rows.map((r) => r.coalesced_into)).toEqual([null, create!.id, create!.id, null]);
  });

  it('delivers multi-valued claims as lists: a role with a comma is one role, in mapping order', async () => {
    const lastname = 'http://wso2.org/claims/lastname';
    worker.start();
    const [create] = await record('create', { [lastname]: 'Smith, Jr.', [ROLE]: ['Sales, EMEA', 'staff'] });
    expect((await worker.waitFor([create!.id], 10_000)).get(create!.id)).toBe('succeeded');
    const [update] = await record('update', { [lastname]: 'Smith, Jr.', [ROLE]: ['Sales, EMEA'] }, [ROLE]);
    expect((await worker.waitFor([update!.id], 10_000)).get(update!.id)).toBe('succeeded');
    expect(target.seen.map((o) => Object.fromEntries(o.attributes.map((a) => [a.name, a.value])))).toEqual([
      { Name: 'Smith, Jr.', Roles: ['Staff, all', 'EMEA'] },
      { Roles: ['EMEA'] },
    ]);
    const stored = await database.db.selectFrom('provisioning_jobs').select('payload').where('id', '=', create!.id).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.payload).claims[ROLE]).toEqual(['Sales, EMEA', 'staff']);
  });

  it('delivers jobs queued by an earlier version (multi-valued claims comma-joined) with the values they meant', async () => {
    const lastname = 'http://wso2.org/claims/lastname';
    const [create] = await record('create', { [lastname]: 'One', [ROLE]: ['sales', 'staff'] });
    const [update] = await record('update', { [lastname]: 'Two', [ROLE]: ['sales', 'staff'] }, [lastname]);
    // Rewrite both payloads as the previous version stored them: lists comma-joined.
    for (const [job, name] of [[create!, 'One'], [update!, 'Two']] as const) {
      const legacy = JSON.stringify({ claims: { [lastname]: name, [ROLE]: 'sales,staff' }, ...(job === update ? { changedClaims: [lastname] } : {}) });
      await database.db.updateTable('provisioning_jobs').set({ payload: legacy }).where('id', '=', job.id).execute();
    }
    worker.start();
    const states = await worker.waitFor([create!.id, update!.id], 10_000);
    expect([...states.values()]).toEqual(['succeeded', 'succeeded']);
    // The update was coalesced into the create (both legacy payloads read at the one parse point).
    expect(target.seen.map((o) => Object.fromEntries(o.attributes.map((a) => [a.name, a.value])))).toEqual([{ Name: 'Two', Roles: ['Staff, all', 'Sales'] }]);
  });

  it('pauses a throttled connector without spending attempts, then delivers', async () => {
    target.failures = [new UpstreamThrottledError('limit', { status: 403, remoteCode: 'REQUEST_LIMIT_EXCEEDED', retryAfterMs: 300 })];
    const [job] = await record('create', { 'http://wso2.org/claims/lastname': 'One' });
    worker.start();
    expect((await worker.waitFor([job!.id], 10_000)).get(job!.id)).toBe('succeeded');
    const attempts = await database.db.selectFrom('provisioning_attempts').selectAll().where('job_id', '=', job!.id).orderBy('id').execute();
    expect(attempts.map((a) => a.outcome)).toEqual(['retrying', 'created']);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(250);
    const row = await database.db.selectFrom('provisioning_jobs').select('attempts').where('id', '=', job!.id).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
  });

  it('re-sends every attribute after an update whose outcome was unknown', async () => {
    const lastname = 'http://wso2.org/claims/lastname';
    const mail = 'http://wso2.org/claims/emailaddress';
    worker.start();
    const [c] = await record('create', { [lastname]: 'One', [mail]: 'kim@x.com' });
    await worker.waitFor([c!.id], 10_000);
    target.failures = [new UpstreamUnavailableError('timeout', { outcomeUnknown: true })];
    const [u] = await record('update', { [lastname]: 'Two', [mail]: 'kim@x.com' }, [lastname]);
    expect((await worker.waitFor([u!.id], 10_000)).get(u!.id)).toBe('succeeded');
    expect(target.seen.map((o) => o.attributes.map((a) => a.name).sort())).toEqual([['Mail', 'Name'], ['Name'], ['Mail', 'Name']]);
  });

  it('retries a transient failure and records each attempt', async () => {
    target.failures = [new UpstreamUnavailableError('503', { status: 503 })];
    const [job] = await record('create', { 'http://wso2.org/claims/lastname': 'One' });
    worker.start();
    expect((await worker.waitFor([job!.id], 10_000)).get(job!.id)).toBe('succeeded');
    const attempts = await database.db.selectFrom('provisioning_attempts').selectAll().where('job_id', '=', job!.id).orderBy('id').execute();
    expect(attempts.map((a) => a.outcome)).toEqual(['retrying', 'created']);
    expect(attempts[0]!.http_status).toBe(503);
    const identity = await database.db.selectFrom('provisioned_identities').selectAll().executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ remote_id: 'r-1', state: 'provisioned' });
  });

  it('fails a rejected create permanently, keeps the remote error, and stores no remote id', async () => {
    target.failures = [new UpstreamRejectedError('bad', { status: 400, remoteCode: 'INVALID_CROSS_REFERENCE_KEY', remoteMessage: 'Profile ID: id value of incorrect type' })];
    const [job] = await record('create', { 'http://wso2.org/claims/lastname': 'One' });
    worker.start();
    expect((await worker.waitFor([job!.id], 10_000)).get(job!.id)).toBe('failed');
    const row = await database.db.selectFrom('provisioning_jobs').selectAll().where('id', '=', job!.id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.last_error!)).toMatchObject({ remoteCode: 'INVALID_CROSS_REFERENCE_KEY', status: 400 });
    const identity = await database.db.selectFrom('provisioned_identities').selectAll().executeTakeFirstOrThrow();
    expect(identity.remote_id).toBeNull();
    expect(identity.state).toBe('failed');
  });

  it('dead-letters after the configured number of attempts', async () => {
    target.failures = [new UpstreamUnavailableError('a'), new UpstreamUnavailableError('b'), new UpstreamUnavailableError('c')];
    const [job] = await record('create', { 'http://wso2.org/claims/lastname': 'One' });
    worker.start();
    expect((await worker.waitFor([job!.id], 10_000)).get(job!.id)).toBe('failed');
    expect(target.seen).toHaveLength(3);
  });

  it('takes over a job whose lease expired (a crashed worker) and delivers it once', async () => {
    const [job] = await record('create', { 'http://wso2.org/claims/lastname': 'One' });
    await database.db.updateTable('provisioning_jobs').set({ state: 'running', lease_owner: 'dead-worker', lease_expires_at: Date.now() - 1, attempts: 1 }).where('id', '=', job!.id).execute();
    worker.start();
    expect((await worker.waitFor([job!.id], 10_000)).get(job!.id)).toBe('succeeded');
    expect(target.seen).toHaveLength(1);
  });

  it('stores connector secrets only encrypted', async () => {
    const rows = await database.db.selectFrom('idp_connectors').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain('tok-secret');
    const idp = (await idps.list('carbon.super'))[0]!;
    expect(idp.connectors[0]!.properties.token).toBe('tok-secret');
  });
});
