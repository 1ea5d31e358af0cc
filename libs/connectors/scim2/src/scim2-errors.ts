import { OutboundHttpError } from '@provisioning/connector-kit';
import { UpstreamRejectedError, UpstreamThrottledError, UpstreamUnavailableError, echo, isProvisioningError } from '@provisioning/errors';
import { parseRetryAfter } from './retry-after';
import type { ScimMethod } from './scim2-client';

/** The three errors a call to the target can end in; all carry status, remote code and message. */
export type UpstreamError = UpstreamRejectedError | UpstreamThrottledError | UpstreamUnavailableError;

/** Facts about the failed call, for the message and for `outcomeUnknown`. */
export interface FailedCall {
  method: ScimMethod;
  /** Path and query, as logged. */
  path: string;
  /** Which properties hold the credentials, for a 401 message. */
  credentialKeys: string;
}

/**
 * The SCIM error body (RFC 7644 3.12): `scimType` and `detail`, when the target sent a parsed JSON
 * error, bounded. Anything else the target answered is never quoted: a configuration pointing at
 * the wrong service must not turn error messages into a way to read that service's pages.
 */
export function scimErrorOf(body: unknown): { scimType?: string; detail?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const b = body as { scimType?: unknown; detail?: unknown; message?: unknown };
  const scimType = typeof b.scimType === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(b.scimType) ? b.scimType : undefined;
  const detail = typeof b.detail === 'string' ? b.detail : typeof b.message === 'string' ? b.message : undefined;
  return { ...(scimType ? { scimType } : {}), ...(detail ? { detail: echo(detail) } : {}) };
}

/**
 * Maps an HTTP answer the caller did not accept to the taxonomy the engine's retry policy reads:
 * 429 throttled and 503 unavailable (both with the target's Retry-After), other 5xx and 408
 * unavailable (outcome unknown for writes: the target may have applied them), every other status
 * rejected, keeping SCIM's `scimType`/`detail` as remote code and message.
 */
export function errorForStatus(call: FailedCall, status: number, body: unknown, headers: Headers): UpstreamError {
  const { scimType, detail } = scimErrorOf(body);
  const facts = { status, remoteCode: scimType ?? `HTTP_${status}`, ...(detail ? { remoteMessage: detail } : {}) };
  const what = `${call.method} ${call.path}`;
  const said = detail ? ` (${scimType ? `${scimType}: ` : ''}${detail})` : scimType ? ` (${scimType})` : '';
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
  const wait = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (status === 429) return new UpstreamThrottledError(`${what}: the SCIM target is rate limiting (429)${said}`, { ...facts, ...wait });
  if (status === 503) return new UpstreamUnavailableError(`${what}: the SCIM target is unavailable (503)${said}`, { ...facts, ...wait, outcomeUnknown: false });
  if (status >= 500 || status === 408) {
    return new UpstreamUnavailableError(`${what}: the SCIM target failed with ${status}${said}`, { ...facts, ...wait, outcomeUnknown: call.method !== 'GET' });
  }
  if (status === 401) {
    return new UpstreamRejectedError(`${what}: the SCIM target refused the credentials (401)${said}; check ${call.credentialKeys}`, facts);
  }
  if (status === 403) {
    return new UpstreamRejectedError(`${what}: the credentials lack permission for this operation (403)${said}`, facts);
  }
  if (status >= 300 && status < 400) {
    const location = headers.get('location');
    return new UpstreamRejectedError(
      `${what}: the SCIM target redirected (${status}${location ? ` to ${echo(location)}` : ''}); configure the final URL (redirects are never followed)`,
      facts,
    );
  }
  return new UpstreamRejectedError(`${what}: the SCIM target rejected the request (${status})${said}`, facts);
}

/** Maps a failure to get any answer (timeout, abort, socket error, egress refusal) to the taxonomy. */
export function errorForFailure(call: FailedCall, error: unknown, timeoutMs: number): UpstreamError {
  // The egress policy refused the destination: a configuration problem, kept as it is (not retried).
  if (isProvisioningError(error)) return error as UpstreamError;
  const write = call.method !== 'GET';
  const what = `${call.method} ${call.path}`;
  if (error instanceof OutboundHttpError) {
    const outcomeUnknown = write && error.mayHaveArrived;
    if (error.failure === 'timeout') return new UpstreamUnavailableError(`${what}: the SCIM target did not answer within ${timeoutMs} ms`, { outcomeUnknown, cause: error });
    if (error.failure === 'aborted') return new UpstreamUnavailableError(`${what}: aborted before the SCIM target answered`, { outcomeUnknown, cause: error });
    if (error.failure === 'too-large') return new UpstreamRejectedError(`${what}: the SCIM target's answer is too large`, { cause: error });
    return new UpstreamUnavailableError(`${what}: network error ${error.code ?? 'connection failed'}`, {
      outcomeUnknown,
      ...(error.code ? { remoteCode: error.code } : {}),
      cause: error,
    });
  }
  return new UpstreamUnavailableError(`${what}: the request failed`, { outcomeUnknown: write, cause: error });
}
