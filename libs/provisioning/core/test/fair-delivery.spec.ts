import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorIdOf, parseProperties } from '@provisioning/connector-kit';
import type { ConnectorDefinition, ConnectorManifest, ProvisioningOperation, ProvisioningResult } from '@provisioning/connector-kit';
import { UpstreamUnavailableError } from '@provisioning/errors';
import { DEFAULT_PROVISIONING_SETTINGS } from '../src/index';
import type { ProvisioningSettings } from '../src/index';
import { startTestEngine } from './support/engine';
import type { TestEngine } from './support/engine';

const manifest: ConnectorManifest = {
  type: 'lanes',
  connectorId: connectorIdOf('lanes'),
  displayName: 'Lanes',
  description: 'test target whose behaviour is set per configured lane',
  capabilities: { users: { create: true, update: true, deprovision: true }, groups: false, passwords: false, preview: false, connectionTest: false },
  properties: [{ key: 'lane', displayName: 'Lane', type: 'string', isMandatory: true, isConfidential: false }],
};

/** One remote system per lane: `hang` accepts calls and never answers; otherwise answers after `delayMs`. */
class Remote {
  readonly behaviour = new Map<string, { hang?: boolean; delayMs?: number }>();
  /** Calls as they started: lane and username. */
  readonly started: Array<{ lane: string; username: string }> = [];
  readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  readonly #hung: Array<() => void> = [];

  async handle(lane: string, op: ProvisioningOperation, signal: AbortSignal | undefined): Promise<ProvisioningResult> {
    this.started.push({ lane, username: op.username });
    const now = (this.inFlight.get(lane) ?? 0) + 1;
    this.inFlight.set(lane, now);
    this.maxInFlight.set(lane, Math.max(now, this.maxInFlight.get(lane) ?? 0));
    try {
      const { hang, delayMs = 0 } = this.behaviour.get(lane) ?? {};
      if (hang) {
        await new Promise<void>((_, reject) => {
          const fail = () => reject(new UpstreamUnavailableError(`${lane} never answered`, { outcomeUnknown: true }));
          signal?.addEventListener('abort', fail);
          this.#hung.push(fail);
        });
      }
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return { outcome: 'created', remoteId: `${lane}-${op.localId}` };
    } finally {
      this.inFlight.set(lane, (this.inFlight.get(lane) ?? 1) - 1);
    }
  }

