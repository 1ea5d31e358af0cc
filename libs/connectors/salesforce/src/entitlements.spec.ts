import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sampleOperation } from '@provisioning/connector-kit/testing';
import type { RemoteCallRecord } from '@provisioning/connector-kit';
import { startSalesforceEmulator, toId18 } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { SalesforceConnector } from './index';
import { emulatorConnector, salesforceUser } from './testing/emulator-fixtures';

/** Permission sets and roles through the connector's session, against the emulator over HTTP. */
describe('Salesforce entitlements', () => {
  let emu: RunningEmulator;
  const connect = (overrides: Record<string, string> = {}): SalesforceConnector => emulatorConnector(emu, overrides);
  const dataCalls = () =>
    emu.state.requestLog.filter((r) => r.path.startsWith('/services/data/')).map((r) => `${r.method} ${r.path.replace(/^\/services\/data\/v[\d.]+/, '')}`);
  const queries = (object: string) => emu.state.requestLog.filter((r) => r.path.endsWith('/query') && String(r.query.q ?? '').includes(`FROM ${object}`));
  const setId = (name: string) => emu.state.permissionSetByName(name)!.Id;
  const names = (userId: string, all = false) =>
    emu.state
      .assignmentsOf(userId)
      .map((a) => emu.state.permissionSets.get(a.PermissionSetId)!)
      .filter((s) => all || !s.IsOwnedByProfile)
      .map((s) => s.Name)
      .sort();

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ licenses: 2_000, queryBatchSize: 200 });
  });
  afterAll(async () => emu.close());
  beforeEach(() => {
    emu.state.clearFaults();
    emu.state.requestLog.length = 0;
  });

  async function createUsers(n: number, prefix: string, overrides: Record<string, string> = {}): Promise<string[]> {
    const connector = connect();
    const ids: string[] = [];
    for (let i = 0; i < n; i += 200) {
      const ops = Array.from({ length: Math.min(200, n - i) }, (_, k) => sampleOperation('create', salesforceUser(prefix, overrides), { localId: `${prefix}-${i + k}` }));
      for (const o of await connector.provisionBatch!(ops)) ids.push(o.ok ? o.result.remoteId! : expect.fail(String((o as { error: unknown }).error)));
    }
    emu.state.requestLog.length = 0;
    return ids;
  }

  it('resolves permission set API names and role DeveloperNames once per connector, refreshing once on a miss', async () => {
    const connector = connect();
    const sets = await connector.entitlements.resolvePermissionSets(['Sales_Ops', 'api_only']);
    expect(sets).toEqual(new Map([['Sales_Ops', setId('Sales_Ops')], ['api_only', setId('API_Only')]]));
    expect(await connector.entitlements.resolvePermissionSets(['Marketing_User'])).toEqual(new Map([['Marketing_User', setId('Marketing_User')]]));
    expect(queries('PermissionSet')).toHaveLength(1);

    // Profile-owned sets are not assignable: not found, named in a permanent error.
    const owned = emu.state.profilePermissionSet(emu.state.profile('00e2x000001AT3y')!.Id)!.Name;
    const unknown = await connector.entitlements.resolvePermissionSets(['Sales_Ops', 'Nope_One', owned]).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ kind: 'upstream-rejected', remoteCode: 'UNKNOWN_PERMISSION_SET', details: { names: ['Nope_One', owned] } });
    expect((unknown as Error).message).toContain('"Nope_One"');
    expect(queries('PermissionSet')).toHaveLength(2);

    emu.state.addPermissionSet({ name: 'Added_Later' });
    expect((await connector.entitlements.resolvePermissionSets(['Added_Later'])).get('Added_Later')).toBe(setId('Added_Later'));
    expect(queries('PermissionSet')).toHaveLength(3);
    // A second connector has its own cache.
    await connect().entitlements.resolvePermissionSets(['Sales_Ops']);
    expect(queries('PermissionSet')).toHaveLength(4);

    const salesRep = emu.state.roleByDeveloperName('SalesRep')!.Id;
    expect(await connector.entitlements.resolveRole('salesrep')).toBe(salesRep);
    expect(await connector.entitlements.userRoleIdFor('SalesRep')).toBe(salesRep);
    expect(await connector.entitlements.userRoleIdFor(null)).toBeNull();
    expect(await connector.entitlements.userRoleIdFor('  ')).toBeNull();
    expect(queries('UserRole')).toHaveLength(1);
    await expect(connector.entitlements.userRoleIdFor('Janitor')).rejects.toMatchObject({ kind: 'upstream-rejected', remoteCode: 'UNKNOWN_ROLE', message: expect.stringContaining('"Janitor"') });
    expect(queries('UserRole')).toHaveLength(2);
  });

  it('gives a UserRoleId value that Salesforce accepts on the user', async () => {
    const connector = connect();
    const [userId] = await createUsers(1, 'roled');
    const roleId = await connector.entitlements.userRoleIdFor('SalesManager');
    await connector.provision(sampleOperation('update', { UserRoleId: roleId! }, { remoteId: userId!, allAttributes: [] }));
    expect(emu.state.user(userId!)?.UserRoleId).toBe(emu.state.roleByDeveloperName('SalesManager')!.Id);
  });

  it("reads many users' assignments, one query per 200 users, paging, without profile-owned sets", async () => {
    const connector = connect();
    const users = await createUsers(450, 'reader');
    await connector.entitlements.converge({ users: users.map((userId) => ({ userId, permissionSets: ['Sales_Ops', 'Marketing_User'] })), managed: [] });
    emu.state.requestLog.length = 0;

    const read = await connector.entitlements.readAssignments([...users.slice(0, 449).map((u, i) => (i % 2 === 0 ? u.slice(0, 15) : u)), users[0]!]);
    expect(read.size).toBe(449);
    for (const userId of users.slice(0, 449)) {
      expect(read.get(userId)!.map((a) => a.permissionSetName).sort()).toEqual(['Marketing_User', 'Sales_Ops']);
      expect(read.get(userId)!.map((a) => a.id).sort()).toEqual(emu.state.assignmentsOf(userId).filter((a) => a.PermissionSetId !== emu.state.profilePermissionSet(emu.state.user(userId)!.ProfileId)!.Id).map((a) => a.Id).sort());
    }
    // 3 chunks of users (200, 200, 49); the first two have 400 rows each, so two pages of 200.
    expect(dataCalls().filter((c) => c.startsWith('GET /query'))).toHaveLength(5);
    expect(queries('PermissionSetAssignment')).toHaveLength(3);

    const none = await connector.entitlements.readAssignments([(await createUsers(1, 'bare'))[0]!]);
    expect([...none.values()]).toEqual([[]]);
    await expect(connector.entitlements.readAssignments(["005' OR Id != '"])).rejects.toMatchObject({ kind: 'validation' });
  });

  it('adds what is missing and removes only managed sets no longer desired, in one Collections call each', async () => {
    const connector = connect();
    const [a, b, c] = await createUsers(3, 'conv');
    // An administrator's manual assignments, and what an earlier convergence left.
    await connector.entitlements.converge({ users: [{ userId: a!, permissionSets: ['API_Only', 'Sales_Ops'] }, { userId: b!, permissionSets: ['Marketing_User'] }], managed: [] });
    emu.state.requestLog.length = 0;

    const outcomes = await connector.entitlements.converge({
      users: [
        { userId: a!, permissionSets: ['Marketing_User'] },
        { userId: b!.slice(0, 15), permissionSets: [] },
        { userId: c!, permissionSets: ['Sales_Ops', 'sales_ops', 'Marketing_User'] },
      ],
      managed: ['Sales_Ops', 'Marketing_User'],
    });
    expect(outcomes).toEqual([
      { userId: a, ok: true, added: ['Marketing_User'], removed: ['Sales_Ops'] },
      { userId: b!.slice(0, 15), ok: true, added: [], removed: ['Marketing_User'] },
      { userId: c, ok: true, added: ['Sales_Ops', 'Marketing_User'], removed: [] },
    ]);
    expect(names(a!)).toEqual(['API_Only', 'Marketing_User']); // API_Only is not managed: it stays
    expect(names(b!)).toEqual([]);
    expect(names(b!, true)).toHaveLength(1); // the profile's own set stays
    expect(names(c!)).toEqual(['Marketing_User', 'Sales_Ops']);
    // The names are cached from the first convergence: one query (the assignments), then one call per kind of write.
    expect(dataCalls().map((c) => c.replace(/\?.*$/, ''))).toEqual(['GET /query', 'POST /composite/sobjects', 'DELETE /composite/sobjects']);

    // Converged: nothing to write the second time.
    emu.state.requestLog.length = 0;
    const again = await connector.entitlements.converge({ users: [{ userId: a!, permissionSets: ['Marketing_User'] }], managed: ['Sales_Ops', 'Marketing_User'] });
    expect(again).toEqual([{ userId: a, ok: true, added: [], removed: [] }]);
    expect(dataCalls()).toEqual([expect.stringMatching(/^GET \/query/)]);
  });

  it('writes 200 records per Collections call for many users, with the current assignments given', async () => {
    const connector = connect();
    const users = await createUsers(250, 'bulk');
    const current = await connector.entitlements.readAssignments(users);
    emu.state.requestLog.length = 0;
    const outcomes = await connector.entitlements.converge({ users: users.map((userId) => ({ userId, permissionSets: ['API_Only'] })), managed: ['API_Only'], current });
    expect(outcomes.every((o) => o.ok && o.added.length === 1)).toBe(true);
    expect(dataCalls().filter((c) => !c.startsWith('GET /query'))).toEqual(['POST /composite/sobjects', 'POST /composite/sobjects']);
    expect(dataCalls().filter((c) => c.startsWith('GET /query'))).toEqual(['GET /query']); // the names only
    expect(users.every((u) => names(u).includes('API_Only'))).toBe(true);
  });

  it('fails only the user whose record Salesforce rejects, or whose desired set is unknown', async () => {
    const connector = connect();
    const [good, inactive, confused] = await createUsers(3, 'mixed');
    await connector.provision(sampleOperation('deprovision', {}, { remoteId: inactive! }));
    const logs = new Map<string, RemoteCallRecord[]>();
    const outcomes = await connector.entitlements.converge(
      {
        users: [
          { userId: good!, permissionSets: ['Sales_Ops'] },
          { userId: inactive!, permissionSets: ['Sales_Ops'] },
          { userId: confused!, permissionSets: ['Sales_Ops', 'No_Such_Set'] },
        ],
        managed: ['Sales_Ops'],
      },
      { record: (userId, call) => logs.set(userId, [...(logs.get(userId) ?? []), call]) },
    );
    expect(outcomes[0]).toEqual({ userId: good, ok: true, added: ['Sales_Ops'], removed: [] });
    expect(outcomes[1]).toMatchObject({ userId: inactive, ok: false, added: [], error: { kind: 'upstream-rejected', remoteCode: 'INACTIVE_OWNER_OR_USER' } });
    expect(outcomes[2]).toMatchObject({ userId: confused, ok: false, added: [], error: { kind: 'upstream-rejected', remoteCode: 'UNKNOWN_PERMISSION_SET', details: { names: ['No_Such_Set'] } } });
    expect(names(confused!)).toEqual([]);
    expect(logs.get(good!)).toEqual([expect.objectContaining({ method: 'POST', status: 200 })]);
    expect(logs.get(inactive!)).toEqual([expect.objectContaining({ method: 'POST', remoteCode: 'INACTIVE_OWNER_OR_USER' })]);
    expect(logs.has(confused!)).toBe(false);

    await expect(connector.entitlements.converge({ users: [{ userId: good!, permissionSets: [] }, { userId: good!.slice(0, 15), permissionSets: [] }], managed: [] })).rejects.toMatchObject({
      kind: 'validation',
    });
  });

  it('counts an assignment made meanwhile, or one already removed, as done', async () => {
    const connector = connect();
    const [userId] = await createUsers(1, 'raced');
    const stale = await connector.entitlements.readAssignments([userId!]);
    await connector.entitlements.converge({ users: [{ userId: userId!, permissionSets: ['Sales_Ops', 'API_Only'] }], managed: [] });
    const outcome = await connector.entitlements.converge({ users: [{ userId: userId!, permissionSets: ['Sales_Ops'] }], managed: [], current: stale });
    expect(outcome).toEqual([{ userId, ok: true, added: ['Sales_Ops'], removed: [] }]);

    const held = await connector.entitlements.readAssignments([userId!]);
    await connector.entitlements.converge({ users: [{ userId: userId!, permissionSets: [] }], managed: ['Sales_Ops', 'API_Only'] });
    const removedAgain = await connector.entitlements.converge({ users: [{ userId: userId!, permissionSets: [] }], managed: ['Sales_Ops', 'API_Only'], current: held });
    expect(removedAgain).toEqual([{ userId, ok: true, added: [], removed: ['Sales_Ops', 'API_Only'] }]);
    expect(names(userId!)).toEqual([]);
  });

  it('fails every user of a Collections call that failed as a whole with its error', async () => {
    const connector = connect();
    const users = await createUsers(2, 'outage');
    await connector.entitlements.resolvePermissionSets(['Sales_Ops']);
    emu.state.injectFault({ method: 'POST', path: '/composite/sobjects', times: 1, action: { type: 'status', status: 503 } });
    const outcomes = await connector.entitlements.converge({ users: users.map((userId) => ({ userId, permissionSets: ['Sales_Ops'] })), managed: [] });
    expect(outcomes.map((o) => [o.ok, o.error?.kind])).toEqual([
      [false, 'upstream-unavailable'],
      [false, 'upstream-unavailable'],
    ]);
  });

  it('sends one call per assignment below API v42.0', async () => {
    const connector = connect({ 'sf-api-version': 'v41.0' });
    const [a, b] = await createUsers(2, 'oldapi');
    await connector.entitlements.converge({ users: [{ userId: a!, permissionSets: ['Sales_Ops'] }], managed: [] });
    emu.state.requestLog.length = 0;
    const outcomes = await connector.entitlements.converge({
      users: [
        { userId: a!, permissionSets: ['API_Only'] },
        { userId: b!, permissionSets: ['API_Only', 'Marketing_User'] },
      ],
      managed: ['Sales_Ops', 'API_Only', 'Marketing_User'],
    });
    expect(outcomes.map((o) => [o.ok, o.added, o.removed])).toEqual([
      [true, ['API_Only'], ['Sales_Ops']],
      [true, ['API_Only', 'Marketing_User'], []],
    ]);
    const writes = dataCalls().filter((c) => !c.startsWith('GET'));
    expect(writes.map((w) => w.replace(/\/0Pa\w+$/, '/{id}'))).toEqual([
      'POST /sobjects/PermissionSetAssignment',
      'POST /sobjects/PermissionSetAssignment',
      'POST /sobjects/PermissionSetAssignment',
      'DELETE /sobjects/PermissionSetAssignment/{id}',
    ]);
    expect(names(a!)).toEqual(['API_Only']);
    expect(names(b!)).toEqual(['API_Only', 'Marketing_User']);

    // Below v42.0 too, a record Salesforce refuses fails its user only.
    const gone = toId18('005000000000000')!;
    const single = await connector.entitlements.converge({ users: [{ userId: gone, permissionSets: ['Sales_Ops'] }, { userId: a!, permissionSets: ['API_Only'] }], managed: [] });
    expect(single.map((o) => [o.ok, (o.error as { remoteCode?: string } | undefined)?.remoteCode])).toEqual([
      [false, 'INVALID_CROSS_REFERENCE_KEY'],
      [true, undefined],
    ]);
  });
});
