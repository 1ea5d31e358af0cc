import { z } from 'zod';
import { booleanProperty, connectorIdOf, parseProperties, secretProperty, urlProperty } from '@provisioning/connector-kit';
import type { ConnectorManifest, ConnectorProperties } from '@provisioning/connector-kit';

export const SALESFORCE_TYPE = 'salesforce';
const DEFAULT_TOKEN_ENDPOINT = 'https://login.salesforce.com/services/oauth2/token';

/** WSO2's Salesforce connector properties (same keys), with their meaning and validation. */
export const salesforceManifest: ConnectorManifest = {
  type: SALESFORCE_TYPE,
  connectorId: connectorIdOf(SALESFORCE_TYPE),
  displayName: 'Salesforce',
  description: 'Provisions users to a Salesforce org through its REST API (create, update, deactivate).',
  capabilities: {
    users: { create: true, update: true, deprovision: true },
    groups: false,
    passwords: false,
    preview: true,
    connectionTest: true,
    listAccounts: true,
    // sObject Collections from API v42.0; older versions run a batch one call per operation.
    batch: { maxOperations: 200 },
  },
  // Identity, licence, profile, role, activation and permissions: never reachable through /Me.
  privilegedFields: [
    'Username',
    'Email',
    'FederationIdentifier',
    'IsActive',
    'ProfileId',
    'UserRoleId',
    'UserType',
    'UserPermissions*',
    'ManagerId',
    'DelegatedApproverId',
    'ContactId',
    'AccountId',
    'IsPortalEnabled',
    'CallCenterId',
  ],
  properties: [
    { key: 'sf-api-version', displayName: 'API version', description: 'REST API version, e.g. v60.0', type: 'string', isMandatory: true, isConfidential: false },
    { key: 'sf-domain-name', displayName: 'Domain Name', description: 'My Domain URL, e.g. https://mydomain.my.salesforce.com', type: 'url', isMandatory: true, isConfidential: false },
    { key: 'sf-clientid', displayName: 'Client ID', description: 'Consumer key of the connected app', type: 'string', isMandatory: true, isConfidential: false },
    { key: 'sf-client-secret', displayName: 'Client Secret', description: 'Consumer secret of the connected app', type: 'secret', isMandatory: true, isConfidential: true },
    { key: 'sf-username', displayName: 'Username', description: 'API user (password grant)', type: 'string', isMandatory: false, isConfidential: false },
    { key: 'sf-password', displayName: 'Password', description: 'Password followed by the security token (password grant)', type: 'secret', isMandatory: false, isConfidential: true },
    { key: 'sf-token-endpoint', displayName: 'OAuth2 Token Endpoint', type: 'url', isMandatory: false, isConfidential: false, defaultValue: DEFAULT_TOKEN_ENDPOINT },
    { key: 'sf-usePasswordGrant', displayName: 'Use password grant', description: 'false: client credentials grant', type: 'boolean', isMandatory: false, isConfidential: false, defaultValue: 'true' },
    { key: 'sf-prov-pattern', displayName: 'Provisioning Pattern', description: 'Remote username pattern from {UN}, {UD}, {TD}, {IDP}', type: 'string', isMandatory: false, isConfidential: false },
    { key: 'sf-prov-separator', displayName: 'Provisioning Separator', type: 'string', isMandatory: false, isConfidential: false },
    { key: 'sf-prov-domainName', displayName: 'Provisioning Domain', description: 'Domain appended to provisioned usernames', type: 'string', isMandatory: false, isConfidential: false },
    { key: 'sf-jwt-private-key', displayName: 'JWT private key', description: 'PEM private key of the connected app certificate: enables the JWT bearer grant', type: 'secret', isMandatory: false, isConfidential: true },
    { key: 'sf-jwt-audience', displayName: 'JWT audience', description: 'aud of the JWT assertion (default: the token endpoint\'s origin)', type: 'url', isMandatory: false, isConfidential: false },
    { key: 'sf-deprovisioning-mode', displayName: 'Deprovisioning mode', description: 'deactivate (IsActive=false, frees the licence) or freeze (blocks login, keeps the licence)', type: 'string', isMandatory: false, isConfidential: false, defaultValue: 'deactivate', options: ['deactivate', 'freeze'] },
    { key: 'sf-match-field', displayName: 'Match existing users by', description: 'Which field links a Salesforce user nobody provisioned yet to a local user in reconciliation runs: Username (default), FederationIdentifier or Email', type: 'string', isMandatory: false, isConfidential: false, defaultValue: 'Username', options: ['Username', 'FederationIdentifier', 'Email'] },
    { key: 'sf-api-usage-limit-percent', displayName: 'API usage ceiling (%)', description: 'Stop calling for a while when Sforce-Limit-Info reports this share of the daily API limit used', type: 'integer', isMandatory: false, isConfidential: false, defaultValue: '95' },
  ],
};