  /** Ends every hung call (as a timeout would). */
  releaseHung(): void {
    for (const fail of this.#hung.splice(0)) fail();
  }
}

/**
 * Fair delivery (issue 10, item 3): a target that hangs holds at most `targetConcurrency` slots, the
 * claim finds every target's due chain heads however large another target's backlog of older jobs,
 * and slots go round robin to tenants, then to each tenant's targets.
 */
describe('fair delivery across targets and tenants', () => {
  let engine: TestEngine;
  let remote: Remote;

  async function start(settings: Partial<ProvisioningSettings>, targets: Array<{ tenant: string; lane: string }>): Promise<void> {
    remote = new Remote();
    const definition: ConnectorDefinition<{ lane: string }> = {
      manifest,
      parseConfig: (p) => parseProperties(manifest, z.object({ lane: z.string() }), p),
      create: (config) => ({
        provision: (op, options) => remote.handle(config.lane, op, options?.signal),
        preview: async () => ({ method: 'POST', path: '/', body: {}, warnings: [] }),
        testConnection: async () => ({ ok: true, checks: [] }),
        close: async () => {},
      }),
    };
    // A long request timeout: hung calls stay hung for the whole test unless released.
    const all: ProvisioningSettings = { ...DEFAULT_PROVISIONING_SETTINGS, pollIntervalMs: 20, initialBackoffMs: 10, maxBackoffMs: 20, requestTimeoutMs: 60_000, ...settings };
    engine = await startTestEngine('fair-', [definition as ConnectorDefinition], all);
    const byTenant = new Map<string, string[]>();
    for (const { tenant, lane } of targets) {
      await engine.idps.create(tenant, {
        name: lane,
        claims: { mappings: [{ idpClaim: 'userName', localClaim: { uri: 'http://wso2.org/claims/username' } }], provisioningClaims: [] },
        provisioning: { outboundConnectors: { connectors: [{ connectorId: manifest.connectorId, isEnabled: true, properties: [{ key: 'lane', value: lane }] }] } },
      });
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), lane]);
    }
    for (const [tenant, lanes] of byTenant) {
      await engine.resident.put(tenant, { provisioningConfigurations: { outboundProvisioningIdps: lanes.map((idp) => ({ idp, connector: 'lanes' })) } });
    }
  }

  afterEach(async () => {
    remote?.releaseHung();
    await engine?.worker.stop(200);
    await engine?.database.close();
  });

  /** Commits `count` user creates in `tenant` (one job per target of the tenant each); returns the job ids. */
  async function createUsers(tenant: string, prefix: string, count: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 1; i <= count; i += 1) {
      const username = `${prefix}${i}`;
      const jobs = await engine.database.db.transaction().execute((trx) =>
        engine.outbox.record(trx, { tenant, userId: `${tenant}-${username}`, username, operation: 'create', claims: { 'http://wso2.org/claims/username': username } }),
      );
      ids.push(...jobs.map((j) => j.id));
    }
    engine.outbox.committed();
    return ids;
  }

  async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it("delivers another tenant's later job within 2 s while a hung target has more older due jobs than there are slots", async () => {
    await start({ concurrency: 4, targetConcurrency: 2 }, [
      { tenant: 'one.com', lane: 'hung' },
      { tenant: 'two.com', lane: 'healthy' },
    ]);
    remote.behaviour.set('hung', { hang: true });
    // Older ids, all due: more than the total concurrency and than any candidate window of it.
    await createUsers('one.com', 'stuck', 40);
    engine.worker.start();
    await until(() => remote.started.length >= 2, 5_000, 'the hung target to be called');
    await new Promise((r) => setTimeout(r, 200)); // a few polls: the hung target must not take more

    const started = Date.now();
    const [job] = await createUsers('two.com', 'fresh', 1);
    const states = await engine.worker.waitFor([job!], 2_000);
    const elapsed = Date.now() - started;

    expect(states.get(job!)).toBe('succeeded');
    expect(elapsed).toBeLessThan(2_000);
    expect(remote.maxInFlight.get('hung')).toBe(2);
    expect(remote.started.filter((c) => c.lane === 'hung')).toHaveLength(2);
  });

  it('never runs more than targetConcurrency jobs of one target at once, and uses all of it', async () => {
    await start({ concurrency: 8, targetConcurrency: 3 }, [{ tenant: 'one.com', lane: 'slow' }]);
    remote.behaviour.set('slow', { delayMs: 40 });
    const ids = await createUsers('one.com', 'user', 15);
    engine.worker.start();
    const states = await engine.worker.waitFor(ids, 10_000);
    expect([...states.values()].every((s) => s === 'succeeded')).toBe(true);
    expect(remote.maxInFlight.get('slow')).toBe(3);
  });

  it('shares slots round robin between tenants, then between a tenant\'s targets, whatever the job ids', async () => {
    await start({ concurrency: 2, targetConcurrency: 2 }, [
      { tenant: 'one.com', lane: 'a1' },
      { tenant: 'one.com', lane: 'a2' },
      { tenant: 'one.com', lane: 'a3' },
      { tenant: 'two.com', lane: 'b' },
    ]);
    for (const lane of ['a1', 'a2', 'a3', 'b']) remote.behaviour.set(lane, { delayMs: 15 });
    // Tenant one's 3 targets x 10 jobs are all older than tenant two's 10.
    const older = await createUsers('one.com', 'early', 10);
    const newer = await createUsers('two.com', 'late', 10);
    engine.worker.start();
    const states = await engine.worker.waitFor([...older, ...newer], 15_000);
    expect([...states.values()].every((s) => s === 'succeeded')).toBe(true);

    const first = remote.started.slice(0, 12).map((c) => c.lane);
    // Tenant two (one target) gets every other slot although its jobs are the newest ...
    expect(first.filter((lane) => lane === 'b').length).toBeGreaterThanOrEqual(5);
    // ... and tenant one's share rotates over all of its targets.
    for (const lane of ['a1', 'a2', 'a3']) expect(first, lane).toContain(lane);
    // Tenant two's queue is done long before tenant one's three queues.
    const lastOfTwo = remote.started.map((c) => c.lane).lastIndexOf('b');
    expect(lastOfTwo).toBeLessThan(30);
  });
});
