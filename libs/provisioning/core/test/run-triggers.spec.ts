import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorIdOf, parseProperties } from '@provisioning/connector-kit';
import type { ConnectorDefinition, ConnectorManifest } from '@provisioning/connector-kit';
import type { DatabaseHandle } from '@provisioning/persistence';
import { DEFAULT_PROVISIONING_SETTINGS, RunStore, RunTriggers } from '../src/index';
import type { IdentityProviderService, ProvisioningSettings, ResidentServiceProviderService } from '../src/index';
import { silentLogger, startTestEngine } from './support/engine';

function definition(type: string, listAccounts: boolean): ConnectorDefinition {
  const manifest: ConnectorManifest = {
    type,
    connectorId: connectorIdOf(type),
    displayName: type,
    description: 'test target',
    capabilities: { users: { create: true, update: true, deprovision: true }, groups: false, passwords: false, preview: false, connectionTest: false, listAccounts },
    properties: [],
  };
  return {
    manifest,
    parseConfig: (p) => parseProperties(manifest, z.object({}), p),
    create: () => ({
      provision: async () => ({ outcome: 'created', remoteId: 'x' }),
      preview: async () => ({ method: 'POST', path: '/', body: {}, warnings: [] }),
      testConnection: async () => ({ ok: true, checks: [] }),
      close: async () => {},
    }),
  } as ConnectorDefinition;
}

const T = 'carbon.super';
const idpBody = (name: string, type: string, localClaim = 'http://wso2.org/claims/username') => ({
  name,
  claims: { mappings: [{ idpClaim: 'userName', localClaim: { uri: localClaim } }], provisioningClaims: [] },
  provisioning: { outboundConnectors: { connectors: [{ connectorId: connectorIdOf(type), isEnabled: true, properties: [] }] } },
});

/**
 * Automatic runs are level-triggered from `target_sync_state` (migration 0012): every instance may
 * check at once and exactly one run starts per change; unchanged configuration starts nothing; a
 * target that existed before automatic runs is adopted without a run; a removed target started
 * again counts as added; connectors that cannot list accounts get no run.
 */
