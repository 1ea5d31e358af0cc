/** Types of a connector property as shown in the admin API's meta endpoint (WSO2's descriptor types). */
export type PropertyType = 'string' | 'boolean' | 'integer' | 'url' | 'secret' | 'text';

/** Describes one configuration property, as WSO2's `outbound-provisioning-connectors` meta endpoint does. */
export interface PropertyDescriptor {
  key: string;
  displayName: string;
  description?: string;
  type: PropertyType;
  isMandatory: boolean;
  /** Confidential values are write-only: encrypted at rest, never returned, never logged. */
  isConfidential: boolean;
  defaultValue?: string;
  /** Allowed values, when the property is an enumeration. */
  options?: string[];
}

/** What the engine may ask of a connector. The engine never sends an operation a connector does not declare. */
export interface ConnectorCapabilities {
  users: { create: boolean; update: boolean; deprovision: boolean };
  groups: boolean;
  passwords: boolean;
  /** Can preview the exact remote payload of an operation without side effects. */
  preview: boolean;
  /** Can check its configuration against the remote system (credentials, permissions). */
  connectionTest: boolean;
}

/** How a connector declares itself, once. */
export interface ConnectorManifest {
  /** Connector type, e.g. `salesforce`. Stable: stored with every configuration. */
  type: string;
  /** base64url (no padding) of `type`, as WSO2 identifies connectors in its REST API. */
  connectorId: string;
  displayName: string;
  description: string;
  properties: PropertyDescriptor[];
  capabilities: ConnectorCapabilities;
}

/** WSO2's connector id: base64url of the connector type without padding. */
export function connectorIdOf(type: string): string {
  return Buffer.from(type, 'utf8').toString('base64url');
}
