export { salesforceConnector, SalesforceConnector } from './salesforce-connector';
export { salesforceManifest, parseSalesforceConfig, SALESFORCE_TYPE } from './salesforce-config';
export type { SalesforceConfig } from './salesforce-config';
