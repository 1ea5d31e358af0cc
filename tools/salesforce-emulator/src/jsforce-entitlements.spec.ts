import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from 'jsforce';
import { startSalesforceEmulator, toId18 } from './index';
import type { RunningEmulator } from './index';
import { USER_SCHEMA } from './schema';
import { loggedIn, rejection, userBody } from './testing/fixtures';
import { insertUser } from './user-dml';
import { coerceFields } from './validation';

interface SaveResultLike {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode?: string; message: string; fields?: string[] }>;
}
interface AssignmentRow {
  Id: string;
  AssigneeId: string;
  PermissionSetId: string;
  PermissionSet: { Name: string } | null;
}

const CHATTER_FREE = '00e2x000001AT3y';
const STANDARD_USER = '00e2x000001AT3z';

describe('jsforce against the emulator: permission sets, assignments and roles', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  let counter = 0;

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ queryBatchSize: 200 });
    conn = await loggedIn(emu);
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(() => {
    emu.state.reset();
  });

  async function newUser(overrides: Record<string, unknown> = {}): Promise<string> {
    counter += 1;
    const saved = (await conn.sobject('User').create(userBody(`ent${counter}@example.com`, { CommunityNickname: `ent${counter}`, ...overrides }))) as SaveResultLike;
    expect(saved.success).toBe(true);
    return saved.id!;
  }
  const setId = (name: string): string => emu.state.permissionSetByName(name)!.Id;
  const assign = (assigneeId: string, permissionSetId: string) =>
    conn.sobject('PermissionSetAssignment').create({ AssigneeId: assigneeId, PermissionSetId: permissionSetId }) as Promise<SaveResultLike>;

  it('seeds permission sets (one owned by each profile) and a role hierarchy, queryable with SOQL', async () => {
    const custom = await conn.query<{ Id: string; Name: string; Label: string }>('SELECT Id, Name, Label FROM PermissionSet WHERE IsOwnedByProfile = false ORDER BY Name');
    expect(custom.records.map((r) => r.Name)).toEqual(['API_Only', 'Marketing_User', 'Sales_Ops']);
    expect(custom.records.every((r) => /^0PS[A-Za-z0-9]{15}$/.test(r.Id))).toBe(true);

    const owned = await conn.query<{ Name: string; ProfileId: string; Profile: { Name: string } }>(
      'SELECT Name, ProfileId, Profile.Name FROM PermissionSet WHERE IsOwnedByProfile = true',
    );
    expect(owned.records.map((r) => r.Profile.Name).sort()).toEqual(['Chatter Free User', 'Standard User', 'System Administrator']);

    const roles = await conn.query<{ Id: string; Name: string; DeveloperName: string; ParentRoleId: string | null }>('SELECT Id, Name, DeveloperName, ParentRoleId FROM UserRole');
    const byName = new Map(roles.records.map((r) => [r.DeveloperName, r] as const));
    expect([...byName.keys()].sort()).toEqual(['CEO', 'SalesManager', 'SalesRep']);
    expect(byName.get('CEO')!.Id).toMatch(/^00E[A-Za-z0-9]{15}$/);
    expect(byName.get('CEO')!.ParentRoleId).toBeNull();
    expect(byName.get('SalesRep')!.ParentRoleId).toBe(byName.get('SalesManager')!.Id);
    expect(byName.get('SalesManager')).toMatchObject({ Name: 'Sales Manager', ParentRoleId: byName.get('CEO')!.Id });
  });

  it("gives every user its profile's permission set assignment, moved when the profile changes", async () => {
    const userId = await newUser();
    const read = () =>
      conn.query<AssignmentRow & { PermissionSet: { Name: string; IsOwnedByProfile: boolean; ProfileId: string } }>(
        `SELECT Id, PermissionSet.Name, PermissionSet.IsOwnedByProfile, PermissionSet.ProfileId FROM PermissionSetAssignment WHERE AssigneeId = '${userId}'`,
      );
    const before = await read();
    expect(before.records).toHaveLength(1);
    expect(before.records[0].Id).toMatch(/^0Pa[A-Za-z0-9]{15}$/);
    expect(before.records[0].PermissionSet).toMatchObject({ IsOwnedByProfile: true, ProfileId: emu.state.profile(CHATTER_FREE)!.Id });

    await conn.sobject('User').update({ Id: userId, ProfileId: STANDARD_USER });
    const after = await read();
    expect(after.records).toHaveLength(1);
    expect(after.records[0].PermissionSet.ProfileId).toBe(emu.state.profile(STANDARD_USER)!.Id);
  });

  it('creates and deletes assignments through sObject REST, and refuses what Salesforce refuses', async () => {
    const userId = await newUser();
    const created = await assign(userId, setId('Sales_Ops'));
    expect(created).toMatchObject({ success: true, errors: [] });
    expect(created.id).toMatch(/^0Pa[A-Za-z0-9]{15}$/);
    expect(emu.state.assignmentFor(userId, setId('Sales_Ops'))?.Id).toBe(created.id);

    const duplicate = await rejection(assign(userId, setId('Sales_Ops')));
    expect(duplicate.errorCode).toBe('DUPLICATE_VALUE');
    expect(duplicate.message).toContain('Duplicate PermissionSetAssignment');

    const unknownUser = await rejection(assign('005000000000000AAA', setId('Sales_Ops')));
    expect(unknownUser.errorCode).toBe('INVALID_CROSS_REFERENCE_KEY');
    expect(unknownUser.data?.fields).toEqual(['AssigneeId']);
    const unknownSet = await rejection(assign(userId, toId18('0PS000000000000')!));
    expect(unknownSet.errorCode).toBe('INVALID_CROSS_REFERENCE_KEY');
    expect(unknownSet).toMatchObject({ errorCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id' });
    expect(unknownSet.data?.fields).toEqual(['PermissionSetId']);
    const wrongType = await rejection(assign(userId, userId));
    expect(wrongType).toMatchObject({ errorCode: 'INVALID_CROSS_REFERENCE_KEY', message: `Permission Set ID: id value of incorrect type: ${userId}` });
    const missing = await rejection(conn.sobject('PermissionSetAssignment').create({ AssigneeId: userId }));
    expect(missing.errorCode).toBe('REQUIRED_FIELD_MISSING');
    const profileSet = await rejection(assign(userId, emu.state.profilePermissionSet(emu.state.profile(STANDARD_USER)!.Id)!.Id));
    expect(profileSet.errorCode).toBe('INVALID_CROSS_REFERENCE_KEY');

    const inactive = await newUser({ IsActive: false });
    const toInactive = await rejection(assign(inactive, setId('Sales_Ops')));
    expect(toInactive.errorCode).toBe('INACTIVE_OWNER_OR_USER');
    expect(emu.state.assignmentsOf(inactive).map((a) => a.PermissionSetId)).toEqual([emu.state.profilePermissionSet(emu.state.profile(CHATTER_FREE)!.Id)!.Id]);

    const notUpdatable = await rejection(conn.sobject('PermissionSetAssignment').update({ Id: created.id!, PermissionSetId: setId('API_Only') }));
    expect(notUpdatable.errorCode).toBe('METHOD_NOT_ALLOWED');

    expect(await conn.sobject('PermissionSetAssignment').destroy(created.id!)).toMatchObject({ id: created.id, success: true });
    expect(emu.state.assignmentFor(userId, setId('Sales_Ops'))).toBeUndefined();
    const again = await rejection(conn.sobject('PermissionSetAssignment').destroy(created.id!));
    expect(again.errorCode).toBe('NOT_FOUND');

    const profileAssignment = emu.state.assignmentsOf(userId)[0]!;
    const ownedByProfile = await rejection(conn.sobject('PermissionSetAssignment').destroy(profileAssignment.Id));
    expect(ownedByProfile.errorCode).toBe('DELETE_FAILED');
    expect(emu.state.permissionSetAssignments.has(profileAssignment.Id)).toBe(true);
  });

  it("reads many users' non-profile assignments with a relationship filter, paged", async () => {
    const users: string[] = [];
    for (let i = 0; i < 3; i += 1) users.push(await newUser());
    const other = await newUser();
    const results = (await conn.sobject('PermissionSetAssignment').create([
      ...users.map((u) => ({ AssigneeId: u, PermissionSetId: setId('Sales_Ops') })),
      { AssigneeId: users[0], PermissionSetId: setId('API_Only') },
      { AssigneeId: other, PermissionSetId: setId('API_Only') },
    ])) as SaveResultLike[];
    expect(results.every((r) => r.success)).toBe(true);

    const ids = users.map((u) => `'${u}'`).join(', ');
    const found = await conn.query<AssignmentRow>(
      `SELECT Id, AssigneeId, PermissionSetId, PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId IN (${ids}) AND PermissionSet.IsOwnedByProfile = false`,
    );
    expect(found.records).toHaveLength(4);
    expect(found.records.map((r) => `${users.indexOf(r.AssigneeId)}:${r.PermissionSet!.Name}`).sort()).toEqual(['0:API_Only', '0:Sales_Ops', '1:Sales_Ops', '2:Sales_Ops']);
    // 15-character ids name the same users; NOT IN and OR are filtered, not looked up.
    const short = await conn.query(`SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${users[0].slice(0, 15)}' AND PermissionSetId = '${setId('API_Only')}'`);
    expect(short.totalSize).toBe(1);
    const or = await conn.query(`SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${other}' OR PermissionSet.Name = 'Sales_Ops'`);
    expect(or.totalSize).toBe(5);

    for (let i = 0; i < 250; i += 1) newUserQuietly();
    const all = await conn.query<AssignmentRow>('SELECT Id, AssigneeId FROM PermissionSetAssignment');
    expect(all.done).toBe(false);
    expect(all.records).toHaveLength(200);
    const rest = await conn.queryMore<AssignmentRow>(all.nextRecordsUrl!);
    expect(all.totalSize).toBe(emu.state.permissionSetAssignments.size);
    expect(new Set([...all.records, ...rest.records].map((r) => r.Id)).size).toBe(emu.state.permissionSetAssignments.size);
  });

  /** A user straight into the state (the test needs rows, not API calls). */
  function newUserQuietly(): void {
    counter += 1;
    const outcome = insertUser(emu.state, coerceFields(USER_SCHEMA, userBody(`quiet${counter}@example.com`, { CommunityNickname: `quiet${counter}` })));
    expect(outcome.ok).toBe(true);
  }

  it('assigns and unassigns with sObject Collections, one result per record', async () => {
    const a = await newUser();
    const b = await newUser();
    const inactive = await newUser({ IsActive: false });
    const created = (await conn.sobject('PermissionSetAssignment').create([
      { AssigneeId: a, PermissionSetId: setId('Sales_Ops') },
      { AssigneeId: a, PermissionSetId: setId('Sales_Ops') },
      { AssigneeId: inactive, PermissionSetId: setId('Sales_Ops') },
      { AssigneeId: b, PermissionSetId: setId('Marketing_User') },
    ])) as SaveResultLike[];
    expect(created.map((r) => (r.success ? 'ok' : r.errors[0]!.statusCode))).toEqual(['ok', 'DUPLICATE_VALUE', 'INACTIVE_OWNER_OR_USER', 'ok']);

    const profileAssignment = emu.state.assignmentsOf(a).find((x) => x.PermissionSetId !== setId('Sales_Ops'))!;
    const deleted = (await conn.sobject('PermissionSetAssignment').destroy([created[0]!.id!, profileAssignment.Id, toId18('0Pa000000000000')!, created[3]!.id!])) as SaveResultLike[];
    expect(deleted.map((r) => (r.success ? 'ok' : r.errors[0]!.statusCode))).toEqual(['ok', 'DELETE_FAILED', 'ENTITY_IS_DELETED', 'ok']);
    expect(deleted[0]).toEqual({ id: created[0]!.id, success: true, errors: [] });
    expect(emu.state.assignmentsOf(a)).toHaveLength(1);
    expect(emu.state.assignmentsOf(b)).toHaveLength(1);

    const again = (await conn.sobject('PermissionSetAssignment').create([{ AssigneeId: a, PermissionSetId: setId('API_Only') }])) as SaveResultLike[];
    const rolledBack = await fetchJson('DELETE', `/composite/sobjects?allOrNone=true&ids=${again[0]!.id},${profileAssignment.Id}`);
    expect(rolledBack.map((r) => r.errors[0]?.statusCode)).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'DELETE_FAILED']);
    expect(emu.state.permissionSetAssignments.has(again[0]!.id!)).toBe(true);
  });

  async function fetchJson(method: string, path: string, version = '60.0'): Promise<SaveResultLike[]> {
    const res = await fetch(`${emu.url}/services/data/v${version}${path}`, { method, headers: { authorization: `Bearer ${conn.accessToken}` } });
    return (await res.json()) as SaveResultLike[];
  }

  it('has no sObject Collections below API v42.0', async () => {
    const old = await loggedIn(emu, '41.0');
    const res = await fetch(`${emu.url}/services/data/v41.0/composite/sobjects?ids=0Pa000000000000AAA`, { method: 'DELETE', headers: { authorization: `Bearer ${old.accessToken}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  it('sets, reads, validates and clears User.UserRoleId', async () => {
    const salesRep = emu.state.roleByDeveloperName('SalesRep')!.Id;
    const userId = await newUser({ UserRoleId: salesRep.slice(0, 15) });
    expect(emu.state.users.get(userId)?.UserRoleId).toBe(salesRep);
    const read = await conn.query<{ UserRoleId: string; UserRole: { DeveloperName: string } }>(`SELECT UserRoleId, UserRole.DeveloperName FROM User WHERE Id = '${userId}'`);
    expect(read.records[0]).toMatchObject({ UserRoleId: salesRep, UserRole: { DeveloperName: 'SalesRep' } });

    const unknown = await rejection(conn.sobject('User').update({ Id: userId, UserRoleId: toId18('00E000000000000') }));
    expect(unknown).toMatchObject({ errorCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id' });
    expect(unknown.data?.fields).toEqual(['UserRoleId']);
    const wrongType = await rejection(conn.sobject('User').update({ Id: userId, UserRoleId: userId }));
    expect(wrongType.message).toBe(`Role ID: id value of incorrect type: ${userId}`);
    expect(emu.state.users.get(userId)?.UserRoleId).toBe(salesRep);

    await conn.sobject('User').update({ Id: userId, UserRoleId: null });
    expect(emu.state.users.get(userId)?.UserRoleId).toBeNull();
    const noRole = await newUser();
    expect(emu.state.users.get(noRole)?.UserRoleId).toBeNull();
  });

  it('adds permission sets and roles and shows assignments through the control API; reset keeps only the seeded ones', async () => {
    const post = (path: string, body: unknown) => fetch(`${emu.url}/__emulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const made = await post('permission-sets', { name: 'Service_Agent', label: 'Service Agent' });
    expect(made.status).toBe(201);
    const set = (await made.json()) as { Id: string; Name: string; IsOwnedByProfile: boolean };
    expect(set).toMatchObject({ Name: 'Service_Agent', IsOwnedByProfile: false });
    expect((await post('permission-sets', { name: 'service_agent' })).status).toBe(400);
    expect((await post('permission-sets', { name: 'Bad Name' })).status).toBe(400);
    expect((await post('permission-sets', {})).status).toBe(400);

    const role = await post('roles', { developerName: 'SupportRep', name: 'Support Representative', parent: 'CEO' });
    expect(role.status).toBe(201);
    expect(await role.json()).toMatchObject({ DeveloperName: 'SupportRep', ParentRoleId: emu.state.roleByDeveloperName('CEO')!.Id });
    expect((await post('roles', { developerName: 'Orphan', parent: 'Nobody' })).status).toBe(400);

    const userId = await newUser();
    await assign(userId, set.Id);
    const listed = (await (await fetch(`${emu.url}/__emulator/users/${userId}/permission-set-assignments`)).json()) as Array<{ PermissionSetName: string; IsOwnedByProfile: boolean }>;
    expect(listed.map((a) => [a.PermissionSetName, a.IsOwnedByProfile])).toEqual([
      [`X${CHATTER_FREE}`, true],
      ['Service_Agent', false],
    ]);
    const stats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ permissionSets: 7, permissionSetAssignments: 2, roles: 4, users: { total: 1, active: 1 } });

    const salesOps = setId('Sales_Ops');
    emu.state.reset();
    expect(emu.state.permissionSetByName('Service_Agent')).toBeUndefined();
    expect(emu.state.roleByDeveloperName('SupportRep')).toBeUndefined();
    expect(setId('Sales_Ops')).toBe(salesOps);
    expect(emu.state.permissionSetAssignments.size).toBe(0);
  });
});

describe('emulator options: permission sets and roles', () => {
  it('replaces the defaults and rejects a role whose parent comes later', async () => {
    const emu = await startSalesforceEmulator({ permissionSets: [{ name: 'Only_One' }], roles: [{ developerName: 'Top' }, { developerName: 'Below', parent: 'Top' }] });
    try {
      expect([...emu.state.permissionSets.values()].filter((s) => !s.IsOwnedByProfile).map((s) => [s.Name, s.Label])).toEqual([['Only_One', 'Only One']]);
      expect(emu.state.roleByDeveloperName('below')?.ParentRoleId).toBe(emu.state.roleByDeveloperName('Top')!.Id);
    } finally {
      await emu.close();
    }
    await expect(startSalesforceEmulator({ roles: [{ developerName: 'Below', parent: 'Top' }] })).rejects.toThrow('Unknown parent role: Top');
  });
});
