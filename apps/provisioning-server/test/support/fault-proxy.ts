import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  url: string;
  /** Share of requests that fail: half answered 503 without forwarding, half forwarded then dropped (outcome unknown). */
  setFaultRate(rate: number): void;
  stats: { forwarded: number; refused: number; dropped: number };
  close(): Promise<void>;
}

/** An HTTP proxy on loopback that injects faults between two of our servers. */
export async function startFaultProxy(target: string, random = Math.random): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rate = 0;
  const stats = { forwarded: 0, refused: 0, dropped: 0 };
  const server: Server = createServer((req, res) => {
    const roll = random();
    if (roll < rate / 2) {
      stats.refused += 1;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/scim+json' }).end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503', detail: 'injected fault' }));
      return;
    }
    const dropAfter = roll < rate;
    const forward = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        stats.forwarded += 1;
        if (dropAfter) {
          stats.dropped += 1;
          answer.resume();
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setFaultRate: (r) => {
      rate = r;
    },
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
