import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackHttp, sampleOperation } from '@provisioning/connector-kit/testing';
import type { OutboundAttribute, OutboundConnector, ProvisioningOperation, RemoteAccount } from '@provisioning/connector-kit';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { salesforceConnector } from './index';
import { emulatorConnector, emulatorProperties, salesforceUser, silentLogger } from './testing/emulator-fixtures';

/** Every account the connector lists, page after page. */
async function listAll(connector: OutboundConnector, fields: string[]): Promise<RemoteAccount[]> {
  const accounts: RemoteAccount[] = [];
  let cursor: string | undefined;
  do {
    const page = await connector.listAccounts!({ fields, ...(cursor ? { cursor } : {}) });
    accounts.push(...page.accounts);
    cursor = page.cursor;
  } while (cursor);
  return accounts;
}

/**
 * The role hierarchy (issue 12, item 7): an IdP maps `UserRole` to a role's DeveloperName (through
 * its role mappings); the connector writes `UserRoleId`, and lists it back as the DeveloperName so
 * runs compare and repair it. Against the emulator over HTTP, single calls and Collections alike.
 */
describe('Salesforce roles by DeveloperName', () => {
  let emu: RunningEmulator;
  const connect = (version = 'v60.0'): OutboundConnector =>
    salesforceConnector.create(salesforceConnector.parseConfig(emulatorProperties(emu, { 'sf-api-version': version })), {
      idpName: 'Salesforce.com',
      tenantDomain: 'carbon.super',
      logger: silentLogger,
      requestTimeoutMs: 5_000,
      http: loopbackHttp(),
    });
  const roleOf = (username: string) => emu.state.usersByUsername(username)?.UserRoleId;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
  });
  afterAll(async () => emu.close());

  it('creates and updates a user with the role its DeveloperName names (single calls), the first of several', async () => {
    const connector = connect('v41.0');
    const user = salesforceUser('role', { UserRole: ['SalesRep', 'CEO'] });
    const created = await connector.provision(sampleOperation('create', user));
    expect(roleOf(user.Username)).toBe(emu.state.roleByDeveloperName('SalesRep')!.Id);
    const update = sampleOperation('update', user, { remoteId: (created as { remoteId: string }).remoteId, attributes: [{ name: 'UserRole', value: 'ceo', source: 'user' }] });
    await connector.provision(update);
    expect(roleOf(user.Username)).toBe(emu.state.roleByDeveloperName('CEO')!.Id);
    const preview = await connector.preview(sampleOperation('create', user));
    expect(preview.body).toMatchObject({ UserRoleId: emu.state.roleByDeveloperName('SalesRep')!.Id });
    expect(preview.warnings).toContain('UserRole has several values ("SalesRep", "CEO"); only the first is sent (order the IdP\'s role mappings by priority)');
  });

  it('in a Collections batch, fails only the operation naming a role the org lacks, naming it', async () => {
    const good = salesforceUser('batchrole', { UserRole: 'SalesManager' });
    const bad = salesforceUser('batchrole', { UserRole: 'NoSuchRole' });
    const outcomes = await connect().provisionBatch!([sampleOperation('create', good, { localId: 'g' }), sampleOperation('create', bad, { localId: 'b' })]);
    expect(outcomes[0]).toMatchObject({ ok: true, result: { outcome: 'created' } });
    expect(outcomes[1]!.ok).toBe(false);
    expect(String((outcomes[1] as { error: Error }).error.message)).toMatch(/no role named "NoSuchRole"/);
    expect(roleOf(good.Username)).toBe(emu.state.roleByDeveloperName('SalesManager')!.Id);
    expect(emu.state.usersByUsername(bad.Username)).toBeUndefined();
  });

  it('lists the role as its DeveloperName and describes it the same way, so a run finds it in sync or drifted', async () => {
    const connector = connect();
    const user = salesforceUser('listrole', { UserRole: 'salesrep' });
    await connector.provision(sampleOperation('create', user));
    const without = salesforceUser('norole');
    await connector.provision(sampleOperation('create', without));
    const accounts = await listAll(connector, ['UserRole', 'LastName']);
    const listed = accounts.find((a) => a.remoteName === user.Username)!;
    expect(listed.attributes).toEqual({ UserRole: 'SalesRep', LastName: 'Listrole' });
    // The description uses the org's spelling once the roles were read.
    expect(connector.describeAccount!(sampleOperation('create', user)).attributes.UserRole).toBe('SalesRep');
    expect(accounts.find((a) => a.remoteName === without.Username)!.attributes.UserRole).toBeNull();
  });
});

/**
 * Permission sets (issue 12, item 7): role mappings naming the field `PermissionSets` give the
 * complete list a user should hold among the managed sets; the connector converges the user's
 * PermissionSetAssignment records after writing the user, and lists them back for runs.
 */
