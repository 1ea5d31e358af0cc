import type { IdpClaimConfig } from './idp-claim-config';

/** One field to send to an IdP, with where its value came from (for previews and provisioning logs). */
export interface OutboundAttribute {
  /** The IdP claim (e.g. Salesforce field `LastName`). */
  name: string;
  value: string;
  /** `user`: the user's own claim value; `default`: the provisioning claim's default value. */
  source: 'user' | 'default';
  /** The local claim the IdP claim is mapped to, when it is mapped. */
  localClaim?: string;
}

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
  localClaims: Readonly<Record<string, string>>,
  config: IdpClaimConfig,
  options: ComputeOutboundAttributesOptions = {},
): OutboundAttribute[] {
  const changed = options.onlyChangedLocalClaims;
  const wanted = (localClaim: string | undefined): boolean =>
    changed === undefined || (localClaim !== undefined && changed.has(localClaim));
  const valueOf = (localClaim: string | undefined): string | undefined => {
    if (localClaim === undefined || !Object.hasOwn(localClaims, localClaim)) return undefined;
    const value = localClaims[localClaim];
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
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
