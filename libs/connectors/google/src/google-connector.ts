import { z } from 'zod';
import { connectorIdOf, NO_CAPABILITIES, parseProperties, secretProperty, unsupportedConnector } from '@provisioning/connector-kit';
import type { ConnectorDefinition, ConnectorManifest } from '@provisioning/connector-kit';

/** WSO2's Google Apps connector properties; the operations are not written yet (declared stub). */
const manifest: ConnectorManifest = {
  type: 'googleapps',
  connectorId: connectorIdOf('googleapps'),
  displayName: 'Google',
  description: 'Google Workspace user provisioning (declared stub: configuration is validated, operations are not supported yet).',
  capabilities: NO_CAPABILITIES,
  properties: [
    { key: 'google_prov_domain_name', displayName: 'Google Domain', type: 'string', isMandatory: true, isConfidential: false },
    { key: 'google_prov_service_acc_email', displayName: 'Service Account Email', type: 'string', isMandatory: true, isConfidential: false },
    { key: 'google_prov_admin_email', displayName: 'Administrator Email', type: 'string', isMandatory: true, isConfidential: false },
    { key: 'google_prov_application_name', displayName: 'Application Name', type: 'string', isMandatory: false, isConfidential: false, defaultValue: 'Identity Provisioning Server' },
    { key: 'google_prov_private_key', displayName: 'Service Account Private Key', type: 'secret', isMandatory: true, isConfidential: true },
    { key: 'google_prov_familyname', displayName: 'Default Family Name', type: 'string', isMandatory: false, isConfidential: false },
    { key: 'google_prov_givenname', displayName: 'Default Given Name', type: 'string', isMandatory: false, isConfidential: false },
  ],
};

const email = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: 'must be an email address' });
const schema = z.object({
  google_prov_domain_name: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, { message: 'must be a domain name such as example.com' }),
  google_prov_service_acc_email: email,
  google_prov_admin_email: email,
  google_prov_application_name: z.string(),
  google_prov_private_key: secretProperty,
  google_prov_familyname: z.string().optional(),
  google_prov_givenname: z.string().optional(),
});

export type GoogleConfig = z.infer<typeof schema>;

export const googleConnector: ConnectorDefinition<GoogleConfig> = {
  manifest,
  parseConfig: (properties) => parseProperties(manifest, schema, properties),
  create: () => unsupportedConnector(manifest),
};
