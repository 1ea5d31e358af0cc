import { Agent, buildConnector, request as undiciRequest } from 'undici';
import { isProvisioningError } from '@provisioning/errors';
import type { EgressPolicy } from './egress-policy';

/** One outbound HTTP request. */
export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** The caller's deadline (e.g. the engine's, for a whole operation). */
  signal?: AbortSignal;
  /** Deadline of this request, from sending to the last byte of the answer (default: the client's). */
  timeoutMs?: number;
}

/** The whole answer, read (and bounded) before it is returned. */
export interface OutboundResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
}

/**
 * The only way connectors reach the network: every request goes through the {@link EgressPolicy}
 * (URL checked, name resolved and every address checked, connection made to the checked address),
 * never follows a redirect (a 3xx is returned as it is), and reads at most a bounded answer.
 */
export interface OutboundHttp {
  request(url: string, init: OutboundRequest): Promise<OutboundResponse>;
  /** Closes pooled connections (shutdown). */
  close(): Promise<void>;
}

/** What went wrong below HTTP; `mayHaveArrived` says whether the remote may have applied the request. */
export type OutboundFailure = 'timeout' | 'aborted' | 'network' | 'too-large';

/** A request that got no (complete) answer. Egress refusals are {@link EgressRefusedError}s instead. */
export class OutboundHttpError extends Error {
  constructor(
    message: string,
    readonly failure: OutboundFailure,
    readonly code: string | undefined,
    readonly mayHaveArrived: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutboundHttpError';
  }
}

export interface OutboundHttpOptions {
  /** Default deadline of one request. */
  timeoutMs?: number;
  /** TCP/TLS connect deadline. */
  connectTimeoutMs?: number;
  /** Largest answer read; a larger one fails (a hostile target cannot fill our memory). */
  maxResponseBytes?: number;
}

/** Socket errors where the request cannot have left this machine. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Builds the policy-enforcing HTTP client (undici, with a connector that dials only checked addresses). */
export function createOutboundHttp(policy: EgressPolicy, options: OutboundHttpOptions = {}): OutboundHttp {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024;
  const dial = buildConnector({ timeout: options.connectTimeoutMs ?? Math.min(timeoutMs, 10_000) });
  const agent = new Agent({
    // Called for every new connection: resolve, check every address, dial the checked one (TLS still
    // verifies the certificate against the original host name, which undici takes from `host`).
    connect: (connectOptions, callback) => {
      const port = Number(connectOptions.port) || (connectOptions.protocol === 'https:' ? 443 : 80);
      policy.resolveChecked(connectOptions.hostname, port).then(
        (resolved) => dial({ ...connectOptions, hostname: resolved.address }, callback),
        (error: Error) => callback(error, null),
      );
    },
  });

  return {
    async request(url: string, init: OutboundRequest): Promise<OutboundResponse> {
      const target = policy.assertUrl(url);
      const deadline = AbortSignal.timeout(init.timeoutMs ?? timeoutMs);
      const signal = init.signal ? AbortSignal.any([deadline, init.signal]) : deadline;
      try {
        const response = await undiciRequest(target, {
          method: init.method,
          headers: init.headers,
          body: init.body,
          dispatcher: agent,
          signal,
        });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of response.body) {
          size += (chunk as Buffer).length;
          if (size > maxResponseBytes) {
            response.body.destroy();
            throw new OutboundHttpError(`the answer of ${target.origin} is larger than ${maxResponseBytes} bytes`, 'too-large', undefined, true);
          }
          chunks.push(chunk as Buffer);
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
        }
        return { status: response.statusCode, headers, body: Buffer.concat(chunks).toString('utf8') };
      } catch (error) {
        throw toOutboundError(error, target, deadline, init.timeoutMs ?? timeoutMs);
      }
    },
    close: () => agent.close(),
  };
}

function toOutboundError(error: unknown, target: URL, deadline: AbortSignal, timeoutMs: number): unknown {
  if (isProvisioningError(error) || error instanceof OutboundHttpError) return error;
  const e = error as { name?: string; code?: string; message?: string; cause?: unknown };
  // A refusal raised inside the connector may arrive wrapped.
  if (isProvisioningError(e.cause)) return e.cause;
  if (deadline.aborted || e.name === 'TimeoutError' || (e.code && TIMEOUTS.has(e.code))) {
    return new OutboundHttpError(`${target.origin} did not answer within ${timeoutMs} ms`, 'timeout', e.code, true, { cause: error });
  }
  if (e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED') {
    return new OutboundHttpError(`the request to ${target.origin} was aborted before an answer`, 'aborted', e.code, true, { cause: error });
  }
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code;
  const sent = !(code && NOT_SENT.has(code));
  return new OutboundHttpError(`network error talking to ${target.origin}: ${code ?? 'connection failed'}`, 'network', code, sent, { cause: error });
}
