import type { ClaimValue, OutboundAttribute } from '@provisioning/connector-kit';
import type { IdpClaimConfig } from './idp-claim-config';

export type { ClaimValue, OutboundAttribute };

/** Options of {@link computeOutboundAttributes}. */
export interface ComputeOutboundAttributesOptions {
  /**
   * For updates: only attributes whose mapped local claim is in this set. A claim the user no longer
   * has counts as changed, so its default (if any) is sent in its place. Unmapped, default-only
   * attributes never change and are left out.
   */
  readonly onlyChangedLocalClaims?: ReadonlySet<string>;
}

/**
 * The attributes an IdP receives for a user, computed as WSO2 does from the IdP's claim dialect:
 * - with provisioning claims: exactly those IdP claims, each taking the user's value of the mapped
 *   local claim when it is non-empty, else the default value, else left out;
 * - without provisioning claims: every mapped IdP claim whose local claim has a non-empty value.
 * A user's value always wins over a default. Order follows the configuration.
 */
export function computeOutboundAttributes(
  localClaims: Readonly<Record<string, ClaimValue>>,
  config: IdpClaimConfig,
  options: ComputeOutboundAttributesOptions = {},
): OutboundAttribute[] {
  const changed = options.onlyChangedLocalClaims;
  const wanted = (localClaim: string | undefined): boolean =>
    changed === undefined || (localClaim !== undefined && changed.has(localClaim));
  const valueOf = (localClaim: string | undefined): ClaimValue | undefined => {
    if (localClaim === undefined || !Object.hasOwn(localClaims, localClaim)) return undefined;
    return assignedValue(localClaims[localClaim]);
  };

  const localOf = new Map<string, string>();
  for (const m of config.mappings) {
    if (!localOf.has(m.idpClaim)) localOf.set(m.idpClaim, m.localClaim.uri);
  }

  const result: OutboundAttribute[] = [];
  if (config.provisioningClaims.length === 0) {
    for (const [name, localClaim] of localOf) {
      const value = valueOf(localClaim);
      if (wanted(localClaim) && value !== undefined) result.push({ name, value, source: 'user', localClaim });
    }
    return result;
  }

  for (const { claim, defaultValue } of config.provisioningClaims) {
    const name = claim.uri;
    const localClaim = localOf.get(name);
    if (!wanted(localClaim)) continue;
    const value = valueOf(localClaim);
    const mapped = localClaim === undefined ? {} : { localClaim };
    if (value !== undefined) result.push({ name, value, source: 'user', ...mapped });
    else if (defaultValue !== undefined && defaultValue !== '') result.push({ name, value: defaultValue, source: 'default', ...mapped });
  }
  return result;
}

/** A claim value that counts as set: a non-blank text, or the non-blank values of a list (none: unset). */
export function assignedValue(value: unknown): ClaimValue | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (!Array.isArray(value)) return undefined;
  const values = value.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  return values.length === 0 ? undefined : values;
}
