export { scim2Connector, Scim2Connector } from './scim2-connector';
export { scim2Manifest, parseScim2Config, SCIM2_TYPE } from './scim2-config';
export type { Scim2Config, Scim2Auth } from './scim2-config';
export type { Scim2Client, ScimRequest, ScimResponse, ScimMethod } from './scim2-client';
export { parseAttributeName, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from './attribute-path';
export type { ScimAttributePath } from './attribute-path';
