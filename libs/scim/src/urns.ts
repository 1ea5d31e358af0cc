/** Core schema URN of the User resource (RFC 7643 4.1). */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** Core schema URN of the Group resource (RFC 7643 4.2). */
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** Enterprise User extension schema URN (RFC 7643 4.3). */
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** SCIM 1.x core URN, accepted on input and rewritten to {@link USER_SCHEMA}. */
export const SCIM1_CORE_SCHEMA = 'urn:scim:schemas:core:1.0';
/** SCIM 1.x enterprise extension URN, accepted on input and rewritten to {@link ENTERPRISE_USER_SCHEMA}. */
export const SCIM1_ENTERPRISE_SCHEMA = 'urn:scim:schemas:extension:enterprise:1.0';
/** Schema URN of the ServiceProviderConfig resource (RFC 7643 5). */
export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
/** Schema URN of ResourceType resources (RFC 7643 6). */
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
/** Schema URN of Schema resources (RFC 7643 7). */
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
/** Message URN of list responses (RFC 7644 3.4.2). */
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** Message URN of `/.search` requests (RFC 7644 3.4.3). */
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
/** Message URN of PATCH requests (RFC 7644 3.5.2). */
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Message URN of bulk requests (RFC 7644 3.7). */
export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
/** Message URN of bulk responses (RFC 7644 3.7). */
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
/** Message URN of error responses (RFC 7644 3.12). */
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
