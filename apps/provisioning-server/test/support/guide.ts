import { generate } from 'selfsigned';

/** The WSO2 guide's twelve Salesforce fields: local claim and provisioning default. */
export const GUIDE_PROFILE_ID = '00e2x000001AT3y';
export const GUIDE_ROWS: Array<[string, string, string]> = [
  ['Alias', 'http://wso2.org/claims/givenname', 'Samuel'],
  ['Email', 'http://wso2.org/claims/emailaddress', 'samuel@wso2.com'],
  ['EmailEncodingKey', 'http://wso2.org/claims/otherphone', 'UTF-8'],
  ['LanguageLocaleKey', 'http://wso2.org/claims/dob', 'en_US'],
  ['LastName', 'http://wso2.org/claims/lastname', 'Gnaniah'],
  ['LocaleSidKey', 'http://wso2.org/claims/primaryChallengeQuestion', 'en_US'],
  ['ProfileId', 'http://wso2.org/claims/role', GUIDE_PROFILE_ID],
  ['TimeZoneSidKey', 'http://wso2.org/claims/challengeQuestion1', 'America/Los_Angeles'],
  ['UserPermissionsCallCenterAutoLogin', 'http://wso2.org/claims/telephone', 'false'],
  ['UserPermissionsMarketingUser', 'http://wso2.org/claims/mobile', 'false'],
  ['UserPermissionsOfflineUser', 'http://wso2.org/claims/country', 'false'],
  ['Username', 'http://wso2.org/claims/emailaddress', 'samuel@wso2.com'],
];

export const SF_CLIENT_SECRET = 'emulator-client-secret';
export const SF_PASSWORD = 'passwordTOKEN';

export async function salesforceCertificatePem(): Promise<string> {
  const pems = await generate([{ name: 'commonName', value: 'proxy.salesforce.com' }], { keySize: 2048, algorithm: 'sha256' });
  return pems.cert;
}

/** The guide's IdP "Salesforce.com", pointing at an emulator. */
export function guideIdentityProvider(emulatorUrl: string, certificatePem: string, extra: { blocking?: boolean } = {}) {
  return {
    name: 'Salesforce.com',
    description: 'Salesforce org for outbound provisioning',
    certificate: { certificates: [Buffer.from(certificatePem).toString('base64')] },
    claims: {
      userIdClaim: { uri: 'Username' },
      mappings: GUIDE_ROWS.map(([idpClaim, localClaim]) => ({ idpClaim, localClaim: { uri: localClaim } })),
      provisioningClaims: GUIDE_ROWS.map(([uri, , defaultValue]) => ({ claim: { uri }, defaultValue })),
    },
    provisioning: {
      outboundConnectors: {
        defaultConnectorId: 'c2FsZXNmb3JjZQ',
        connectors: [
          {
            connectorId: 'c2FsZXNmb3JjZQ',
            isEnabled: true,
            isDefault: true,
            blockingEnabled: extra.blocking ?? false,
            rulesEnabled: false,
            properties: [
              { key: 'sf-api-version', value: 'v41.0' },
              { key: 'sf-domain-name', value: emulatorUrl },
              { key: 'sf-clientid', value: 'emulator-client-id' },
              { key: 'sf-client-secret', value: SF_CLIENT_SECRET },
              { key: 'sf-username', value: 'admin@emulator.test' },
              { key: 'sf-password', value: SF_PASSWORD },
              { key: 'sf-token-endpoint', value: `${emulatorUrl}/services/oauth2/token` },
            ],
          },
        ],
      },
    },
  };
}

export const RESIDENT = {
  provisioningConfigurations: {
    outboundProvisioningIdps: [{ idp: 'Salesforce.com', connector: 'salesforce', blocking: false, rules: false, jit: false }],
  },
};

/** The guide's SCIM request, quotes straightened. */
export const GUIDE_SCIM_BODY =
  '{"schemas":["urn:scim:schemas:core:1.0"],"userName":"kim@wso2.com","password":"test123","name":{"familyName":"paul"},' +
  '"emails":["kim@wso2.com"],"entitlements":[{"value":"00e2x000001AT3y","display":"ChatterFreeUser"}]}';
