import { describe, expect, it } from 'vitest';
import { assertNoPrivilegedClaimChange, assertSelfServiceChange, privilegedClaimChanges, scimAttributesOf } from './self-service-policy';
import type { SelfServiceTarget } from './self-service-policy';

const MOBILE = 'http://wso2.org/claims/mobile';
const LASTNAME = 'http://wso2.org/claims/lastname';

/** The WSO2 guide's Salesforce target (two of its rows), Salesforce's privileged fields. */
const salesforce: SelfServiceTarget = {
  idpName: 'Salesforce.com',
  claims: {
    mappings: [
      { idpClaim: 'UserPermissionsMarketingUser', localClaim: { uri: MOBILE } },
      { idpClaim: 'LastName', localClaim: { uri: LASTNAME } },
    ],
    provisioningClaims: [{ claim: { uri: 'UserPermissionsMarketingUser' }, defaultValue: 'false' }, { claim: { uri: 'LastName' } }],
  },
  isPrivileged: (field) => field.startsWith('UserPermissions') || field === 'ProfileId',
};

describe('self-service policy', () => {
  it('names the SCIM attribute a claim comes from', () => {
    expect(scimAttributesOf(MOBILE)).toEqual(['phoneNumbers.mobile']);
    expect(scimAttributesOf(LASTNAME)).toEqual(['name.familyName']);
  });

  it('finds a changed claim that an enabled target sends into a privileged field', () => {
    expect(privilegedClaimChanges([MOBILE], [salesforce])).toEqual([
      { localClaim: MOBILE, attributes: ['phoneNumbers.mobile'], idpName: 'Salesforce.com', remoteField: 'UserPermissionsMarketingUser' },
    ]);
    expect(privilegedClaimChanges([LASTNAME], [salesforce])).toEqual([]);
    expect(privilegedClaimChanges([MOBILE], [])).toEqual([]);
  });

  it('ignores a mapped field the IdP does not provision', () => {
    const notProvisioned = { ...salesforce, claims: { ...salesforce.claims, provisioningClaims: [{ claim: { uri: 'LastName' } }] } };
    expect(privilegedClaimChanges([MOBILE], [notProvisioned])).toEqual([]);
  });

  it('refuses with 403 naming the attribute, the claim, the target and the field', () => {
    expect(() => assertNoPrivilegedClaimChange([MOBILE, LASTNAME], [salesforce])).toThrow(
      /only be changed by an administrator: phoneNumbers\.mobile\. phoneNumbers\.mobile \(claim http:\/\/wso2\.org\/claims\/mobile\) is sent to Salesforce\.com as UserPermissionsMarketingUser/,
    );
    try {
      assertNoPrivilegedClaimChange([MOBILE], [salesforce]);
    } catch (error) {
      expect((error as { kind: string }).kind).toBe('forbidden');
    }
    expect(() => assertNoPrivilegedClaimChange([LASTNAME], [salesforce])).not.toThrow();
  });

  it('lets a user change their own profile attributes only, whatever the key order or case', () => {
    expect(() => assertSelfServiceChange({ name: { givenName: 'A', familyName: 'B' } }, { Name: { familyName: 'B', givenName: 'C' } })).not.toThrow();
    expect(() => assertSelfServiceChange({ userName: 'a' }, { userName: 'b' })).toThrow(/only be changed by an administrator: username/);
    expect(() => assertSelfServiceChange({ emails: [{ value: 'a@x.io' }] }, {})).toThrow(/emails/);
    expect(() => assertSelfServiceChange({ roles: [{ value: 'r' }] }, { roles: [{ value: 'r' }] })).not.toThrow();
  });
});
