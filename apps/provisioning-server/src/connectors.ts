import type { ConnectorDefinition } from '@provisioning/connector-kit';
import { facebookConnector } from '@provisioning/connector-facebook';
import { googleConnector } from '@provisioning/connector-google';
import { salesforceConnector } from '@provisioning/connector-salesforce';
import { scim2Connector } from '@provisioning/connector-scim2';

/**
 * Every outbound connector this server offers, in one explicit list. To add a connector: write its
 * library (see docs/connectors.md), then add its definition here.
 */
export const CONNECTORS: readonly ConnectorDefinition[] = [
  salesforceConnector as ConnectorDefinition,
  googleConnector as ConnectorDefinition,
  facebookConnector as ConnectorDefinition,
  scim2Connector as ConnectorDefinition,
];