describe('Salesforce permission sets through the PermissionSets field', () => {
  let emu: RunningEmulator;
  const MANAGED = ['Sales_Ops', 'Marketing_User', 'API_Only'];
  const setsOf = (username: string) =>
    emu.state
      .assignmentsOf(emu.state.usersByUsername(username)!.Id)
      .map((a) => emu.state.permissionSets.get(a.PermissionSetId)!)
      .filter((s) => !s.IsOwnedByProfile)
      .map((s) => s.Name)
      .sort();
  /** An operation whose PermissionSets attribute is an entitlement list of the managed sets. */
  const withSets = (operation: ProvisioningOperation, names: string[]): ProvisioningOperation => {
    const entitle = (list: OutboundAttribute[]) => [...list.filter((a) => a.name !== 'PermissionSets'), { name: 'PermissionSets', value: names, source: 'user' as const, managedValues: MANAGED }];
    return { ...operation, attributes: operation.kind === 'deprovision' ? [] : entitle(operation.attributes), allAttributes: entitle(operation.allAttributes) };
  };

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
  });
  afterAll(async () => emu.close());

  for (const version of ['v41.0', 'v60.0']) {
    it(`assigns the listed sets, removes managed ones no longer listed, keeps hand-assigned ones (${version})`, async () => {
      const connector = emulatorConnector(emu, { 'sf-api-version': version });
      const user = salesforceUser('perm');
      const created = await connector.provision(withSets(sampleOperation('create', user), ['Sales_Ops', 'API_Only']));
      const remoteId = (created as { remoteId: string }).remoteId;
      expect(setsOf(user.Username)).toEqual(['API_Only', 'Sales_Ops']);

      // An administrator assigns a set by hand in Salesforce: never removed.
      emu.state.addPermissionSet({ name: `Hand_${version.replace('.', '_')}` });
      const hand = emu.state.permissionSetByName(`Hand_${version.replace('.', '_')}`)!;
      emu.state.putAssignment({ Id: `0Pa${version === 'v41.0' ? '1' : '2'}x00000000AAA`, AssigneeId: remoteId, PermissionSetId: hand.Id } as never);

      // Only the roles changed: no PATCH of the User, the assignments converge.
      emu.state.requestLog.length = 0;
      await connector.provision(withSets(sampleOperation('update', {}, { remoteId }), ['Marketing_User']));
      expect(setsOf(user.Username)).toEqual([hand.Name, 'Marketing_User'].sort());
      expect(emu.state.requestLog.some((r) => r.method === 'PATCH' && r.path.includes('/sobjects/User/'))).toBe(false);

      await connector.provision(withSets(sampleOperation('update', {}, { remoteId }), []));
      expect(setsOf(user.Username)).toEqual([hand.Name]);
    });
  }

  it('fails a batch operation naming an unknown set alone, before writing its user; the others get their sets', async () => {
    const connector = emulatorConnector(emu);
    const good = salesforceUser('batchperm');
    const bad = salesforceUser('batchperm');
    const outcomes = await connector.provisionBatch!([
      withSets(sampleOperation('create', good, { localId: 'g' }), ['Sales_Ops']),
      withSets(sampleOperation('create', bad, { localId: 'b' }), ['Sales_Ops', 'No_Such_Set']),
    ]);
    expect(outcomes[0]).toMatchObject({ ok: true, result: { outcome: 'created' } });
    expect(outcomes[1]).toMatchObject({ ok: false, error: { remoteCode: 'UNKNOWN_PERMISSION_SET' } });
    expect(setsOf(good.Username)).toEqual(['Sales_Ops']);
    expect(emu.state.usersByUsername(bad.Username)).toBeUndefined();
  });

  it('lists assignments under PermissionSets and describes the desired list, so a run compares them', async () => {
    const connector = emulatorConnector(emu);
    const user = salesforceUser('listperm');
    const operation = withSets(sampleOperation('create', user), ['sales_ops', 'Marketing_User']);
    await connector.provision(operation);
    const accounts = await listAll(connector, ['PermissionSets', 'LastName']);
    expect(accounts.find((a) => a.remoteName === user.Username)!.attributes).toEqual({ PermissionSets: ['Marketing_User', 'Sales_Ops'], LastName: 'Listperm' });
    // The org's spelling once the sets were read.
    expect(connector.describeAccount!(operation).attributes.PermissionSets).toEqual(['Sales_Ops', 'Marketing_User']);
    const preview = await connector.preview(operation);
    expect(preview.body).not.toHaveProperty('PermissionSets');
    expect(preview.warnings.join('\n')).toContain('permission sets are assigned after the user is written (PermissionSetAssignment): sales_ops, Marketing_User');
  });

  it('clears the role when the entitlement list for UserRole becomes empty', async () => {
    const connector = emulatorConnector(emu);
    const user = salesforceUser('clearrole', { UserRole: 'SalesRep' });
    const created = await connector.provision(sampleOperation('create', user));
    expect(emu.state.usersByUsername(user.Username)?.UserRoleId).toBe(emu.state.roleByDeveloperName('SalesRep')!.Id);
    const update = sampleOperation('update', {}, { remoteId: (created as { remoteId: string }).remoteId, attributes: [{ name: 'UserRole', value: [], source: 'user', managedValues: ['SalesRep'] }] });
    await connector.provision(update);
    expect(emu.state.usersByUsername(user.Username)?.UserRoleId).toBeNull();
  });
});
