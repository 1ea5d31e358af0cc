import type { IdpClaimConfig } from '../idp-claim-config';
import type { ScimUserLike } from '../scim-dialect';

/** The Salesforce profile id the WSO2 guide uses as ProfileId default and in its SCIM entitlement. */
export const GUIDE_PROFILE_ID = '00e2x000001AT3y';

/**
 * The twelve-row Salesforce claim configuration of WSO2's "Configure Outbound Provisioning with
 * Salesforce" guide (api-contract.md), shared so every layer tests against the same fixture.
 */
export const GUIDE_SALESFORCE_CLAIM_CONFIG: IdpClaimConfig = {
  userIdClaim: { uri: 'Username' },
  mappings: [
    ['Alias', 'givenname'],
    ['Email', 'emailaddress'],
    ['EmailEncodingKey', 'otherphone'],
    ['LanguageLocaleKey', 'dob'],
    ['LastName', 'lastname'],
    ['LocaleSidKey', 'primaryChallengeQuestion'],
    ['ProfileId', 'role'],
    ['TimeZoneSidKey', 'challengeQuestion1'],
    ['UserPermissionsCallCenterAutoLogin', 'telephone'],
    ['UserPermissionsMarketingUser', 'mobile'],
    ['UserPermissionsOfflineUser', 'country'],
    ['Username', 'emailaddress'],
  ].map(([idpClaim, local]) => ({ idpClaim, localClaim: { uri: `http://wso2.org/claims/${local}` } })),
  provisioningClaims: [
    ['Alias', 'Samuel'],
    ['Email', 'samuel@wso2.com'],
    ['EmailEncodingKey', 'UTF-8'],
    ['LanguageLocaleKey', 'en_US'],
    ['LastName', 'Gnaniah'],
    ['LocaleSidKey', 'en_US'],
    ['ProfileId', GUIDE_PROFILE_ID],
    ['TimeZoneSidKey', 'America/Los_Angeles'],
    ['UserPermissionsCallCenterAutoLogin', 'false'],
    ['UserPermissionsMarketingUser', 'false'],
    ['UserPermissionsOfflineUser', 'false'],
    ['Username', 'samuel@wso2.com'],
  ].map(([uri, defaultValue]) => ({ claim: { uri }, defaultValue })),
};

/** The user of the guide's curl (SCIM 1.0 URN, plain-string email), with its quotes straightened. */
export const GUIDE_SCIM_USER: ScimUserLike = {
  schemas: ['urn:scim:schemas:core:1.0'],
  userName: 'kim@wso2.com',
  password: 'test123',
  name: { familyName: 'paul' },
  emails: ['kim@wso2.com'],
  entitlements: [{ value: GUIDE_PROFILE_ID, display: 'ChatterFreeUser' }],
};
