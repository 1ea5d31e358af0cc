import { createSign } from 'node:crypto';
import jsforce from 'jsforce';
import { UpstreamThrottledError, UpstreamUnavailableError } from '@provisioning/errors';
import type { CallOptions, ConnectorContext, RemoteCallRecord } from '@provisioning/connector-kit';
import type { SalesforceConfig } from './salesforce-config';
import { toProvisioningError } from './salesforce-errors';

interface Token {
  accessToken: string;
  instanceUrl: string;
  issuedAt: number;
}

/** One REST call through jsforce. */
export interface RestCall {
  method: 'GET' | 'POST' | 'PATCH';
  /** Path below /services/data/vNN.N, e.g. `/sobjects/User`. */
  path: string;
  body?: Record<string, unknown>;
  /** What to write into the provisioning log instead of `body` (already redacted). */
  logBody?: unknown;
}

const TOKEN_PATH = '/services/oauth2/token';
const USAGE_RECHECK_MS = 5 * 60_000;
const REFUSED_TOKEN_PAUSE_MS = 60_000;
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * Owns the OAuth token of one connector configuration: one token request, reused until Salesforce
 * answers INVALID_SESSION_ID, then exactly one re-authentication for that call (jsforce's own refresh
 * can loop on 401). Concurrent callers share one in-flight token request. Every call has a deadline
 * and jsforce's internal retries are off: the engine owns retries.
 */
export class SalesforceSession {
  #token: Token | undefined;
  #pending: Promise<Token> | undefined;
  /** A refused token request, remembered briefly so queued jobs do not each try to log in. */
  #refused: { error: Error; until: number } | undefined;
  /** `used/max` from the last `Sforce-Limit-Info` header. */
  apiUsage: { used: number; max: number } | undefined;
  #apiUsageAt = 0;

  constructor(
    private readonly config: SalesforceConfig,
    private readonly context: ConnectorContext,
  ) {}

  get apiBase(): string {
    return `/services/data/v${this.config.apiVersion}`;
  }

  /** Runs one REST call, re-authenticating once if the session was rejected. */
  async call<T>(call: RestCall, options: CallOptions = {}): Promise<T> {
    if (options.signal?.aborted) throw new UpstreamUnavailableError(`${call.method} ${call.path}: the operation's deadline passed; not sent`);
    this.checkUsageCeiling();
    let token = await this.token(options);
    try {
      return await this.send<T>(token, call, options);
    } catch (error) {
      if (!isInvalidSession(error)) throw error;
      this.invalidate(token);
      token = await this.token(options);
      try {
        return await this.send<T>(token, call, options);
      } catch (second) {
        if (isInvalidSession(second)) {
          throw new UpstreamThrottledError('Salesforce rejected a freshly issued token (INVALID_SESSION_ID twice); check the API user and connected app. Jobs wait.', {
            retryAfterMs: REFUSED_TOKEN_PAUSE_MS,
            status: 401,
            remoteCode: 'INVALID_SESSION_ID',
            remoteMessage: (second as Error).message,
          });
        }
        throw second;
      }
    }
  }

  private async send<T>(token: Token, call: RestCall, options: CallOptions): Promise<T> {
    const conn = new jsforce.Connection({ instanceUrl: this.config.domain, accessToken: token.accessToken, version: this.config.apiVersion });
    const status = captureStatus(conn);
    const started = Date.now();
    const record = (facts: Partial<RemoteCallRecord>) =>
      options.record?.({ method: call.method, path: `${this.apiBase}${call.path}`, body: call.logBody ?? call.body, durationMs: Date.now() - started, ...facts });
    try {
      const result = (await conn.request(
        {
          method: call.method,
          url: `${this.apiBase}${call.path}`,
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          headers: { 'content-type': 'application/json' },
        },
        // No redirects: jsforce would turn a POST into a GET and resend the bearer token elsewhere.
        { timeout: this.context.requestTimeoutMs, retry: { maxRetries: 0 }, followRedirect: false } as never,
      )) as T;
      this.readLimits(conn);
      record({ status: status.last });
      return result;
    } catch (error) {
      this.readLimits(conn);
      if (isInvalidSession(error)) {
        record({ status: 401, remoteCode: 'INVALID_SESSION_ID', remoteMessage: (error as Error).message });
        throw error;
      }
      const mapped = toProvisioningError(error, `${call.method} ${call.path}`, status.last);
      const upstream = mapped as { status?: number; remoteCode?: string; remoteMessage?: string };
      record({ status: upstream.status, remoteCode: upstream.remoteCode, remoteMessage: upstream.remoteMessage ?? mapped.message });
      throw mapped;
    }
  }

  private readLimits(conn: { limitInfo?: { apiUsage?: { used: number; limit: number } } }): void {
    const usage = conn.limitInfo?.apiUsage;
    if (usage) {
      this.apiUsage = { used: usage.used, max: usage.limit };
      this.#apiUsageAt = Date.now();
    }
  }

  /**
   * Slows down before Salesforce's daily limit: when the last `Sforce-Limit-Info` showed the ceiling
   * reached, calls are refused as throttled for a while (the engine pauses this connector), then one
   * call is let through to read the usage again.
   */
  private checkUsageCeiling(): void {
    const usage = this.apiUsage;
    if (!usage || usage.max <= 0) return;
    const percent = (usage.used / usage.max) * 100;
    const age = Date.now() - this.#apiUsageAt;
    if (percent >= this.config.apiUsageLimitPercent && age < USAGE_RECHECK_MS) {
      throw new UpstreamThrottledError(
        `Salesforce API usage is at ${usage.used}/${usage.max} (ceiling ${this.config.apiUsageLimitPercent}%); pausing this connector`,
        { remoteCode: 'API_USAGE_CEILING', retryAfterMs: USAGE_RECHECK_MS - age },
      );
    }
  }

