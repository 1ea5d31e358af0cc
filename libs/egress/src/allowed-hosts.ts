import { ValidationError, echo } from '@provisioning/errors';

/** One `[outbound] allowed_hosts` entry: a host (canonical, as URLs spell it) and an optional port. */
export interface AllowedHost {
  host: string;
  port?: number;
}

/**
 * Parses `host` or `host:port` (`[::1]:8555` for IPv6) through the WHATWG URL parser, so an entry is
 * spelled the way request URLs are compared: lower-case names, `127.1` and `2130706433` as
 * `127.0.0.1`. Anything else (a scheme, a path, credentials) is refused, naming the entry.
 */
export function parseAllowedHost(entry: string, key = 'outbound.allowed_hosts'): AllowedHost {
  const invalid = (why: string) => new ValidationError(`${key}: "${echo(entry)}" ${why}; write host or host:port, e.g. "127.0.0.1:8555" or "[::1]:9443"`);
  if (typeof entry !== 'string' || entry.trim() === '') throw invalid('is empty');
  if (/[/?#@\s]/.test(entry)) throw invalid('is not a host');
  let url: URL;
  try {
    url = new URL(`http://${entry.trim()}`);
  } catch {
    throw invalid('is not a host');
  }
  if (url.hostname === '') throw invalid('is not a host');
  const explicitPort = /:(\d+)$/.exec(entry.trim())?.[1];
  if (explicitPort !== undefined) {
    const port = Number(explicitPort);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('has an invalid port');
    return { host: url.hostname, port };
  }
  return { host: url.hostname };
}

/** The port a URL connects to (its explicit port or the scheme's default). */
export function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Whether `hostname:port` (canonical hostname) is listed. */
export function isListed(list: readonly AllowedHost[], hostname: string, port: number): boolean {
  const host = hostname.toLowerCase();
  return list.some((entry) => entry.host === host && (entry.port === undefined || entry.port === port));
}
