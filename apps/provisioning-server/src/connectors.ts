import type { ConnectorDefinition } from '@provisioning/connector-kit';
import { facebookConnector } from '@provisioning/connector-facebook';
import { googleConnector } from '@provisioning/connector-google';
import { salesforceConnector } from '@provisioning/connector-salesforce';

/**
 * Every outbound connector this server offers, in one explicit list. To add a connector: write its
 * library (see docs/connectors.md), then add its definition here.
 */
export const CONNECTORS: readonly ConnectorDefinition[] = [
  salesforceConnector as ConnectorDefinition,
  googleConnector as ConnectorDefinition,
  facebookConnector as ConnectorDefinition,
];
