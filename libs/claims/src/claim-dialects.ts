import { claimIdOf } from './claim-id';
import { LOCAL_CLAIM_DIALECT } from './local-claims';
import { SCIM2_CLAIM_MAPPINGS, SCIM2_CORE_DIALECT, SCIM2_DIALECT, SCIM2_ENTERPRISE_DIALECT } from './scim-dialect';
import type { ScimClaimMapping } from './scim-dialect';

/** A claim dialect as `GET /api/server/v1/claim-dialects` lists it (the host adds links). */
export interface ClaimDialect {
  /** `local` for the local dialect (as in WSO2), otherwise base64url of the dialect URI. */
  readonly id: string;
  readonly dialectURI: string;
}

/**
 * The id WSO2's API uses for a dialect in paths: `local` for the local dialect, base64url of the
 * URI for the others.
 */
export function dialectIdOf(dialectURI: string): string {
  return dialectURI === LOCAL_CLAIM_DIALECT ? 'local' : claimIdOf(dialectURI);
}

/** The built-in dialects: local, SCIM 2.0 core, SCIM 2.0 User and the enterprise extension. */
export function listClaimDialects(): ClaimDialect[] {
  return [LOCAL_CLAIM_DIALECT, SCIM2_CORE_DIALECT, SCIM2_DIALECT, SCIM2_ENTERPRISE_DIALECT].map((dialectURI) => ({
    id: dialectIdOf(dialectURI),
    dialectURI,
  }));
}

/** The rows of one SCIM dialect (empty for the local dialect and unknown URIs). */
export function claimMappingsForDialect(dialectURI: string): ScimClaimMapping[] {
  return SCIM2_CLAIM_MAPPINGS.filter((m) => m.dialectURI === dialectURI);
}
