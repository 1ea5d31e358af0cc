import { describe, expect, it } from 'vitest';
import type { DescribedAccount, RemoteAccount } from '@provisioning/connector-kit';
import { differences, judgeUser } from './runs';

const desired: DescribedAccount = { remoteName: 'kim@wso2.com', attributes: { Username: 'kim@wso2.com', LastName: 'Paul', IsActive: null, Groups: ['a', 'b'] } };
const account = (over: Partial<RemoteAccount> = {}, attributes: RemoteAccount['attributes'] = {}): RemoteAccount => ({
  remoteId: '005A',
  remoteName: 'Kim@WSO2.com',
  active: true,
  attributes: { Username: 'Kim@WSO2.com', LastName: 'Paul', IsActive: '', Groups: ['b', 'a'], ...attributes },
  ...over,
});

describe('judging a local user against the target', () => {
  it('is in sync when linked and every described field and the active flag agree (names ignore case, lists ignore order, empty is null)', () => {
    expect(judgeUser(desired, account(), undefined, undefined)).toMatchObject({ situation: 'in-sync', action: 'none', fields: [], reactivate: false });
  });

  it('is drifted when a field differs or the account was deactivated: update (and reactivate)', () => {
    expect(judgeUser(desired, account({}, { LastName: 'Smith' }), undefined, undefined)).toMatchObject({
      situation: 'drifted',
      action: 'update',
      fields: [{ field: 'LastName', local: 'Paul', remote: 'Smith' }],
      reactivate: false,
    });
    expect(judgeUser(desired, account({ active: false }), undefined, undefined)).toMatchObject({ situation: 'drifted', action: 'update', fields: [], reactivate: true });
  });

  it('is missing without a linked account or one with its name: create', () => {
    expect(judgeUser(desired, undefined, undefined, undefined)).toMatchObject({ situation: 'missing', action: 'create' });
  });

  it('is unlinked when an account has its name: link, with what differs; never when another local user owns it', () => {
    expect(judgeUser(desired, undefined, account({ active: false }, { LastName: 'Old' }), undefined)).toMatchObject({
      situation: 'unlinked',
      action: 'link',
      fields: [{ field: 'LastName', local: 'Paul', remote: 'Old' }],
      reactivate: true,
    });
    const owned = judgeUser(desired, undefined, account(), 'someone.else');
    expect(owned).toMatchObject({ situation: 'unlinked', action: 'none' });
    expect(owned.note).toMatch(/someone\.else/);
  });

  it('compares only fields the listing returned; other fields keep case', () => {
    expect(differences(desired, { ...account(), attributes: { LastName: 'paul' } })).toEqual([{ field: 'LastName', local: 'Paul', remote: 'paul' }]);
  });

  it('compares an entitlement field within the values the IdP manages, in any order', () => {
    const entitled = { ...desired, attributes: { PermissionSets: ['Sales_Ops', 'API_Only'] } };
    const managed = new Map([['PermissionSets', ['Sales_Ops', 'API_Only', 'Marketing_User']]]);
    const listed = (sets: string[]) => ({ ...account(), attributes: { PermissionSets: sets } });
    // A set assigned by hand (outside the managed ones) is not drift.
    expect(differences(entitled, listed(['API_Only', 'Hand_Made', 'Sales_Ops']), managed)).toEqual([]);
    expect(differences(entitled, listed(['API_Only', 'Marketing_User']), managed)).toEqual([
      { field: 'PermissionSets', local: ['Sales_Ops', 'API_Only'], remote: ['API_Only', 'Marketing_User'] },
    ]);
    // Without the managed values every listed value counts.
    expect(differences(entitled, listed(['API_Only', 'Hand_Made', 'Sales_Ops']))).toHaveLength(1);
    expect(judgeUser(entitled, listed(['Sales_Ops']), undefined, undefined, managed)).toMatchObject({ situation: 'drifted', action: 'update' });
    // A single-valued field (a role) set by hand to an unmanaged value is still drift.
    const role = { ...desired, attributes: { UserRole: 'SalesRep' } };
    expect(differences(role, { ...account(), attributes: { UserRole: 'CEO' } }, new Map([['UserRole', ['SalesRep']]]))).toEqual([{ field: 'UserRole', local: 'SalesRep', remote: 'CEO' }]);
  });
});
