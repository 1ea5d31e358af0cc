export {
  USER_SCHEMA,
  GROUP_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  SCIM1_CORE_SCHEMA,
  SCIM1_ENTERPRISE_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  SEARCH_REQUEST_SCHEMA,
  PATCH_OP_SCHEMA,
  BULK_REQUEST_SCHEMA,
  BULK_RESPONSE_SCHEMA,
  ERROR_SCHEMA,
} from './urns';
export type { AttributeDefinition, AttributeType, Mutability, Returned, Uniqueness, SchemaDefinition, ResourceTypeName, ScimResource } from './schema-types';
export { USER_SCHEMA_DEFINITION } from './user-schema';
export { GROUP_SCHEMA_DEFINITION } from './group-schema';
export { ENTERPRISE_USER_SCHEMA_DEFINITION } from './enterprise-user-schema';
export { COMMON_ATTRIBUTES } from './common-attributes';
export { USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE, RESOURCE_TYPES } from './resource-types';
export type { ResourceTypeDefinition, ResourceTypeRef, SchemaExtension } from './resource-types';
export { findAttribute } from './attribute-lookup';
export type { ResolvedAttribute } from './attribute-lookup';
export { serviceProviderConfig, HTTP_BASIC_SCHEME } from './service-provider-config';
export type { ServiceProviderConfigOptions, AuthenticationScheme } from './service-provider-config';
export { schemaResources, schemasResponse, schemaById, resourceTypes, resourceTypesResponse, resourceTypeById } from './discovery';
export { parseFilter } from './filter-parse';
export { MAX_FILTER_LENGTH, MAX_FILTER_TERMS, MAX_FILTER_DEPTH } from './filter-scan';
export type { Filter, CompareFilter, CompareOperator, CompareValue, PresentFilter, LogicalFilter, NotFilter, ValuePathFilter } from './filter-types';
export { compileFilter, matchesFilter } from './filter-compile';
export type { FilterPredicate } from './filter-compile';
export { sortResources } from './sort';
export { dateTimeMillis } from './value-compare';
export type { SortOrder } from './sort';
export { page, listResponse } from './paging';
export type { Page, ListResponse } from './paging';
export { projectAttributes } from './projection';
export type { ProjectionParams } from './projection';
export { parsePatchRequest } from './patch-request';
export type { PatchOperation, PatchOpName } from './patch-request';
export { applyPatch } from './patch';
export type { PatchResult } from './patch';
export { validateResource } from './validate-resource';
export type { ValidateOptions, ValidatedResource } from './validate-resource';
export type { ValidationWarning } from './value-normalize';
export { extractPassword } from './password';
export type { ExtractedPassword } from './password';
export { planBulk } from './bulk-plan';
export type { BulkPlan } from './bulk-plan';
export type { BulkLimits, BulkMethod, BulkStep, BulkOperationStep, RejectedBulkStep } from './bulk-operation';
export { resolveBulkIds, bulkIdReferences } from './bulk-ids';
export type { ResolveBulkIdsOptions } from './bulk-ids';
export type { ScimErrorType } from './scim-errors';
