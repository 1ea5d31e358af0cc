import { z } from 'zod';
import { booleanProperty, connectorIdOf, enumProperty, parseProperties, Secret, secretProperty, urlProperty } from '@provisioning/connector-kit';
import type { ConnectorManifest, ConnectorProperties } from '@provisioning/connector-kit';

/**
 * The most operations one `provisionBatch` call takes: what the engine hands over at once. Each call
 * is still split into Bulk requests of at most the target's own `bulk.maxOperations`.
 */
export const SCIM2_BATCH_LIMIT = 100;

/** Our connector type; WSO2 calls it `SCIM2`, whence the connector id `U0NJTTI`. */
export const SCIM2_TYPE = 'scim2';
const WSO2_NAME = 'SCIM2';

const AUTH_MODES = ['BASIC', 'BEARER', 'API_KEY'] as const;
const DEPROVISION_MODES = ['DEACTIVATE', 'DELETE'] as const;

/** WSO2's SCIM 2.0 outbound connector properties (same keys), plus how a user is deprovisioned. */
export const scim2Manifest: ConnectorManifest = {
  type: SCIM2_TYPE,
  wso2Name: WSO2_NAME,
  connectorId: connectorIdOf(WSO2_NAME),
  displayName: 'SCIM 2.0',
  description: 'Provisions users and groups to any SCIM 2.0 service provider (RFC 7643/7644): create, update, deactivate or delete.',
  capabilities: {
    users: { create: true, update: true, deprovision: true },
    groups: true,
    passwords: false,
    preview: true,
    connectionTest: true,
    listAccounts: true,
    batch: { maxOperations: SCIM2_BATCH_LIMIT },
  },
  // SCIM attribute paths (prefixes): identity, activation, roles, entitlements, credentials, manager.
  privilegedFields: [
    'userName',
    'externalId',
    'active',
    'emails*',
    'roles*',
    'entitlements*',
    'groups*',
    'x509Certificates*',
    'userType',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager*',
  ],
  properties: [
    { key: 'scim2-user-ep', displayName: 'User Endpoint', description: 'The Users endpoint, e.g. https://scim.example.com/scim2/Users', type: 'url', isMandatory: true, isConfidential: false },
    { key: 'scim2-group-ep', displayName: 'Group Endpoint', description: 'The Groups endpoint (default: next to the Users endpoint)', type: 'url', isMandatory: false, isConfidential: false },
    {
      key: 'scim2-authentication-mode',
      displayName: 'Authentication Mode',
      description: 'BASIC (username and password), BEARER (access token) or API_KEY (a header carrying a key)',
      type: 'string',
      isMandatory: false,
      isConfidential: false,
      defaultValue: 'BASIC',
      options: [...AUTH_MODES],
    },
    { key: 'scim2-username', displayName: 'Username', description: 'For BASIC', type: 'string', isMandatory: false, isConfidential: false },
    { key: 'scim2-password', displayName: 'Password', description: 'For BASIC', type: 'secret', isMandatory: false, isConfidential: true },
    { key: 'scim2-access-token', displayName: 'Access Token', description: 'For BEARER', type: 'secret', isMandatory: false, isConfidential: true },
    { key: 'scim2-api-key-header', displayName: 'API Key Header', description: 'For API_KEY, e.g. X-API-Key', type: 'string', isMandatory: false, isConfidential: false },
    { key: 'scim2-api-key-value', displayName: 'API Key', description: 'For API_KEY', type: 'secret', isMandatory: false, isConfidential: true },
    {
      key: 'scim2-enable-pwd-provisioning',
      displayName: 'Enable Password Provisioning',
      description: 'Send a password when creating a user (the default password: users\' own passwords never leave this server)',
      type: 'boolean',
      isMandatory: false,
      isConfidential: false,
      defaultValue: 'false',
    },
    { key: 'scim2-default-pwd', displayName: 'Default Password', description: 'Initial password of created users, when password provisioning is enabled', type: 'secret', isMandatory: false, isConfidential: true },
    {
      key: 'scim2-deprovision-mode',
      displayName: 'Deprovision Mode',
      description: 'DEACTIVATE (PATCH active=false, reversible) or DELETE (remove the remote user)',
      type: 'string',
      isMandatory: false,
      isConfidential: false,
      defaultValue: 'DEACTIVATE',
      options: [...DEPROVISION_MODES],
    },
  ],
};

