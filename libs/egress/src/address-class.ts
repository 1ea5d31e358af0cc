import ipaddr from 'ipaddr.js';

/**
 * Why an address is not a public unicast one, in words an operator recognises; `undefined` for a
 * public address. Names and messages come from here so every refusal says the same thing.
 */
const REASONS: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (cloud metadata services live there)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (some clouds serve metadata there)',
  private: 'a private address',
  uniqueLocal: 'a private (unique local) address',
  reserved: 'a reserved address',
};

/**
 * Classifies an IP address (IPv4, IPv6, IPv4-mapped IPv6 such as `::ffff:127.0.0.1`): `undefined`
 * when it is public unicast, otherwise the reason it is not. Everything ipaddr.js does not call
 * plain `unicast` is refused (NAT64, 6to4 and Teredo embed IPv4 addresses that could be private),
 * because an allowlist entry is the way to reach anything else.
 */
export function nonPublicReason(address: string): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'not a valid IP address';
  }
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  return REASONS[range] ?? `a special-purpose address (${range})`;
}

/** True for an IP literal in canonical form (as the WHATWG URL parser leaves hostnames: `[::1]`, `127.0.0.1`). */
export function isIpLiteral(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return ipaddr.IPv4.isValidFourPartDecimal(bare) || (bare.includes(':') && ipaddr.IPv6.isValid(bare));
}
