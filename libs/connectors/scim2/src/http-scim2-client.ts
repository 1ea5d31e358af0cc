import { Secret } from '@provisioning/connector-kit';
import type { CallOptions, ConnectorContext, OutboundHttp, RemoteCallRecord } from '@provisioning/connector-kit';
import { authHeader, credentialKeys } from './scim2-auth';
import type { Scim2Auth } from './scim2-config';
import type { Scim2Client, ScimRequest, ScimResponse } from './scim2-client';
import { errorForFailure, errorForStatus } from './scim2-errors';
import type { FailedCall } from './scim2-errors';
import { redacted } from './scim-changes';

const SCIM_JSON = 'application/scim+json';

/**
 * The SCIM HTTP adapter on the host's outbound HTTP client (egress policy: public addresses only
 * unless allowlisted, no redirects, bounded answers). Every request is bounded by the context's
 * `requestTimeoutMs` and the engine's signal, and is recorded for the provisioning log with its
 * redacted body.
 */
export class HttpScim2Client implements Scim2Client {
  readonly #auth: Scim2Auth;
  readonly #timeoutMs: number;
  readonly #http: OutboundHttp;

  constructor(auth: Scim2Auth, context: ConnectorContext) {
    this.#auth = auth;
    this.#timeoutMs = context.requestTimeoutMs;
    this.#http = context.http;
  }

  async send(request: ScimRequest, options: CallOptions = {}): Promise<ScimResponse> {
    const url = new URL(request.url);
    const call: FailedCall = { method: request.method, path: `${url.pathname}${url.search}`, credentialKeys: credentialKeys(this.#auth) };
    const started = Date.now();
    const record = (facts: Partial<RemoteCallRecord>): void =>
      options.record?.({
        method: request.method,
        path: call.path,
        ...(request.body === undefined ? {} : { body: redacted(request.logBody ?? request.body) }),
        durationMs: Date.now() - started,
        ...facts,
      });
    const [authName, authValue] = authHeader(this.#auth);

    let status: number;
    let headers: Headers;
    let body: unknown;
    try {
      const response = await this.#http.request(url.href, {
        method: request.method,
        headers: {
          accept: `${SCIM_JSON}, application/json`,
          ...(request.body === undefined ? {} : { 'content-type': SCIM_JSON }),
          ...request.headers,
          [authName]: authValue,
        },
        body: request.body === undefined ? undefined : JSON.stringify(revealSecrets(request.body)),
        timeoutMs: this.#timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      status = response.status;
      headers = new Headers(response.headers);
      body = parseBody(response.body);
    } catch (error) {
      const mapped = errorForFailure(call, error, this.#timeoutMs);
      record({ ...(mapped.remoteCode ? { remoteCode: mapped.remoteCode } : {}), remoteMessage: mapped.message });
      throw mapped;
    }

    if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
      record({ status });
      return { status, body, headers };
    }
    const mapped = errorForStatus(call, status, body, headers);
    record({ status, remoteCode: mapped.remoteCode, remoteMessage: mapped.remoteMessage ?? mapped.message });
    throw mapped;
  }

  /** Shows what the client talks with, never the credentials. */
  toJSON(): object {
    return { auth: this.#auth.mode, timeoutMs: this.#timeoutMs };
  }
}

/**
 * Bodies travel through the connector with secrets still wrapped (so a log or preview of them shows
 * `[REDACTED]`); this is the one place they are revealed, on the way to the wire.
 */
function revealSecrets(value: unknown): unknown {
  if (value instanceof Secret) return value.reveal();
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v)]));
  }
  return value;
}

/** JSON answers parsed; anything else is kept out (a raw body is never quoted to anyone). */
function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
