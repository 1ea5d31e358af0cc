import { lookup as dnsLookup } from 'node:dns/promises';
import { UpstreamRejectedError, echo } from '@provisioning/errors';
import { isIpLiteral, nonPublicReason } from './address-class';
import { isListed, parseAllowedHost, portOf } from './allowed-hosts';
import type { AllowedHost } from './allowed-hosts';

/** A resolved address (as `dns.lookup` with `all: true` answers). */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; injectable so tests can play a rebinding DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface EgressPolicyOptions {
  /** `[outbound] allowed_hosts`: `host` or `host:port` entries that may be loopback, private, link-local... */
  allowedHosts?: readonly string[];
  resolver?: Resolver;
}

/**
 * Host names that lead to a cloud metadata service or to this machine whatever DNS says, refused by
 * name already when a configuration is saved (RFC 6761 reserves `localhost` and `*.localhost`).
 */
const LOCAL_NAMES = /^(localhost|.*\.localhost|metadata|metadata\.google\.internal|metadata\.azure\.internal|instance-data|instance-data\.ec2\.internal|metadata\.packet\.net)\.?$/i;

const ALLOW_HINT = 'list the host in [outbound] allowed_hosts to allow it';

/** Refused by the egress policy: a configuration problem, so the job is not retried. */
export class EgressRefusedError extends UpstreamRejectedError {
  constructor(message: string) {
    super(message, { code: 'EGRESS-REFUSED', remoteCode: 'EGRESS_REFUSED', description: 'See "Outbound connections" in the README.' });
  }
}

const systemResolver: Resolver = async (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Brackets IPv6 literals (undici hands them over bare), so they compare like URL hostnames. */
function canonical(hostname: string): string {
  const lower = hostname.toLowerCase();
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}

/**
 * Where connectors may connect: public addresses only, unless the operator lists a host in
 * `[outbound] allowed_hosts`. One policy for every connector and token request, applied twice:
 * when a configuration is saved ({@link checkUrl}: IP literals in any spelling, `localhost`,
 * metadata names and plain http are refused naming the property) and on every connection
 * ({@link resolveChecked}: the name is resolved, every address checked, and the connection goes to
 * a checked address, so DNS cannot answer differently the second time).
 */
export class EgressPolicy {
  readonly allowedHosts: readonly AllowedHost[];
  readonly #resolve: Resolver;

  constructor(options: EgressPolicyOptions = {}) {
    this.allowedHosts = (options.allowedHosts ?? []).map((entry) => parseAllowedHost(entry));
    this.#resolve = options.resolver ?? systemResolver;
  }

  isAllowed(hostname: string, port: number): boolean {
    return isListed(this.allowedHosts, canonical(hostname), port);
  }

  /**
   * The problem with a URL a connector would call, or `undefined` when it may be used: an http(s)
   * URL without credentials; plain http, IP literals (decimal, hex, short and IPv6 forms are
   * canonical here already), `localhost` and metadata names only for allowlisted hosts.
   */
  checkUrl(value: string): string | undefined {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'is not a valid URL';
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
    if (url.username !== '' || url.password !== '') return 'must not carry credentials in the URL';
    const host = url.hostname;
    const port = portOf(url);
    if (this.isAllowed(host, port)) return undefined;
    if (isIpLiteral(host)) {
      const reason = nonPublicReason(host);
      return `points at the IP address ${host}${reason ? `, ${reason}` : ''}; use the host's name, or ${ALLOW_HINT}`;
    }
    if (LOCAL_NAMES.test(host)) {
      return `points at ${host}, which names this machine or a cloud metadata service; ${ALLOW_HINT}`;
    }
    if (url.protocol === 'http:') return `must use https (plain http is accepted only for hosts in [outbound] allowed_hosts)`;
    return undefined;
  }

  /** Like {@link checkUrl}, as an error naming the URL's origin. */
  assertUrl(value: string): URL {
    const problem = this.checkUrl(value);
    if (problem) throw new EgressRefusedError(`Outbound call refused: ${echo(originOf(value))} ${problem}`);
    return new URL(value);
  }

  /**
   * The address to connect to for `hostname:port`: resolved once, every address checked (a name
   * that resolves to one private address among public ones is refused as a whole), the first one
   * returned. Allowlisted hosts may resolve to anything.
   */
  async resolveChecked(hostname: string, port: number): Promise<ResolvedAddress> {
    const host = canonical(hostname);
    const allowed = this.isAllowed(host, port);
    const bare = host.replace(/^\[|\]$/g, '');
    if (isIpLiteral(host)) {
      if (!allowed) {
        const reason = nonPublicReason(bare);
        throw new EgressRefusedError(`Outbound connection to ${host}:${port} refused: an IP address${reason ? `, ${reason}` : ''}; ${ALLOW_HINT}`);
      }
      return { address: bare, family: bare.includes(':') ? 6 : 4 };
    }
    if (!allowed && LOCAL_NAMES.test(host)) {
      throw new EgressRefusedError(`Outbound connection to ${host}:${port} refused: the name points at this machine or a cloud metadata service; ${ALLOW_HINT}`);
    }
    const addresses = await this.#resolve(bare);
    if (addresses.length === 0) throw new EgressRefusedError(`Outbound connection to ${host}:${port} refused: the name has no address`);
    if (!allowed) {
      for (const { address } of addresses) {
        const reason = nonPublicReason(address);
        if (reason) throw new EgressRefusedError(`Outbound connection to ${host}:${port} refused: it resolves to ${address}, ${reason}; ${ALLOW_HINT}`);
      }
    }
    return addresses[0]!;
  }
}

function originOf(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}`;
  } catch {
    return value;
  }
}
