import { createSign } from 'node:crypto';
import jsforce from 'jsforce';
import { OutboundHttpError } from '@provisioning/connector-kit';
import { UpstreamRejectedError, UpstreamThrottledError, UpstreamUnavailableError, echo, isProvisioningError } from '@provisioning/errors';
import type { CallOptions, ConnectorContext, OutboundResponse, RemoteCallRecord } from '@provisioning/connector-kit';
import { EgressTransport } from './egress-transport';
import type { SalesforceConfig } from './salesforce-config';
import { remoteCodeOf, toProvisioningError } from './salesforce-errors';

interface Token {
  accessToken: string;
  issuedAt: number;
}

/** One REST call through jsforce. */
export interface RestCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below /services/data/vNN.N, e.g. `/sobjects/User`. */
  path: string;
  body?: Record<string, unknown>;
  /** What to write into the provisioning log instead of `body` (already redacted). */
  logBody?: unknown;
  /** Extra request headers (e.g. `Sforce-Query-Options`). */
  headers?: Record<string, string>;
}

const TOKEN_PATH = '/services/oauth2/token';
const USAGE_RECHECK_MS = 5 * 60_000;
const REFUSED_TOKEN_PAUSE_MS = 60_000;
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * Owns the OAuth token of one connector configuration: one token request, reused until Salesforce
 * answers INVALID_SESSION_ID, then exactly one re-authentication for that call (jsforce's own refresh
 * can loop on 401). Concurrent callers share one in-flight token request. Every call has a deadline
 * and jsforce's internal retries are off: the engine owns retries. Every byte goes through the host's
 * outbound HTTP client (egress policy, no redirects): REST calls through jsforce with an
 * {@link EgressTransport}, the token request directly (jsforce's OAuth2 follows redirects and quotes
 * a non-JSON error body whole).
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
    const transport = new EgressTransport(this.context.http, this.context.requestTimeoutMs).install(conn);
    const started = Date.now();
    const record = (facts: Partial<RemoteCallRecord>) =>
      options.record?.({ method: call.method, path: `${this.apiBase}${call.path}`, body: call.logBody ?? call.body, durationMs: Date.now() - started, ...facts });
    try {
      const result = (await conn.request(
        {
          method: call.method,
          url: `${this.apiBase}${call.path}`,
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          headers: { 'content-type': 'application/json', ...call.headers },
        },
        { timeout: this.context.requestTimeoutMs, retry: { maxRetries: 0 }, signal: options.signal } as never,
      )) as T;
      this.readLimits(conn);
      record({ status: transport.lastStatus });
      return result;
    } catch (error) {
      this.readLimits(conn);
      if (isInvalidSession(error)) {
        record({ status: 401, remoteCode: 'INVALID_SESSION_ID', remoteMessage: echo((error as Error).message) });
        throw error;
      }
      const mapped = toProvisioningError(error, `${call.method} ${call.path}`, transport.lastStatus);
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
    const started = Date.now();
    const logBody = { grant_type: config.grant, client_id: config.clientId, ...(config.grant !== 'client_credentials' ? { username: config.username } : {}) };
    const record = (facts: Partial<RemoteCallRecord>) =>
      options.record?.({ method: 'POST', path: TOKEN_PATH, body: logBody, durationMs: Date.now() - started, ...facts });
    const params = new URLSearchParams({ client_id: config.clientId, client_secret: config.clientSecret.reveal() });
    if (config.grant === 'password') {
      params.set('grant_type', 'password');
      params.set('username', config.username ?? '');
      params.set('password', config.password?.reveal() ?? '');
    } else if (config.grant === 'jwt-bearer') {
      params.set('grant_type', JWT_GRANT);
      params.set('assertion', this.jwtAssertion());
    } else {
      params.set('grant_type', 'client_credentials');
    }
    let response: OutboundResponse;
    try {
      response = await this.context.http.request(config.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: params.toString(),
        timeoutMs: this.context.requestTimeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      this.context.onTokenRequest?.('failure');
      if (isProvisioningError(error)) {
        // The egress policy refused the token endpoint: a configuration problem.
        record({ remoteCode: 'EGRESS_REFUSED', remoteMessage: error.message });
        throw error;
      }
      const e = error as { message?: string; code?: string };
      const what = error instanceof OutboundHttpError && error.failure === 'timeout' ? `timed out after ${this.context.requestTimeoutMs} ms` : `failed: network error ${e.code ?? 'connection failed'}`;
      record({ ...(e.code ? { remoteCode: e.code } : {}), remoteMessage: `token request ${what}` });
      throw new UpstreamUnavailableError(`token request to ${new URL(config.tokenEndpoint).origin} ${what}`, { ...(e.code ? { remoteCode: e.code } : {}), cause: error });
    }
    return this.acceptToken(response, record);
  }

  /**
   * Reads the token endpoint's answer. Only a parsed OAuth error (`error`, `error_description`,
   * bounded) is ever quoted; a redirect is refused (the configured URL must be the final one).
   */
  private acceptToken(response: OutboundResponse, record: (facts: Partial<RemoteCallRecord>) => void): Token {
    const { config } = this;
    const status = response.status;
    const parsed = parseJsonObject(response.body);
    const accessToken = typeof parsed?.access_token === 'string' ? parsed.access_token : undefined;
    if (status === 200 && accessToken) {
      record({ status });
      this.context.onTokenRequest?.('success');
      const token: Token = { accessToken, issuedAt: Date.now() };
      this.#token = token;
      this.#refused = undefined;
      this.context.logger.info({ grant: config.grant }, 'obtained a Salesforce access token');
      return token;
    }
    this.context.onTokenRequest?.('failure');
    const code = remoteCodeOf(parsed?.error) ?? `HTTP_${status}`;
    const description = typeof parsed?.error_description === 'string' ? echo(parsed.error_description) : undefined;
    record({ status, remoteCode: code, ...(description ? { remoteMessage: description } : {}) });
    const facts = { status, remoteCode: code, ...(description ? { remoteMessage: description } : {}) };
    if (status >= 300 && status < 400) {
      throw new UpstreamRejectedError(
        `the token endpoint redirected (HTTP ${status}); set sf-token-endpoint to the final URL (redirects are never followed, so credentials never travel elsewhere)`,
        facts,
      );
    }
    if (status >= 500 || status === 429) throw new UpstreamUnavailableError(`token request failed with HTTP ${status}`, facts);
    if (status === 200) throw new UpstreamRejectedError('the token endpoint answered without an access token; check sf-token-endpoint', facts);
    // Credentials are wrong or expired: pause this connector (jobs wait, nothing is dead-lettered) and
    // do not ask again for a while: repeated failed logins can lock the API user.
    const refused = new UpstreamThrottledError(
      `Salesforce refused the OAuth token request (${code}${description ? `: ${description}` : ''}); check the client id/secret and the API user's credentials. Jobs wait until it works.`,
      { ...facts, retryAfterMs: REFUSED_TOKEN_PAUSE_MS },
    );
    this.#refused = { error: refused, until: Date.now() + REFUSED_TOKEN_PAUSE_MS };
    throw refused;
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

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isInvalidSession(error: unknown): boolean {
  const e = error as { errorCode?: string; name?: string } | undefined;
  return e?.errorCode === 'INVALID_SESSION_ID' || e?.name === 'INVALID_SESSION_ID';
}
