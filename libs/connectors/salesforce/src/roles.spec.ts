import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackHttp, sampleOperation } from '@provisioning/connector-kit/testing';
import type { OutboundConnector } from '@provisioning/connector-kit';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { salesforceConnector } from './index';
import { emulatorProperties, salesforceUser, silentLogger } from './testing/emulator-fixtures';

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
    expect(String((outcomes[1] as { error: Error }).error.message)).toMatch(/no role with the DeveloperName "NoSuchRole"/);
    expect(roleOf(good.Username)).toBe(emu.state.roleByDeveloperName('SalesManager')!.Id);
    expect(emu.state.usersByUsername(bad.Username)).toBeUndefined();
  });

  it('lists the role as its DeveloperName and describes it the same way, so a run finds it in sync or drifted', async () => {
    const connector = connect();
    const user = salesforceUser('listrole', { UserRole: 'salesrep' });
    await connector.provision(sampleOperation('create', user));
    const without = salesforceUser('norole');
    await connector.provision(sampleOperation('create', without));
    const accounts = [];
    let cursor: string | undefined;
    do {
      const page = await connector.listAccounts!({ fields: ['UserRole', 'LastName'], ...(cursor ? { cursor } : {}) });
      accounts.push(...page.accounts);
      cursor = page.cursor;
    } while (cursor);
    const listed = accounts.find((a) => a.remoteName === user.Username)!;
    expect(listed.attributes).toEqual({ UserRole: 'SalesRep', LastName: 'Listrole' });
    // The description uses the org's spelling once the roles were read.
    expect(connector.describeAccount!(sampleOperation('create', user)).attributes.UserRole).toBe('SalesRep');
    expect(accounts.find((a) => a.remoteName === without.Username)!.attributes.UserRole).toBeNull();
  });
});
