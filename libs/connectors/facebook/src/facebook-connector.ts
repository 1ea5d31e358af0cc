import { z } from 'zod';
import { connectorIdOf, NO_CAPABILITIES, parseProperties, secretProperty, unsupportedConnector } from '@provisioning/connector-kit';
import type { ConnectorDefinition, ConnectorManifest } from '@provisioning/connector-kit';

/** Facebook (Workplace) connector; declared stub until its operations are written. */
const manifest: ConnectorManifest = {
  type: 'facebook',
  connectorId: connectorIdOf('facebook'),
  displayName: 'Facebook',
  description: 'Facebook user provisioning (declared stub: configuration is validated, operations are not supported yet).',
  capabilities: NO_CAPABILITIES,
  properties: [
    { key: 'fb-app-id', displayName: 'App ID', type: 'string', isMandatory: true, isConfidential: false },
    { key: 'fb-app-secret', displayName: 'App Secret', type: 'secret', isMandatory: true, isConfidential: true },
    { key: 'fb-api-version', displayName: 'Graph API Version', type: 'string', isMandatory: false, isConfidential: false, defaultValue: 'v19.0' },
  ],
};

const schema = z.object({
  'fb-app-id': z.string().regex(/^\d+$/, { message: 'must be the numeric app id' }),
  'fb-app-secret': secretProperty,
  'fb-api-version': z.string().regex(/^v\d+\.\d+$/, { message: 'must look like v19.0' }),
});

export type FacebookConfig = z.infer<typeof schema>;

export const facebookConnector: ConnectorDefinition<FacebookConfig> = {
  manifest,
  parseConfig: (properties) => parseProperties(manifest, schema, properties),
  create: () => unsupportedConnector(manifest),
};
