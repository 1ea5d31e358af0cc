export { salesforceConnector, SalesforceConnector } from './salesforce-connector';
export { salesforceManifest, parseSalesforceConfig, SALESFORCE_TYPE } from './salesforce-config';
export type { SalesforceConfig } from './salesforce-config';
export { SalesforceEntitlements, ASSIGNMENT_READ_CHUNK } from './entitlements';
export type { ConvergeOptions, ConvergeRequest, DesiredEntitlements, EntitlementOutcome, PermissionSetAssignment } from './entitlements';
