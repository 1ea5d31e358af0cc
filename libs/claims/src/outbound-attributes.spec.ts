import { describe, expect, it } from 'vitest';
import { computeOutboundAttributes, scimUserToLocalClaims } from './index';
import type { IdpClaimConfig, OutboundAttribute } from './index';
import { GUIDE_PROFILE_ID, GUIDE_SALESFORCE_CLAIM_CONFIG, GUIDE_SCIM_USER } from './testing';

const C = 'http://wso2.org/claims/';
const byName = (attrs: OutboundAttribute[]) => Object.fromEntries(attrs.map((a) => [a.name, [a.value, a.source]]));

describe('computeOutboundAttributes', () => {
  it("fills every Salesforce field for the guide's user from claims or defaults", () => {
    const attrs = computeOutboundAttributes(scimUserToLocalClaims(GUIDE_SCIM_USER), GUIDE_SALESFORCE_CLAIM_CONFIG);
    expect(byName(attrs)).toEqual({
      Alias: ['Samuel', 'default'],
      Email: ['kim@wso2.com', 'user'],
      EmailEncodingKey: ['UTF-8', 'default'],
      LanguageLocaleKey: ['en_US', 'default'],
      LastName: ['paul', 'user'],
      LocaleSidKey: ['en_US', 'default'],
      ProfileId: [GUIDE_PROFILE_ID, 'default'],
      TimeZoneSidKey: ['America/Los_Angeles', 'default'],
      UserPermissionsCallCenterAutoLogin: ['false', 'default'],
      UserPermissionsMarketingUser: ['false', 'default'],
      UserPermissionsOfflineUser: ['false', 'default'],
      Username: ['kim@wso2.com', 'user'],
    });
    expect(attrs.map((a) => a.name)).toEqual(GUIDE_SALESFORCE_CLAIM_CONFIG.provisioningClaims.map((p) => p.claim.uri));
    expect(attrs.find((a) => a.name === 'LastName')).toEqual({ name: 'LastName', value: 'paul', source: 'user', localClaim: `${C}lastname` });
    expect(attrs.find((a) => a.name === 'ProfileId')?.localClaim).toBe(`${C}role`);
  });

  it("lets a user's value win over the default (and shows borrowed claims leaking into constant fields)", () => {
    const claims = { [`${C}givenname`]: 'Kim', [`${C}role`]: '00eOTHER', [`${C}mobile`]: '+94 77 123 4567', [`${C}lastname`]: 'paul' };
    const attrs = byName(computeOutboundAttributes(claims, GUIDE_SALESFORCE_CLAIM_CONFIG));
    expect(attrs.Alias).toEqual(['Kim', 'user']);
    expect(attrs.ProfileId).toEqual(['00eOTHER', 'user']);
    expect(attrs.UserPermissionsMarketingUser).toEqual(['+94 77 123 4567', 'user']);
    expect(attrs.Email).toEqual(['samuel@wso2.com', 'default']);
  });

  it('treats empty and whitespace-only user values as absent', () => {
    const attrs = byName(computeOutboundAttributes({ [`${C}givenname`]: '  ', [`${C}lastname`]: '' }, GUIDE_SALESFORCE_CLAIM_CONFIG));
    expect(attrs.Alias).toEqual(['Samuel', 'default']);
    expect(attrs.LastName).toEqual(['Gnaniah', 'default']);
  });

  it('omits provisioning claims with neither a user value nor a default', () => {
    const config: IdpClaimConfig = {
      mappings: [{ idpClaim: 'Phone', localClaim: { uri: `${C}telephone` } }],
      provisioningClaims: [{ claim: { uri: 'Phone' } }, { claim: { uri: 'CompanyName' }, defaultValue: 'WSO2' }],
    };
    expect(computeOutboundAttributes({}, config)).toEqual([{ name: 'CompanyName', value: 'WSO2', source: 'default' }]);
    expect(computeOutboundAttributes({ [`${C}telephone`]: '123' }, config)).toEqual([
      { name: 'Phone', value: '123', source: 'user', localClaim: `${C}telephone` },
      { name: 'CompanyName', value: 'WSO2', source: 'default' },
    ]);
  });

  it('without provisioning claims sends every mapped claim that has a value, and only those', () => {
    const config: IdpClaimConfig = {
      mappings: [
        { idpClaim: 'FirstName', localClaim: { uri: `${C}givenname` } },
        { idpClaim: 'LastName', localClaim: { uri: `${C}lastname` } },
        { idpClaim: 'Email', localClaim: { uri: `${C}emailaddress` } },
      ],
      provisioningClaims: [],
    };
    expect(computeOutboundAttributes({ [`${C}lastname`]: 'paul', [`${C}emailaddress`]: 'kim@wso2.com', [`${C}mobile`]: '1' }, config)).toEqual([
      { name: 'LastName', value: 'paul', source: 'user', localClaim: `${C}lastname` },
      { name: 'Email', value: 'kim@wso2.com', source: 'user', localClaim: `${C}emailaddress` },
    ]);
  });

  it.each([
    ['a changed last name', [`${C}lastname`], { LastName: ['paul', 'user'] }],
    ['a changed email feeds both mapped fields', [`${C}emailaddress`], { Email: ['kim@wso2.com', 'user'], Username: ['kim@wso2.com', 'user'] }],
    ['a removed mobile falls back to its default', [`${C}mobile`], { UserPermissionsMarketingUser: ['false', 'default'] }],
    ['an unmapped claim changes nothing', [`${C}nickname`], {}],
    ['nothing changed', [], {}],
  ])('with onlyChangedLocalClaims: %s', (_label, changed, expected) => {
    const claims = scimUserToLocalClaims(GUIDE_SCIM_USER);
    const attrs = computeOutboundAttributes(claims, GUIDE_SALESFORCE_CLAIM_CONFIG, { onlyChangedLocalClaims: new Set(changed) });
    expect(byName(attrs)).toEqual(expected);
  });

  it('with onlyChangedLocalClaims and no provisioning claims, leaves out removed claims', () => {
    const config: IdpClaimConfig = {
      mappings: [
        { idpClaim: 'FirstName', localClaim: { uri: `${C}givenname` } },
        { idpClaim: 'LastName', localClaim: { uri: `${C}lastname` } },
      ],
      provisioningClaims: [],
    };
    const attrs = computeOutboundAttributes({ [`${C}lastname`]: 'paul' }, config, { onlyChangedLocalClaims: new Set([`${C}givenname`, `${C}lastname`]) });
    expect(byName(attrs)).toEqual({ LastName: ['paul', 'user'] });
  });
});