  /** The current token, requesting one when there is none (one request at a time). */
  async token(options: CallOptions = {}): Promise<Token> {
    if (this.#token) return this.#token;
    if (this.#refused && this.#refused.until > Date.now()) throw this.#refused.error;
    if (!this.#pending) {
      this.#pending = this.requestToken(options).finally(() => {
        this.#pending = undefined;
      });
    }
    return this.#pending;
  }

  private invalidate(token: Token): void {
    if (this.#token === token) this.#token = undefined;
  }

  private async requestToken(options: CallOptions): Promise<Token> {
    const { config } = this;
    const oauth2 = new jsforce.OAuth2({
      clientId: config.clientId,
      clientSecret: config.clientSecret.reveal(),
      tokenServiceUrl: config.tokenEndpoint,
      authzServiceUrl: config.tokenEndpoint.replace(/\/token$/, '/authorize'),
      redirectUri: undefined,
    });
    const started = Date.now();
    const logBody = { grant_type: config.grant, client_id: config.clientId, ...(config.grant !== 'client_credentials' ? { username: config.username } : {}) };
    const record = (facts: Partial<RemoteCallRecord>) =>
      options.record?.({ method: 'POST', path: TOKEN_PATH, body: logBody, durationMs: Date.now() - started, ...facts });
    let timer: NodeJS.Timeout | undefined;
    try {
      const request =
        config.grant === 'password'
          ? oauth2.authenticate(config.username ?? '', config.password?.reveal() ?? '')
          : config.grant === 'jwt-bearer'
            ? oauth2.requestToken({ grant_type: JWT_GRANT, assertion: this.jwtAssertion() })
            : oauth2.requestToken({ grant_type: 'client_credentials' });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new UpstreamUnavailableError(`token request to ${config.tokenEndpoint} timed out after ${this.context.requestTimeoutMs} ms`)),
          this.context.requestTimeoutMs,
        );
      });
      const response = (await Promise.race([request, timeout])) as { access_token: string; instance_url: string };
      record({ status: 200 });
      this.context.onTokenRequest?.('success');
      const token: Token = { accessToken: response.access_token, instanceUrl: response.instance_url, issuedAt: Date.now() };
      this.#token = token;
      this.#refused = undefined;
      this.context.logger.info({ grant: config.grant }, 'obtained a Salesforce access token');
      return token;
    } catch (error) {
      this.context.onTokenRequest?.('failure');
      if (error instanceof UpstreamUnavailableError) {
        record({ remoteMessage: error.message });
        throw error;
      }
      const e = error as { name?: string; message?: string; code?: string };
      if (e.code) {
        record({ remoteCode: e.code, remoteMessage: e.message });
        throw new UpstreamUnavailableError(`token request failed: network error ${e.code}`, { remoteCode: e.code, cause: error });
      }
      const status = /^ERROR_HTTP_(\d{3})$/.exec(e.name ?? '')?.[1];
      record({ status: status ? Number(status) : 400, remoteCode: e.name, remoteMessage: e.message });
      if (status && Number(status) >= 500) {
        throw new UpstreamUnavailableError(`token request failed with HTTP ${status}`, { status: Number(status), remoteCode: e.name, cause: error });
      }
      // Credentials are wrong or expired: pause this connector (jobs wait, nothing is dead-lettered) and
      // do not ask again for a while: repeated failed logins can lock the API user.
      const refused = new UpstreamThrottledError(
        `Salesforce refused the OAuth token request (${e.name}: ${e.message}); check the client id/secret and the API user's credentials. Jobs wait until it works.`,
        { status: 400, remoteCode: e.name, remoteMessage: e.message, retryAfterMs: REFUSED_TOKEN_PAUSE_MS },
      );
      this.#refused = { error: refused, until: Date.now() + REFUSED_TOKEN_PAUSE_MS };
      throw refused;
    } finally {
      clearTimeout(timer);
    }
  }

  /** RS256 JWT for the bearer grant: iss = client id, sub = API user, aud = login URL, valid 3 minutes. */
  private jwtAssertion(): string {
    const { config } = this;
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = encode({ alg: 'RS256', typ: 'JWT' });
    const claims = encode({ iss: config.clientId, sub: config.username, aud: config.jwtAudience, exp: Math.floor(Date.now() / 1000) + 180 });
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(config.jwtPrivateKey!.reveal()).toString('base64url');
    return `${header}.${claims}.${signature}`;
  }

  toJSON(): object {
    return { apiVersion: this.config.apiVersion, domain: this.config.domain, hasToken: Boolean(this.#token) };
  }
}

/**
 * jsforce drops the HTTP status of error responses; this wraps the connection's transport (jsforce is
 * pinned to 3.10.16, whose Connection keeps it in `_transport`) to remember the last status seen.
 */
function captureStatus(conn: object): { last?: number } {
  const holder: { last?: number } = {};
  const transport = (conn as { _transport?: { httpRequest: (...args: unknown[]) => unknown } })._transport;
  if (!transport) return holder;
  const original = transport.httpRequest.bind(transport);
  transport.httpRequest = (...args: unknown[]) => {
    const result = original(...args) as { then?: unknown };
    if (result && typeof result.then === 'function') {
      (result as Promise<{ statusCode?: number }>).then(
        (response) => {
          holder.last = response?.statusCode;
        },
        () => undefined,
      );
    }
    return result;
  };
  return holder;
}

function isInvalidSession(error: unknown): boolean {
  const e = error as { errorCode?: string; name?: string } | undefined;
  return e?.errorCode === 'INVALID_SESSION_ID' || e?.name === 'INVALID_SESSION_ID';
}
