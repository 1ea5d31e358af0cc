import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from 'jsforce';
import { startSalesforceEmulator } from './index';
import type { RunningEmulator } from './index';
import { loggedIn, rejection, userBody } from './testing/fixtures';

interface SaveResultLike {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode?: string; message: string; fields?: string[] }>;
}

describe('jsforce against the emulator: users', () => {
  let emu: RunningEmulator;
  let conn: Connection;

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ queryBatchSize: 2, foreignUsernames: ['Taken@Elsewhere.com'] });
    conn = await loggedIn(emu);
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(() => {
    emu.state.reset();
  });

  it('logs in with the username-password flow', () => {
    expect(conn.instanceUrl).toBe(emu.url);
    expect(conn.userInfo?.organizationId).toBe(emu.state.orgId);
    expect(conn.userInfo?.id).toBe(emu.state.apiUserId);
  });

  it('creates, retrieves and updates a user', async () => {
    const created = (await conn.sobject('User').create(userBody('new.user@example.com'))) as SaveResultLike;
    expect(created.success).toBe(true);
    expect(created.errors).toEqual([]);
    expect(created.id).toMatch(/^005[A-Za-z0-9]{15}$/);

    const stored = emu.state.users.get(created.id!);
    expect(stored).toMatchObject({ Username: 'new.user@example.com', IsActive: true, Name: 'Tess Tester' });
    expect(stored?.CommunityNickname).toBeTruthy();
    expect(emu.state.usersByUsername('NEW.USER@example.com')?.Id).toBe(created.id);

    const record = await conn.sobject('User').retrieve(created.id!);
    expect(record).toMatchObject({ attributes: { type: 'User' }, Id: created.id, Username: 'new.user@example.com', IsActive: true });
    const by15 = await conn.sobject('User').retrieve(created.id!.slice(0, 15));
    expect(by15.Id).toBe(created.id);

    const before = stored!.LastModifiedDate;
    await new Promise((r) => setTimeout(r, 5));
    const updated = await conn.sobject('User').update({ Id: created.id!, Title: 'Engineer', IsActive: false });
    expect(updated).toEqual({ id: created.id, success: true, errors: [] });
    const after = emu.state.users.get(created.id!)!;
    expect(after).toMatchObject({ Title: 'Engineer', IsActive: false });
    expect(after.LastModifiedDate > before).toBe(true);
  });

  it('answers 404 NOT_FOUND for an unknown id', async () => {
    const err = await rejection(conn.sobject('User').retrieve('005000000000000AAA'));
    expect(err.errorCode).toBe('NOT_FOUND');
  });

  it('refuses to delete users with 405 METHOD_NOT_ALLOWED', async () => {
    const created = (await conn.sobject('User').create(userBody('keep.me@example.com'))) as SaveResultLike;
    const err = await rejection(conn.sobject('User').destroy(created.id!));
    expect(err.errorCode).toBe('METHOD_NOT_ALLOWED');
    expect(err.message).toBe("HTTP Method 'DELETE' not allowed. Allowed are GET,HEAD,PATCH");
    expect(emu.state.users.has(created.id!)).toBe(true);
  });

  it('rejects duplicate usernames case-insensitively, including inactive users and other orgs', async () => {
    await conn.sobject('User').create(userBody('dup@example.com', { IsActive: false }));
    const err = await rejection(conn.sobject('User').create(userBody('DUP@Example.com', { Alias: 'dup2', CommunityNickname: 'other' })));
    expect(err.errorCode).toBe('DUPLICATE_USERNAME');
    expect(err.data?.fields).toEqual(['Username']);

    const foreign = await rejection(conn.sobject('User').create(userBody('taken@elsewhere.com')));
    expect(foreign.errorCode).toBe('DUPLICATE_USERNAME');
    const found = await conn.query("SELECT Id FROM User WHERE Username = 'taken@elsewhere.com'");
    expect(found.totalSize).toBe(0);
  });

  it('reports REQUIRED_FIELD_MISSING with the missing fields', async () => {
    const body = userBody('partial@example.com');
    delete body.Alias;
    delete body.LanguageLocaleKey;
    const err = await rejection(conn.sobject('User').create(body));
    expect(err.errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect(err.message).toBe('Required fields are missing: [Alias, LanguageLocaleKey]');
    expect(err.data?.fields).toEqual(['Alias', 'LanguageLocaleKey']);
  });

  it('rejects bad values with Salesforce error codes', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ Alias: 'muchtoolong' }, 'STRING_TOO_LONG'],
      [{ Username: 'no-at-sign' }, 'FIELD_INTEGRITY_EXCEPTION'],
      [{ ProfileId: '00e000000000000' }, 'INVALID_CROSS_REFERENCE_KEY'],
      [{ TimeZoneSidKey: 'Atlantis/Central' }, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST'],
      [{ UserPermissionsMarketingUser: 'false' }, 'JSON_PARSER_ERROR'],
      [{ Favourite_Colour__c: 'blue' }, 'INVALID_FIELD'],
    ];
    for (const [overrides, code] of cases) {
      const err = await rejection(conn.sobject('User').create(userBody('bad@example.com', overrides)));
      expect(err.errorCode, JSON.stringify(overrides)).toBe(code);
    }
    expect(emu.state.users.size).toBe(0);
  });

  it('pages query results through nextRecordsUrl', async () => {
    for (let i = 0; i < 5; i++) await conn.sobject('User').create(userBody(`page${i}@example.com`, { CommunityNickname: `page${i}` }));
    const first = await conn.query<{ Username: string }>("SELECT Id, Username FROM User WHERE Username LIKE 'page%' ORDER BY Username");
    expect(first.totalSize).toBe(5);
    expect(first.done).toBe(false);
    expect(first.records.map((r) => r.Username)).toEqual(['page0@example.com', 'page1@example.com']);
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v60\.0\/query\/01g[A-Za-z0-9]+-2$/);

    const second = await conn.queryMore<{ Username: string }>(first.nextRecordsUrl!);
    expect(second.records.map((r) => r.Username)).toEqual(['page2@example.com', 'page3@example.com']);

    const all = await conn.query<{ Username: string }>('SELECT Username FROM User').run({ autoFetch: true, maxFetch: 100 });
    expect(all.records).toHaveLength(5);
  });

  it('supports jsforce find() with conditions, sort and * fields, and count()', async () => {
    await conn.sobject('User').create(userBody("o'hara@example.com", { CommunityNickname: 'ohara' }));
    await conn.sobject('User').create(userBody('inactive@example.com', { IsActive: false, CommunityNickname: 'inactive' }));
    const found = await conn
      .sobject('User')
      .find({ Username: "O'Hara@example.com", IsActive: true }, '*')
      .sort({ CreatedDate: -1 })
      .limit(5);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Username: "o'hara@example.com", Alias: 'ttest', IsActive: true });
    expect(await conn.sobject('User').count({ IsActive: true })).toBe(1);
    expect(await conn.sobject('User').count({ $or: [{ IsActive: false }, { Username: { $like: 'o%' } }] })).toBe(2);
  });

  it('answers MALFORMED_QUERY for bad SOQL', async () => {
    const err = await rejection(conn.query("SELECT Id FROM User WHERE Username = 'unterminated"));
    expect(err.errorCode).toBe('MALFORMED_QUERY');
  });

  it('freezes a user through UserLogin', async () => {
    const created = (await conn.sobject('User').create(userBody('frozen@example.com'))) as SaveResultLike;
    const login = await conn.query<{ Id: string; IsFrozen: boolean }>(`SELECT Id, IsFrozen FROM UserLogin WHERE UserId = '${created.id}'`);
    expect(login.records[0].IsFrozen).toBe(false);
    await conn.sobject('UserLogin').update({ Id: login.records[0].Id, IsFrozen: true });
    expect(emu.state.userLoginFor(created.id!)?.IsFrozen).toBe(true);
  });

  it('creates and updates users in one collection call', async () => {
    const results = (await conn
      .sobject('User')
      .create([userBody('c1@example.com', { CommunityNickname: 'c1' }), userBody('c2@example.com', { Alias: 'toolongalias' })])) as SaveResultLike[];
    expect(results[0]).toMatchObject({ success: true, errors: [] });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'STRING_TOO_LONG', fields: ['Alias'] }] });
    expect(emu.state.users.size).toBe(1);

    const updates = (await conn.sobject('User').update([
      { Id: results[0].id!, Department: 'R&D' },
      { Id: '005000000000000AAA', Department: 'Nowhere' },
    ])) as SaveResultLike[];
    expect(updates[0]).toEqual({ id: results[0].id, success: true, errors: [] });
    expect(updates[1].success).toBe(false);
    expect(emu.state.users.get(results[0].id!)?.Department).toBe('R&D');
  });

  it('rolls a whole collection back with allOrNone', async () => {
    const results = (await conn
      .sobject('User')
      .create([userBody('ok@example.com'), userBody('ok@example.com', { CommunityNickname: 'ok2' })], { allOrNone: true })) as SaveResultLike[];
    expect(results[0]).toMatchObject({ success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }] });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'DUPLICATE_USERNAME' }] });
    expect(emu.state.users.size).toBe(0);
    expect(emu.state.usersByUsername('ok@example.com')).toBeUndefined();
  });

  it('rejects collections over 200 records', async () => {
    const records = Array.from({ length: 201 }, (_, i) => userBody(`bulk${i}@example.com`));
    const err = await rejection(conn.sobject('User').create(records));
    expect(err.errorCode).toBe('EXCEEDED_ID_LIMIT');
  });
});

describe('jsforce against the emulator: licences', () => {
  let emu: RunningEmulator;
  let conn: Connection;

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ licenses: 1 });
    conn = await loggedIn(emu);
  });
  afterAll(async () => {
    await emu.close();
  });

  it('enforces the licence count on create and on reactivation', async () => {
    const first = (await conn.sobject('User').create(userBody('one@example.com'))) as SaveResultLike;
    const err = await rejection(conn.sobject('User').create(userBody('two@example.com')));
    expect(err.errorCode).toBe('LICENSE_LIMIT_EXCEEDED');

    await conn.sobject('User').update({ Id: first.id!, IsActive: false });
    const second = (await conn.sobject('User').create(userBody('two@example.com'))) as SaveResultLike;
    expect(second.success).toBe(true);

    const reactivate = await rejection(conn.sobject('User').update({ Id: first.id!, IsActive: true }));
    expect(reactivate.errorCode).toBe('LICENSE_LIMIT_EXCEEDED');
  });
});
