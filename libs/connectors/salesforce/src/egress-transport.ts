import { PassThrough } from 'node:stream';
import type { OutboundHttp, OutboundRequest } from '@provisioning/connector-kit';

/** What jsforce hands its transport (jsforce 3.10.16, `HttpRequest`). */
interface JsforceRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What jsforce expects back (`HttpResponse`). */
interface JsforceResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Per-call options jsforce passes through from `conn.request(req, options)`. */
interface JsforceCallOptions {
  timeout?: number;
  signal?: AbortSignal;
}

const METHODS = new Set<OutboundRequest['method']>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * jsforce's transport, replaced: every REST call jsforce makes goes through the host's outbound HTTP
 * client (egress policy, no redirects, bounded answers) instead of jsforce's own node-fetch, which
 * follows redirects and resolves names itself. One instance per call remembers the status of the
 * answer (jsforce drops it from its errors). jsforce is pinned to 3.10.16, whose Connection reads
 * its transport from `_transport` and whose HttpApi needs `httpRequest()` returning a promise with a
 * `stream()`; covered by the connector's tests against the emulator.
 */
export class EgressTransport {
  /** HTTP status of the last answer. */
  lastStatus: number | undefined;

  constructor(
    private readonly http: OutboundHttp,
    private readonly timeoutMs: number,
  ) {}

  httpRequest(request: JsforceRequest, options: JsforceCallOptions = {}): Promise<JsforceResponse> & { stream(): PassThrough } {
    const method = request.method.toUpperCase() as OutboundRequest['method'];
    const sent = METHODS.has(method)
      ? this.http.request(request.url, {
          method,
          ...(request.headers ? { headers: request.headers } : {}),
          ...(request.body !== undefined && request.body !== null ? { body: String(request.body) } : {}),
          timeoutMs: options.timeout ?? this.timeoutMs,
          ...(options.signal ? { signal: options.signal } : {}),
        })
      : Promise.reject(new Error(`unsupported HTTP method ${request.method}`));
    const promise = sent.then((response) => {
      this.lastStatus = response.status;
      return { statusCode: response.status, headers: response.headers, body: response.body };
    });
    return Object.assign(promise, {
      // jsforce pipes a stream of the request through; the answer comes back whole through the promise.
      stream: () => {
        const stream = new PassThrough();
        promise.then(
          () => stream.end(),
          () => stream.end(),
        );
        return stream;
      },
    });
  }

  /** Installs this transport on a jsforce Connection (pinned 3.10.16: the `_transport` field). */
  install(connection: object): this {
    (connection as { _transport?: unknown })._transport = this;
    return this;
  }
}
