import { UpstreamRejectedError, UpstreamThrottledError, UpstreamUnavailableError } from '@provisioning/errors';
import type { ProvisioningError } from '@provisioning/errors';

/** Salesforce error codes that heal by waiting (row locks). */
const TRANSIENT_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'QUERY_TIMEOUT']);
const STATUS_BY_CODE: Record<string, number> = {
  INVALID_SESSION_ID: 401,
  REQUEST_LIMIT_EXCEEDED: 403,
  INSUFFICIENT_ACCESS: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
};
/** Socket errors where the request cannot have reached Salesforce. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface JsforceLikeError {
  name?: string;
  message?: string;
  errorCode?: string;
  code?: string;
  type?: string;
  data?: unknown;
}

/** The HTTP status of a jsforce error, which jsforce does not keep: derived from its error code. */
export function statusOf(errorCode: string | undefined): number | undefined {
  if (!errorCode) return undefined;
  const http = /^ERROR_HTTP_(\d{3})$/.exec(errorCode);
  if (http) return Number(http[1]);
  return STATUS_BY_CODE[errorCode] ?? 400;
}

/**
 * Maps whatever jsforce (or the network under it) threw to the project's error taxonomy, keeping
 * Salesforce's own code and message; `httpStatus` is the real status when the caller saw it.
 */
export function toProvisioningError(error: unknown, what: string, httpStatus?: number): ProvisioningError {
  const e = (error ?? {}) as JsforceLikeError;
  const message = e.message ?? String(error);
  if (e.name === 'AbortError' || e.type === 'aborted' || /timed? ?out|aborted due to timeout/i.test(message)) {
    return new UpstreamUnavailableError(`${what}: Salesforce did not answer in time`, { outcomeUnknown: true, cause: error });
  }
  if (e.code && !e.errorCode) {
    return new UpstreamUnavailableError(`${what}: network error ${e.code}`, {
      outcomeUnknown: !NOT_SENT.has(e.code),
      remoteCode: e.code,
      cause: error,
    });
  }
  const code = e.errorCode ?? e.name;
  const status = httpStatus ?? statusOf(code);
  const facts = { status, remoteCode: code, remoteMessage: message, cause: error };
  if (code === 'REQUEST_LIMIT_EXCEEDED') return new UpstreamThrottledError(`${what}: Salesforce API limit reached`, facts);
  if (status !== undefined && (status >= 500 || status === 420 || status === 429)) {
    return new UpstreamUnavailableError(`${what}: Salesforce answered ${status}`, { ...facts, outcomeUnknown: status >= 500 });
  }
  if (code && TRANSIENT_CODES.has(code)) return new UpstreamUnavailableError(`${what}: ${code}`, facts);
  if (code === 'INVALID_SESSION_ID') return new UpstreamUnavailableError(`${what}: session rejected`, facts);
  return new UpstreamRejectedError(`${what}: Salesforce rejected the request (${code}: ${message})`, facts);
}