/** An HTTP header name (RFC 9110 token), not one the HTTP layer owns. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set(['host', 'content-type', 'content-length', 'accept', 'connection', 'transfer-encoding']);

const endpoint = (resource: 'Users' | 'Groups') =>
  urlProperty.refine(
    (value) => {
      const url = new URL(value);
      return url.pathname.replace(/\/+$/, '').endsWith(`/${resource}`) && url.search === '' && url.hash === '';
    },
    { message: `must be the ${resource} endpoint, ending in /${resource}, without a query (e.g. https://scim.example.com/scim2/${resource})` },
  );

const schema = z
  .object({
    'scim2-user-ep': endpoint('Users'),
    'scim2-group-ep': endpoint('Groups').optional(),
    'scim2-authentication-mode': enumProperty(AUTH_MODES),
    'scim2-username': z.string().optional(),
    'scim2-password': secretProperty.optional(),
    'scim2-access-token': secretProperty.optional(),
    'scim2-api-key-header': z
      .string()
      .regex(HEADER_NAME, { message: 'must be an HTTP header name such as X-API-Key' })
      .refine((h) => !RESERVED_HEADERS.has(h.toLowerCase()), { message: 'names a header the HTTP layer sets itself; use e.g. X-API-Key or Authorization' })
      .optional(),
    'scim2-api-key-value': secretProperty.optional(),
    'scim2-enable-pwd-provisioning': booleanProperty,
    'scim2-default-pwd': secretProperty.optional(),
    'scim2-deprovision-mode': enumProperty(DEPROVISION_MODES),
  })
  .superRefine((v, ctx) => {
    const mode = v['scim2-authentication-mode'];
    const need = (key: keyof typeof v, why: string) => {
      if (v[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `is required ${why}` });
    };
    if (mode === 'BASIC') {
      need('scim2-username', 'when scim2-authentication-mode is BASIC');
      need('scim2-password', 'when scim2-authentication-mode is BASIC');
    } else if (mode === 'BEARER') {
      need('scim2-access-token', 'when scim2-authentication-mode is BEARER');
    } else if (mode === 'API_KEY') {
      need('scim2-api-key-header', 'when scim2-authentication-mode is API_KEY');
      need('scim2-api-key-value', 'when scim2-authentication-mode is API_KEY');
    }
    if (v['scim2-enable-pwd-provisioning']) {
      need('scim2-default-pwd', "when scim2-enable-pwd-provisioning is true (users' own passwords are stored hashed and never forwarded)");
    }
  })
  .transform((v) => {
    const usersUrl = v['scim2-user-ep'].replace(/\/+$/, '');
    const baseUrl = usersUrl.replace(/\/Users$/, '');
    return {
      usersUrl,
      groupsUrl: v['scim2-group-ep']?.replace(/\/+$/, '') ?? `${baseUrl}/Groups`,
      /** Whether the Groups endpoint was configured (the connection test then checks it). */
      groupsConfigured: v['scim2-group-ep'] !== undefined,
      serviceProviderConfigUrl: `${baseUrl}/ServiceProviderConfig`,
      /** RFC 7644 3.7: the Bulk endpoint sits at the service provider's root, next to /Users. */
      bulkUrl: `${baseUrl}/Bulk`,
      auth: authOf(v),
      /** The initial password of created users; undefined when password provisioning is off. */
      defaultPassword: v['scim2-enable-pwd-provisioning'] ? v['scim2-default-pwd'] : undefined,
      deprovision: v['scim2-deprovision-mode'],
    };
  });

/** How the connector authenticates; secrets stay wrapped until a request is sent. */
export type Scim2Auth =
  | { mode: 'BASIC'; username: string; password: Secret }
  | { mode: 'BEARER'; token: Secret }
  | { mode: 'API_KEY'; header: string; value: Secret };

interface RawAuth {
  'scim2-authentication-mode': (typeof AUTH_MODES)[number];
  'scim2-username'?: string;
  'scim2-password'?: Secret;
  'scim2-access-token'?: Secret;
  'scim2-api-key-header'?: string;
  'scim2-api-key-value'?: Secret;
}

/** Runs after superRefine, so the credentials of the chosen mode are present; the fallbacks are unreachable. */
function authOf(v: RawAuth): Scim2Auth {
  const missing = new Secret('');
  switch (v['scim2-authentication-mode']) {
    case 'BASIC':
      return { mode: 'BASIC', username: v['scim2-username'] ?? '', password: v['scim2-password'] ?? missing };
    case 'BEARER':
      return { mode: 'BEARER', token: v['scim2-access-token'] ?? missing };
    case 'API_KEY':
      return { mode: 'API_KEY', header: v['scim2-api-key-header'] ?? '', value: v['scim2-api-key-value'] ?? missing };
  }
}

/** The typed SCIM 2.0 configuration. */
export type Scim2Config = z.output<typeof schema>;

/** Validates stored properties; the message names every bad key and why, never a secret. */
export function parseScim2Config(properties: ConnectorProperties): Scim2Config {
  return parseProperties(scim2Manifest, schema, properties);
}