describe('automatic run triggers', () => {
  let database: DatabaseHandle;
  let idps: IdentityProviderService;
  let resident: ResidentServiceProviderService;
  let runs: RunStore;
  let instances: RunTriggers[];
  let idpId: string;
  const settings: ProvisioningSettings = { ...DEFAULT_PROVISIONING_SETTINGS };

  beforeEach(async () => {
    const engine = await startTestEngine('triggers-', [definition('lister', true), definition('blind', false)], settings);
    ({ database, idps, resident } = engine);
    runs = new RunStore(database);
    // Three instances sharing the database.
    instances = [0, 1, 2].map(() => new RunTriggers(database, resident, runs, silentLogger, settings));
    idpId = (await idps.create(T, idpBody('Target', 'lister'))).id;
    await idps.create(T, idpBody('Blind', 'blind'));
  });
  afterEach(async () => {
    await database.close();
  });

  const checkAll = (now = Date.now()) => Promise.all(instances.map((i) => i.check(now)));
  const allRuns = async () => (await runs.list(T, {})).map((r) => ({ idp: r.idp, trigger: r.trigger, dryRun: r.dryRun }));
  const putTargets = (...names: string[]) =>
    resident.put(T, { provisioningConfigurations: { outboundProvisioningIdps: names.map((n) => ({ idp: n, connector: n === 'Blind' ? 'blind' : 'lister' })) } });

  it('starts exactly one applied run per change, however many instances check', async () => {
    await checkAll();
    expect(await allRuns()).toEqual([]);
    await putTargets('Target');
    await checkAll();
    expect(await allRuns()).toEqual([{ idp: 'Target', trigger: 'target-added', dryRun: false }]);
    await checkAll();
    expect(await allRuns()).toHaveLength(1);

    // A queued run would plan with whatever the configuration is by then: let it finish first.
    await database.db.updateTable('reconciliation_runs').set({ state: 'succeeded' }).execute();
    // A save that changes nothing the run compares starts nothing; a mapping change one run.
    await idps.replace(T, idpId, { ...idpBody('Target', 'lister'), description: 'only the description' });
    await checkAll();
    expect(await allRuns()).toHaveLength(1);
    await idps.replace(T, idpId, idpBody('Target', 'lister', 'http://wso2.org/claims/emailaddress'));
    await checkAll();
    expect((await allRuns()).map((r) => r.trigger)).toEqual(['config-changed', 'target-added']);
    // Still queued: a further change is picked up by that run, not by another one.
    await idps.replace(T, idpId, { ...idpBody('Target', 'lister'), roles: { outboundProvisioningRoles: ['sales'], mappings: [] } });
    await checkAll();
    expect(await allRuns()).toHaveLength(2);
  });

  it('adopts targets that existed before automatic runs, forgets removed ones and gives no run to connectors that cannot list', async () => {
    await putTargets('Target', 'Blind');
    // As migration 0012 leaves a target that was already there.
    await database.db.insertInto('target_sync_state').values({ idp_id: idpId, connector_type: 'lister', tenant: T, fingerprint: null, updated_at: 0 }).execute();
    await checkAll();
    expect(await allRuns()).toEqual([]);
    const states = await database.db.selectFrom('target_sync_state').select(['connector_type', 'fingerprint']).orderBy('connector_type').execute();
    expect(states.map((s) => s.connector_type)).toEqual(['blind', 'lister']);
    expect(states.every((s) => typeof s.fingerprint === 'string' && s.fingerprint.length === 64)).toBe(true);

    // Removed, then added again: a new target as far as runs go.
    await putTargets('Blind');
    await checkAll();
    expect(await database.db.selectFrom('target_sync_state').select('connector_type').execute()).toEqual([{ connector_type: 'blind' }]);
    await putTargets('Blind', 'Target');
    await checkAll();
    expect(await allRuns()).toEqual([{ idp: 'Target', trigger: 'target-added', dryRun: false }]);
  });

  it('keeps the state but starts nothing with automatic runs off', async () => {
    const off = new RunTriggers(database, resident, runs, silentLogger, { ...settings, automaticRuns: false });
    await putTargets('Target');
    await off.check();
    expect(await allRuns()).toEqual([]);
    // Turned on later, the target is not taken for a new one.
    await checkAll(Date.now() + 120_000);
    expect(await allRuns()).toEqual([]);
  });

  it('claims one run at a time per target: a run queued behind a running one waits for it', async () => {
    const run = (id: string, idp: string) => ({ id, tenant: T, idpId: idp, idpName: idp, connectorType: 'lister', dryRun: false, trigger: 'manual' as const, users: null, requestedBy: null });
    const now = Date.now();
    await runs.create(run('first', 'a'), now);
    await runs.create(run('second', 'a'), now + 1);
    await runs.create(run('other', 'b'), now + 2);
    expect((await runs.claim('one', now + 10, 60_000))?.id).toBe('first');
    // "second" waits behind "first"; another target's run does not.
    expect((await runs.claim('two', now + 10, 60_000))?.id).toBe('other');
    expect(await runs.claim('two', now + 10, 60_000)).toBeUndefined();
    await runs.finish('first', 'one', 'succeeded', null);
    expect((await runs.claim('two', now + 20, 60_000))?.id).toBe('second');
  });

  it('sees a target taken off and put back between two checks, and a connector turned off and on again', async () => {
    await putTargets('Target');
    await checkAll();
    await database.db.updateTable('reconciliation_runs').set({ state: 'succeeded' }).execute();
    await putTargets();
    await putTargets('Target');
    await checkAll();
    expect((await allRuns()).map((r) => r.trigger)).toEqual(['target-added', 'target-added']);
    await database.db.updateTable('reconciliation_runs').set({ state: 'succeeded' }).execute();
    const connector = (isEnabled: boolean) => idps.replaceConnector(T, idpId, connectorIdOf('lister'), { isEnabled, properties: [] });
    await connector(false);
    await connector(true);
    await checkAll();
    expect(await allRuns()).toHaveLength(3);
  });
});
