import { PreconditionFailedError } from '@provisioning/errors';

/** Weak ETag of a stored version (RFC 7644 3.14). */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/**
 * If-Match (RFC 7644 3.14): a stale version is 412. `*` matches anything; weak comparison, so both
 * `W/"3"` and `"3"` name version 3.
 */
export function checkPrecondition(version: number, ifMatch: string | undefined, what: string): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (!tags.includes(etagOf(version)) && !tags.includes(`"${version}"`)) {
    throw new PreconditionFailedError(`${what} has changed (current version ${etagOf(version)})`, { scimType: 'invalidVers' });
  }
}
