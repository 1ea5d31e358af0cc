import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from 'jsforce';
import { startSalesforceEmulator } from './index';
import type { RunningEmulator } from './index';
import { loggedIn, rejection, userBody } from './testing/fixtures';

/** The role hierarchy (issue 12, item 7): UserRole records and User.UserRoleId, through jsforce. */
describe('jsforce against the emulator: roles', () => {
  let emu: RunningEmulator;
  let conn: Connection;

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ roles: [{ name: 'Sales Representative', developerName: 'SalesRep' }, { id: '00E000000000001', name: 'CEO', developerName: 'CEO' }] });
    conn = await loggedIn(emu);
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(() => {
    emu.state.reset();
  });

  it('lists roles by DeveloperName through SOQL', async () => {
    const result = await conn.query<{ Id: string; DeveloperName: string; Name: string }>("SELECT Id, DeveloperName, Name FROM UserRole WHERE DeveloperName = 'SalesRep'");
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({ DeveloperName: 'SalesRep', Name: 'Sales Representative' });
    expect(result.records[0]!.Id).toMatch(/^00E[A-Za-z0-9]{15}$/);
    expect((await conn.query('SELECT Id FROM UserRole')).totalSize).toBe(2);
  });

  it('sets, changes and clears a user\'s role, refusing a role that does not exist', async () => {
    const salesRep = emu.state.roleByDeveloperName('salesrep')!.Id;
    const ceo = emu.state.roleByDeveloperName('CEO')!.Id;
    const created = await conn.sobject('User').create({ ...userBody('role.user@example.com'), UserRoleId: salesRep });
    const id = (created as { id: string }).id;
    expect(emu.state.users.get(id)?.UserRoleId).toBe(salesRep);
    // A 15-character id names the same role and is stored in the 18-character form.
    await conn.sobject('User').update({ Id: id, UserRoleId: ceo.slice(0, 15) });
    expect(emu.state.users.get(id)?.UserRoleId).toBe(ceo);
    const listed = await conn.query<{ UserRoleId: string }>(`SELECT Id, UserRoleId FROM User WHERE Id = '${id}'`);
    expect(listed.records[0]?.UserRoleId).toBe(ceo);
    await conn.sobject('User').update({ Id: id, UserRoleId: null });
    expect(emu.state.users.get(id)?.UserRoleId).toBeNull();

    const unknown = await rejection(conn.sobject('User').update({ Id: id, UserRoleId: '00E000000000099AAA' }));
    expect(unknown).toMatchObject({ errorCode: 'INVALID_CROSS_REFERENCE_KEY' });
    const wrongType = await rejection(conn.sobject('User').create({ ...userBody('bad.role@example.com'), UserRoleId: '00e2x000001AT3y' }));
    expect(wrongType).toMatchObject({ errorCode: 'INVALID_CROSS_REFERENCE_KEY' });
    expect(emu.state.usersByUsername('bad.role@example.com')).toBeUndefined();
  });
});