const schema = z
  .object({
    'sf-api-version': z.string().regex(/^v?\d{2}\.\d$/, { message: 'must look like v60.0' }),
    'sf-domain-name': urlProperty,
    'sf-clientid': z.string().min(1),
    'sf-client-secret': secretProperty,
    'sf-username': z.string().optional(),
    'sf-password': secretProperty.optional(),
    'sf-token-endpoint': urlProperty,
    'sf-usePasswordGrant': booleanProperty,
    'sf-prov-pattern': z.string().optional(),
    'sf-prov-separator': z.string().optional(),
    'sf-prov-domainName': z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, { message: 'must be a domain name such as example.com' }).optional(),
    'sf-jwt-private-key': secretProperty
      .refine((s) => /-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/.test(s.reveal()), { message: 'must be a PEM private key' })
      .optional(),
    'sf-jwt-audience': urlProperty.optional(),
    'sf-deprovisioning-mode': z.enum(['deactivate', 'freeze'], { message: 'must be deactivate or freeze' }),
    'sf-api-usage-limit-percent': z.coerce.number({ message: 'must be a number' }).int().min(1).max(100),
    'sf-match-field': z.enum(['Username', 'FederationIdentifier', 'Email'], { message: 'must be Username, FederationIdentifier or Email' }),
  })
  .superRefine((value, ctx) => {
    if (value['sf-jwt-private-key']) {
      if (!value['sf-username']) ctx.addIssue({ code: 'custom', path: ['sf-username'], message: 'is required for the JWT bearer grant (the subject)' });
    } else if (value['sf-usePasswordGrant']) {
      if (!value['sf-username']) ctx.addIssue({ code: 'custom', path: ['sf-username'], message: 'is required for the password grant' });
      if (!value['sf-password']) ctx.addIssue({ code: 'custom', path: ['sf-password'], message: 'is required for the password grant' });
    }
    const major = Number(value['sf-api-version'].replace(/^v/, '').split('.')[0]);
    if (major < 31) ctx.addIssue({ code: 'custom', path: ['sf-api-version'], message: 'is retired by Salesforce (v31.0 or later is needed)' });
  })
  .transform((v) => ({
    apiVersion: v['sf-api-version'].replace(/^v/, ''),
    domain: v['sf-domain-name'].replace(/\/+$/, ''),
    clientId: v['sf-clientid'],
    clientSecret: v['sf-client-secret'],
    username: v['sf-username'],
    password: v['sf-password'],
    tokenEndpoint: v['sf-token-endpoint'],
    grant: v['sf-jwt-private-key'] ? ('jwt-bearer' as const) : v['sf-usePasswordGrant'] ? ('password' as const) : ('client_credentials' as const),
    jwtPrivateKey: v['sf-jwt-private-key'],
    jwtAudience: (v['sf-jwt-audience'] ?? new URL(v['sf-token-endpoint']).origin).replace(/\/+$/, ''),
    deprovisioningMode: v['sf-deprovisioning-mode'],
    apiUsageLimitPercent: v['sf-api-usage-limit-percent'],
    matchField: v['sf-match-field'],
    usernamePattern: v['sf-prov-pattern'],
    usernameSeparator: v['sf-prov-separator'],
    provisioningDomain: v['sf-prov-domainName'],
  }));

/** The typed Salesforce configuration; secrets stay wrapped until the token request. */
export type SalesforceConfig = z.output<typeof schema>;

export function parseSalesforceConfig(properties: ConnectorProperties): SalesforceConfig {
  return parseProperties(salesforceManifest, schema, properties);
}
