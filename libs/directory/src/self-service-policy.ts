import { SCIM2_CLAIM_MAPPINGS } from '@provisioning/claims';
import type { IdpClaimConfig } from '@provisioning/claims';
import { ForbiddenError } from '@provisioning/errors';
import { canonicalJson } from './canonical-json';

/**
 * What a user may change on themselves through `/Me` (RFC 7643 core attributes, lower-cased): their
 * own profile data. Identity and access attributes (userName, emails, roles, entitlements, active,
 * externalId, the enterprise extension, ...) are an administrator's to change.
 */
export const SELF_SERVICE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'name',
  'displayname',
  'nickname',
  'profileurl',
  'title',
  'preferredlanguage',
  'locale',
  'timezone',
  'phonenumbers',
  'addresses',
  'photos',
  'ims',
  'schemas',
]);

/** Refuses a self-service change to anything outside {@link SELF_SERVICE_ATTRIBUTES} (compared as canonical JSON). */
export function assertSelfServiceChange(before: Record<string, unknown>, after: Record<string, unknown>): void {
  const lower = (o: Record<string, unknown>) => new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), canonicalJson(v)] as const));
  const a = lower(before);
  const b = lower(after);
  const keys = new Set([...a.keys(), ...b.keys()]);
  const refused = [...keys].filter((k) => !SELF_SERVICE_ATTRIBUTES.has(k) && a.get(k) !== b.get(k));
  if (refused.length > 0) {
    throw new ForbiddenError(`These attributes can only be changed by an administrator: ${refused.join(', ')}`, { scimType: 'mutability' });
  }
}

/** An enabled outbound target, as far as the privileged-field rule needs to know it. */
export interface SelfServiceTarget {
  idpName: string;
  claims: IdpClaimConfig;
  /** The connector's privileged-field test (its manifest's `privilegedFields`). */
  isPrivileged(remoteField: string): boolean;
}

/** A claim a self-service change may not touch, and why. */
export interface PrivilegedClaimChange {
  localClaim: string;
  /** The SCIM attribute(s) the claim comes from, as a client writes them (`phoneNumbers.mobile`). */
  attributes: string[];
  idpName: string;
  remoteField: string;
}

/** SCIM attribute paths that fill a local claim (the SCIM 2.0 dialect read backwards). */
export function scimAttributesOf(localClaim: string): string[] {
  return [...new Set(SCIM2_CLAIM_MAPPINGS.filter((m) => m.mappedLocalClaim === localClaim).map((m) => m.claimURI.slice(m.dialectURI.length + 1)))];
}

/**
 * The changed claims that an enabled target sends into a privileged remote field. A claim counts
 * when the IdP maps a field to it and actually provisions that field (every mapped field when the
 * IdP lists no provisioning claims, else the listed ones).
 */
export function privilegedClaimChanges(changedClaims: Iterable<string>, targets: readonly SelfServiceTarget[]): PrivilegedClaimChange[] {
  const changed = new Set(changedClaims);
  const found: PrivilegedClaimChange[] = [];
  for (const target of targets) {
    const provisioned = new Set(target.claims.provisioningClaims.map((p) => p.claim.uri));
    for (const mapping of target.claims.mappings) {
      if (!changed.has(mapping.localClaim.uri)) continue;
      if (provisioned.size > 0 && !provisioned.has(mapping.idpClaim)) continue;
      if (!target.isPrivileged(mapping.idpClaim)) continue;
      found.push({ localClaim: mapping.localClaim.uri, attributes: scimAttributesOf(mapping.localClaim.uri), idpName: target.idpName, remoteField: mapping.idpClaim });
    }
  }
  return found;
}

/**
 * Refuses (403, naming the attribute) a self-service change to a claim that an enabled target maps
 * to a privileged remote field: with the WSO2 guide's mappings a user's own mobile number would set
 * `UserPermissionsMarketingUser` in Salesforce.
 */
export function assertNoPrivilegedClaimChange(changedClaims: Iterable<string>, targets: readonly SelfServiceTarget[]): void {
  const found = privilegedClaimChanges(changedClaims, targets);
  if (found.length === 0) return;
  const reasons = found.map(
    (f) => `${f.attributes.length > 0 ? f.attributes.join(' / ') : f.localClaim} (claim ${f.localClaim}) is sent to ${f.idpName} as ${f.remoteField}, a privileged field`,
  );
  const attributes = [...new Set(found.flatMap((f) => (f.attributes.length > 0 ? f.attributes : [f.localClaim])))];
  throw new ForbiddenError(`These attributes can only be changed by an administrator: ${attributes.join(', ')}. ${reasons.join('; ')}`, {
    scimType: 'mutability',
    details: { attributes, targets: found.map((f) => ({ idp: f.idpName, field: f.remoteField })) },
  });
}
