import { OutboundHttpError } from '@provisioning/connector-kit';
import { UpstreamRejectedError, UpstreamThrottledError, UpstreamUnavailableError, echo, isProvisioningError } from '@provisioning/errors';
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
/** What an error code from a remote system must look like to be quoted (Salesforce's are `UPPER_SNAKE`). */
const CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** A remote error code as we quote it, or undefined when the remote sent something that is not one. */
export function remoteCodeOf(value: unknown): string | undefined {
  return typeof value === 'string' && CODE.test(value) ? value : undefined;
}

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
 * Salesforce's own code and message (bounded); `httpStatus` is the real status when the caller saw
 * it. A body Salesforce did not send as a parsed error (jsforce calls it `ERROR_HTTP_nnn` and puts
 * the raw body in the message) is never quoted: the endpoint may not be Salesforce at all.
 */
export function toProvisioningError(error: unknown, what: string, httpStatus?: number): ProvisioningError {
  if (isProvisioningError(error)) return error; // the egress policy refused the destination
  if (error instanceof OutboundHttpError) {
    if (error.failure === 'too-large') return new UpstreamRejectedError(`${what}: the answer is too large`, { cause: error });
    if (error.failure === 'timeout' || error.failure === 'aborted') {
      return new UpstreamUnavailableError(`${what}: Salesforce did not answer in time`, { outcomeUnknown: error.mayHaveArrived, cause: error });
    }
    return new UpstreamUnavailableError(`${what}: network error ${error.code ?? 'connection failed'}`, {
      outcomeUnknown: error.mayHaveArrived,
      ...(error.code ? { remoteCode: error.code } : {}),
      cause: error,
    });
  }
  const e = (error ?? {}) as JsforceLikeError;
  if (e.errorCode === undefined) {
    // Not an answer from the remote (jsforce sets errorCode on every API error): never quote it.
    return new UpstreamUnavailableError(`${what}: the call failed before an answer was read`, { outcomeUnknown: true, cause: error });
  }
  const rawCode = e.errorCode;
  const unparsed = typeof rawCode === 'string' && /^ERROR_HTTP_\d{3}$/.test(rawCode);
  const code = remoteCodeOf(rawCode) ?? 'UNKNOWN_ERROR';
  const status = httpStatus ?? statusOf(code);
  const message = unparsed ? undefined : echo(e.message ?? '');
  const facts = { status, remoteCode: unparsed ? `HTTP_${status ?? 'error'}` : code, ...(message ? { remoteMessage: message } : {}), cause: error };
  if (code === 'REQUEST_LIMIT_EXCEEDED') return new UpstreamThrottledError(`${what}: Salesforce API limit reached`, facts);
  if (status !== undefined && (status >= 500 || status === 420 || status === 429)) {
    return new UpstreamUnavailableError(`${what}: Salesforce answered ${status}`, { ...facts, outcomeUnknown: status >= 500 });
  }
  if (TRANSIENT_CODES.has(code)) return new UpstreamUnavailableError(`${what}: ${code}`, facts);
  if (code === 'INVALID_SESSION_ID') return new UpstreamUnavailableError(`${what}: session rejected`, facts);
  if (unparsed) return new UpstreamRejectedError(`${what}: the endpoint answered HTTP ${status} without a Salesforce error`, facts);
  return new UpstreamRejectedError(`${what}: Salesforce rejected the request (${code}: ${message ?? ''})`, facts);
}
