import type { ConnectorDefinition } from '@provisioning/connector-kit';
import type { ConnectorConfiguration, IdentityProvider } from '@provisioning/core';

/** The connector block of a response: confidential values are never included, only whether they are set. */
export function connectorView(configuration: ConnectorConfiguration, definition: ConnectorDefinition | undefined) {
  const descriptors = definition?.manifest.properties ?? [];
  const secret = new Set([...configuration.confidentialKeys, ...descriptors.filter((d) => d.isConfidential).map((d) => d.key)]);
  const properties = Object.entries(configuration.properties)
    .filter(([key]) => !secret.has(key))
    .map(([key, value]) => ({ key, value }));
  const confidential = [...secret].sort().map((key) => ({ key, isConfidential: true, isSet: configuration.properties[key] !== undefined }));
  return {
    connectorId: configuration.connectorId,
    name: configuration.connectorType,
    isEnabled: configuration.isEnabled,
    isDefault: configuration.isDefault,
    blockingEnabled: configuration.blockingEnabled,
    rulesEnabled: configuration.rulesEnabled,
    properties: [...properties, ...confidential],
  };
}

/** WSO2's identity provider response shape. */
export function identityProviderView(idp: IdentityProvider, base: string, definitionOf: (type: string) => ConnectorDefinition | undefined) {
  const self = `${base}/${idp.id}`;
  return {
    id: idp.id,
    name: idp.name,
    description: idp.description,
    isEnabled: idp.isEnabled,
    isPrimary: idp.isPrimary,
    image: idp.image ?? '',
    isFederationHub: idp.isFederationHub,
    homeRealmIdentifier: idp.homeRealmIdentifier,
    alias: idp.alias ?? '',
    certificate: { certificates: idp.certificates },
    claims: idp.claims,
    roles: idp.roles,
    provisioning: {
      jit: idp.jit,
      outboundConnectors: {
        defaultConnectorId: idp.defaultConnectorType ? definitionOf(idp.defaultConnectorType)?.manifest.connectorId : undefined,
        connectors: idp.connectors.map((c) => ({ ...connectorView(c, definitionOf(c.connectorType)), self: `${self}/provisioning/outbound-connectors/${c.connectorId}` })),
      },
    },
    self,
  };
}
