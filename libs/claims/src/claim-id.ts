import { ValidationError } from '@provisioning/errors';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The id WSO2's REST API uses for a claim or dialect in URL paths: base64url of the URI without
 * padding (`http://wso2.org/claims/username` -> `aHR0cDovL3dzbzIub3JnL2NsYWltcy91c2VybmFtZQ`).
 */
export function claimIdOf(uri: string): string {
  return Buffer.from(uri, 'utf8').toString('base64url');
}

/**
 * Decodes a claim id taken from a URL path. Only the canonical encoding is accepted (so one claim
 * has exactly one id), and the result must look like a claim URI; anything else is a client error.
 */
export function claimUriFromId(id: string): string {
  const fail = (reason: string): never => {
    throw new ValidationError(`Invalid claim id "${truncate(id)}": ${reason}`, {
      description: 'A claim id is the base64url encoding (no padding) of the claim URI.',
      details: { claimId: truncate(id) },
    });
  };
  if (typeof id !== 'string' || id.length === 0) return fail('it is empty');
  if (!BASE64URL.test(id)) return fail('it contains characters outside the base64url alphabet');
  if (id.length % 4 === 1) return fail('its length is not a valid base64url length');
  const uri = Buffer.from(id, 'base64url').toString('utf8');
  if (claimIdOf(uri) !== id) return fail('it is not the canonical base64url encoding of a UTF-8 text');
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri) || /\p{Cc}/u.test(uri)) return fail(`it decodes to "${truncate(uri)}", which is not a claim URI`);
  return uri;
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}...` : value;
}
