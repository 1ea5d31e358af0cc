import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressPolicy, EgressRefusedError } from './egress-policy';
import { createOutboundHttp, OutboundHttpError } from './outbound-http';

let server: Server;
let port: number;
let connections = 0;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else if (req.url === '/big') {
      res.end('x'.repeat(64 * 1024));
    } else if (req.url === '/hang') {
      // accepts, never answers
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'x-twice': ['a', 'b'] }).end(JSON.stringify({ ok: true, method: req.method }));
    }
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('OutboundHttp', () => {
  it('talks to a listed host and returns status, headers and body', async () => {
    const http = createOutboundHttp(new EgressPolicy({ allowedHosts: [`127.0.0.1:${port}`] }));
    const response = await http.request(`http://127.0.0.1:${port}/ok`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-twice']).toBe('a, b');
    expect(JSON.parse(response.body)).toEqual({ ok: true, method: 'POST' });
    await http.close();
  });

  it('refuses an unlisted loopback host without opening a connection', async () => {
    const http = createOutboundHttp(new EgressPolicy());
    const before = connections;
    await expect(http.request(`http://127.0.0.1:${port}/ok`, { method: 'GET' })).rejects.toBeInstanceOf(EgressRefusedError);
    await expect(http.request(`https://127.0.0.1:${port}/ok`, { method: 'GET' })).rejects.toThrow(/allowed_hosts/);
    expect(connections).toBe(before);
    await http.close();
  });

  it('dials the address the policy checked: a name resolving to loopback is refused unless listed, then reached', async () => {
    let lookups = 0;
    const resolver = async () => {
      lookups += 1;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const before = connections;
    const refused = createOutboundHttp(new EgressPolicy({ resolver }));
    // https, so the URL check passes and only the resolved address decides.
    await expect(refused.request(`https://rebind.example:${port}/ok`, { method: 'GET' })).rejects.toThrow(/resolves to 127\.0\.0\.1, a loopback address/);
    expect(connections).toBe(before);
    const listed = createOutboundHttp(new EgressPolicy({ resolver, allowedHosts: ['emulator.test'] }));
    const response = await listed.request(`http://emulator.test:${port}/ok`, { method: 'GET' });
    expect(response.status).toBe(200);
    expect(lookups).toBe(2);
    expect(seen.at(-1)).toBe('GET /ok');
    await Promise.all([refused.close(), listed.close()]);
  });

  it('never follows a redirect', async () => {
    const http = createOutboundHttp(new EgressPolicy({ allowedHosts: ['127.0.0.1'] }));
    const count = seen.length;
    const response = await http.request(`http://127.0.0.1:${port}/redirect`, { method: 'POST', body: 'grant_type=password' });
    expect(response.status).toBe(302);
    expect(seen.length).toBe(count + 1);
    await http.close();
  });

  it('bounds the answer it reads', async () => {
    const http = createOutboundHttp(new EgressPolicy({ allowedHosts: ['127.0.0.1'] }), { maxResponseBytes: 1024 });
    const error = await http.request(`http://127.0.0.1:${port}/big`, { method: 'GET' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundHttpError);
    expect((error as OutboundHttpError).failure).toBe('too-large');
    await http.close();
  });

  it('times out a hung request as "may have arrived", and a refused connection as "not sent"', async () => {
    const http = createOutboundHttp(new EgressPolicy({ allowedHosts: ['127.0.0.1'] }), { timeoutMs: 300 });
    const hung = (await http.request(`http://127.0.0.1:${port}/hang`, { method: 'POST', body: 'x' }).catch((e: unknown) => e)) as OutboundHttpError;
    expect(hung.failure).toBe('timeout');
    expect(hung.mayHaveArrived).toBe(true);
    const closed = (await http.request('http://127.0.0.1:1/', { method: 'POST', body: 'x' }).catch((e: unknown) => e)) as OutboundHttpError;
    expect(closed.failure).toBe('network');
    expect(closed.code).toBe('ECONNREFUSED');
    expect(closed.mayHaveArrived).toBe(false);
    await http.close();
  });

  it('stops when the caller aborts', async () => {
    const http = createOutboundHttp(new EgressPolicy({ allowedHosts: ['127.0.0.1'] }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = (await http.request(`http://127.0.0.1:${port}/hang`, { method: 'GET', signal: controller.signal }).catch((e: unknown) => e)) as OutboundHttpError;
    expect(error.failure).toBe('aborted');
    await http.close();
  });
});
