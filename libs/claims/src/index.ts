export { LOCAL_CLAIM_DIALECT, LOCAL_CLAIMS, findLocalClaim, localClaimUri } from './local-claims';
export type { LocalClaim, LocalClaimName, LocalClaimUri } from './local-claims';
export { claimIdOf, claimUriFromId } from './claim-id';
export {
  SCIM2_DIALECT,
  SCIM2_CORE_DIALECT,
  SCIM2_ENTERPRISE_DIALECT,
  SCIM2_CLAIM_MAPPINGS,
  scimUserToLocalClaims,
  MULTI_VALUED_LOCAL_CLAIMS,
  readLocalClaims,
} from './scim-dialect';
export type { ScimClaimMapping, ScimToLocalOptions, ScimUserLike } from './scim-dialect';
export { listClaimDialects, dialectIdOf, claimMappingsForDialect } from './claim-dialects';
export type { ClaimDialect } from './claim-dialects';
export { validateIdpClaimConfig } from './idp-claim-config';
export type { IdpClaimConfig, ValidateIdpClaimConfigOptions } from './idp-claim-config';
export { computeOutboundAttributes, assignedValue } from './outbound-attributes';
export type { ClaimValue, OutboundAttribute, ComputeOutboundAttributesOptions } from './outbound-attributes';
