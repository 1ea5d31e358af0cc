import type { Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultRegistry, InvalidFaultRuleError, validateFaultRule } from './faults';
import { startSalesforceEmulator } from './index';
import type { RunningEmulator } from './index';
import { loggedIn, rawToken, rejection, userBody } from './testing/fixtures';

describe('FaultRegistry', () => {
  it('matches on method and path, in insertion order, and honours times', () => {
    const registry = new FaultRegistry();
    const a = registry.add({ method: 'post', path: '/sobjects/User$', times: 1, action: { type: 'status', status: 503 } });
    const b = registry.add({ path: '/sobjects/User', action: { type: 'delay', ms: 1 } });
    expect(registry.match('GET', '/services/data/v60.0/query')).toBeUndefined();
    expect(registry.match('POST', '/services/data/v60.0/sobjects/User')?.id).toBe(a);
    expect(registry.match('POST', '/services/data/v60.0/sobjects/User')?.id).toBe(b);
    expect(registry.list()).toEqual([
      expect.objectContaining({ id: a, hits: 1, remaining: 0 }),
      expect.objectContaining({ id: b, hits: 1, remaining: null }),
    ]);
  });

  it('applies probability with the injected random source', () => {
    const registry = new FaultRegistry();
    registry.add({ probability: 0.5, action: { type: 'hang' } });
    registry.random = () => 0.7;
    expect(registry.match('GET', '/x')).toBeUndefined();
    registry.random = () => 0.2;
    expect(registry.match('GET', '/x')).toBeDefined();
  });

  it('rejects invalid rules', () => {
    expect(() => validateFaultRule({ action: { type: 'explode' } })).toThrow(InvalidFaultRuleError);
    expect(() => validateFaultRule({ path: '(', action: { type: 'hang' } })).toThrow(/regular expression/);
    expect(() => validateFaultRule({ probability: 2, action: { type: 'hang' } })).toThrow(/probability/);
    expect(() => validateFaultRule({ action: { type: 'status' } })).toThrow(/status/);
    expect(validateFaultRule({ method: 'patch', action: { type: 'reset' } })).toEqual({ method: 'PATCH', action: { type: 'reset' } });
  });
});

describe('fault injection over HTTP', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  let token: string;

  const createRaw = (username: string, signal?: AbortSignal) =>
    fetch(`${emu.url}/services/data/v60.0/sobjects/User`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(userBody(username)),
      signal,
    });

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    conn = await loggedIn(emu);
    token = await rawToken(emu);
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(() => {
    emu.state.reset();
  });

  it('answers an injected status without applying the request', async () => {
    emu.state.injectFault({ method: 'POST', path: '/sobjects/User$', times: 1, action: { type: 'status', status: 503 } });
    const err = await rejection(conn.sobject('User').create(userBody('fault503@example.com')));
    expect(err.errorCode).toBe('SERVER_UNAVAILABLE');
    expect(emu.state.users.size).toBe(0);
    await conn.sobject('User').create(userBody('fault503@example.com'));
    expect(emu.state.users.size).toBe(1);
    expect(emu.state.requestLog.filter((e) => e.method === 'POST').map((e) => e.status)).toEqual([503, 201]);
  });

  it('lets jsforce retry GETs after a transient 503', async () => {
    emu.state.injectFault({ method: 'GET', path: '/query', times: 1, action: { type: 'status', status: 503 } });
    const result = await conn.query('SELECT Id FROM User');
    expect(result.done).toBe(true);
    expect(emu.state.requestLog.filter((e) => e.path.endsWith('/query')).map((e) => e.status)).toEqual([503, 200]);
  });

  it('sends Salesforce error bodies for error-code faults', async () => {
    const created = await conn.sobject('User').create(userBody('locked@example.com'));
    emu.state.injectFault({ method: 'PATCH', action: { type: 'error-code', errorCode: 'UNABLE_TO_LOCK_ROW' } });
    const err = await rejection(conn.sobject('User').update({ Id: created.id!, Title: 'x' }));
    expect(err.errorCode).toBe('UNABLE_TO_LOCK_ROW');
    expect(emu.state.requestLog.at(-1)).toMatchObject({ status: 400, fault: { type: 'error-code' } });
    expect(emu.state.users.get(created.id!)?.Title).toBeNull();
  });

  it('delays responses', async () => {
    emu.state.injectFault({ path: '/limits', action: { type: 'delay', ms: 150 } });
    const started = Date.now();
    await conn.limits();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('applies the request but never answers with apply-then-hang', async () => {
    emu.state.injectFault({ method: 'POST', path: '/sobjects/User$', times: 1, action: { type: 'apply-then-hang' } });
    const err = await rejection(createRaw('unknown.outcome@example.com', AbortSignal.timeout(300)));
    expect(err.name).toBe('TimeoutError');
    const user = emu.state.usersByUsername('unknown.outcome@example.com');
    expect(user).toBeDefined();
    expect(emu.state.requestLog.at(-1)).toMatchObject({
      method: 'POST',
      status: 201,
      fault: { type: 'apply-then-hang' },
      response: { id: user!.Id, success: true },
    });
    // Reading back shows the create landed.
    const found = await conn.query("SELECT Id FROM User WHERE Username = 'unknown.outcome@example.com'");
    expect(found.totalSize).toBe(1);
  });

  it('never answers nor applies with hang', async () => {
    emu.state.injectFault({ method: 'POST', times: 1, action: { type: 'hang' } });
    const err = await rejection(createRaw('hung@example.com', AbortSignal.timeout(200)));
    expect(err.name).toBe('TimeoutError');
    expect(emu.state.usersByUsername('hung@example.com')).toBeUndefined();
    expect(emu.state.requestLog.at(-1)).toMatchObject({ status: null, fault: { type: 'hang' } });
  });

  it('drops the connection with reset', async () => {
    emu.state.injectFault({ method: 'POST', times: 1, action: { type: 'reset' } });
    const err = await rejection(createRaw('reset@example.com'));
    expect(err.message).toBe('fetch failed');
    expect(emu.state.usersByUsername('reset@example.com')).toBeUndefined();
  });

  it('faults the token endpoint with OAuth-shaped bodies', async () => {
    emu.state.injectFault({ path: '/services/oauth2/token', times: 1, action: { type: 'status', status: 400 } });
    const err = await rejection(loggedIn(emu));
    expect(err.name).toBe('invalid_grant');
  });

  it('never applies a rule with probability 0', async () => {
    emu.state.injectFault({ probability: 0, action: { type: 'reset' } });
    await conn.limits();
    expect(emu.state.faults[0].hits).toBe(0);
  });
});

describe('closing with requests in flight', () => {
  it('closes promptly while a request hangs', async () => {
    const emu = await startSalesforceEmulator();
    emu.state.injectFault({ action: { type: 'hang' } });
    const pending = fetch(`${emu.url}/services/data`).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await emu.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('dropped');
  });
});

describe('response latency', () => {
  it('answers every API request after the configured latency, control routes at once', async () => {
    const emu = await startSalesforceEmulator({ latencyMs: 150 });
    try {
      const started = performance.now();
      const res = await fetch(`${emu.url}/services/data`);
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      const control = performance.now();
      await fetch(`${emu.url}/__emulator/requests`);
      expect(performance.now() - control).toBeLessThan(100);
    } finally {
      await emu.close();
    }
  });
});
