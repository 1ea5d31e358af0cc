import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from './index';
import type { RunningEmulator } from './index';
import { rawToken, userBody } from './testing/fixtures';

describe('control API and raw REST behaviour', () => {
  let emu: RunningEmulator;
  let token: string;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${emu.url}/services/data/v60.0${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
    });
  const control = (path: string, init: RequestInit = {}) =>
    fetch(`${emu.url}/__emulator${path}`, { ...init, headers: { 'content-type': 'application/json' } });

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    token = await rawToken(emu);
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(async () => {
    expect((await control('/reset', { method: 'POST' })).status).toBe(204);
  });

  it('lists API versions without authentication and rejects retired or unknown ones', async () => {
    const res = await fetch(`${emu.url}/services/data`);
    const versions = (await res.json()) as Array<{ version: string; label: string; url: string }>;
    expect(versions[0]).toEqual({ label: "Summer '14", url: '/services/data/v31.0', version: '31.0' });
    expect(versions.at(-1)).toEqual({ label: "Winter '27", url: '/services/data/v68.0', version: '68.0' });
    expect(versions.find((v) => v.version === '66.0')?.label).toBe("Spring '26");

    const retired = await fetch(`${emu.url}/services/data/v30.0/sobjects`, { headers: { authorization: `Bearer ${token}` } });
    expect(retired.status).toBe(410);
    const future = await fetch(`${emu.url}/services/data/v69.0/sobjects`, { headers: { authorization: `Bearer ${token}` } });
    expect(future.status).toBe(404);
    expect(await future.json()).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  it('requires a bearer token and reports usage on authenticated responses', async () => {
    const anonymous = await fetch(`${emu.url}/services/data/v60.0/limits`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const ok = await api('/limits');
    expect(ok.headers.get('sforce-limit-info')).toBe('api-usage=1/15000');
    const oauthScheme = await fetch(`${emu.url}/services/data/v60.0/limits`, { headers: { authorization: `OAuth ${token}` } });
    expect(oauthScheme.status).toBe(200);
  });

  it('answers JSON_PARSER_ERROR for malformed JSON and a missing body', async () => {
    const bad = await api('/sobjects/User', { method: 'POST', body: '{"Username": ' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe('JSON_PARSER_ERROR');
    const empty = await api('/sobjects/User', { method: 'POST' });
    expect(((await empty.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe('JSON_PARSER_ERROR');
  });

  it('supports POST with _HttpMethod=PATCH and lower-case object names with trailing slashes (WSO2 style)', async () => {
    const created = await api('/sobjects/user/', { method: 'POST', body: JSON.stringify(userBody('wso2@example.com')) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const patched = await api(`/sobjects/user/${id}?_HttpMethod=PATCH`, { method: 'POST', body: JSON.stringify({ IsActive: false }) });
    expect(patched.status).toBe(204);
    expect(emu.state.users.get(id)?.IsActive).toBe(false);
    expect(emu.state.requestLog.at(-1)).toMatchObject({ method: 'PATCH', status: 204, body: { IsActive: false } });
  });

  it('returns raw query pages with relative nextRecordsUrl', async () => {
    for (let i = 0; i < 3; i++) {
      await api('/sobjects/User', { method: 'POST', body: JSON.stringify(userBody(`raw${i}@example.com`, { CommunityNickname: `raw${i}` })) });
    }
    emu.state.options.queryBatchSize = 2;
    try {
      const first = (await (await api(`/query?q=${encodeURIComponent('SELECT Username FROM User ORDER BY Username')}`)).json()) as {
        totalSize: number;
        done: boolean;
        nextRecordsUrl: string;
        records: Array<{ Username: string }>;
      };
      expect(first).toMatchObject({ totalSize: 3, done: false });
      expect(first.nextRecordsUrl).toMatch(/^\/services\/data\/v60\.0\/query\/01g[A-Za-z0-9]{15}-2$/);
      const second = (await (await fetch(`${emu.url}${first.nextRecordsUrl}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        done: boolean;
        records: Array<{ Username: string }>;
        nextRecordsUrl?: string;
      };
      expect(second).toMatchObject({ done: true, records: [{ Username: 'raw2@example.com' }] });
      expect(second.nextRecordsUrl).toBeUndefined();
      const badLocator = await api('/query/01gXXXXXXXXXXXXXXX-2');
      expect(((await badLocator.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
    } finally {
      emu.state.options.queryBatchSize = 2000;
    }
  });

  it('describes the User object', async () => {
    const describe = (await (await api('/sobjects/User/describe')).json()) as {
      name: string;
      createable: boolean;
      updateable: boolean;
      fields: Array<{ name: string; createable: boolean; picklistValues: unknown[] }>;
    };
    expect(describe).toMatchObject({ name: 'User', createable: true, updateable: true });
    const names = describe.fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['Username', 'IsActive', 'ProfileId', 'TimeZoneSidKey', 'UserPermissionsMarketingUser']));
    expect(describe.fields.find((f) => f.name === 'TimeZoneSidKey')?.picklistValues.length).toBeGreaterThan(10);
  });

  it('exposes users, requests, stats, faults, token expiry and usage', async () => {
    const created = await api('/sobjects/User', { method: 'POST', body: JSON.stringify(userBody('ctl@example.com')) });
    const { id } = (await created.json()) as { id: string };

    const users = (await (await control('/users')).json()) as Array<{ Id: string; Username: string }>;
    expect(users.map((u) => u.Username)).toEqual(['ctl@example.com']);
    const byName = (await (await control('/users?username=CTL@example.com')).json()) as Array<{ Id: string }>;
    expect(byName[0].Id).toBe(id);
    const one = (await (await control(`/users/${id}`)).json()) as { UserLogin: { IsFrozen: boolean } };
    expect(one.UserLogin.IsFrozen).toBe(false);

    const requests = (await (await control('/requests?method=post&path=/sobjects/User')).json()) as Array<{ status: number; body: { Username: string } }>;
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 201, body: { Username: 'ctl@example.com' } });

    const faultRes = await control('/faults', { method: 'POST', body: JSON.stringify({ method: 'GET', path: '/limits', times: 1, action: { type: 'status', status: 503 } }) });
    expect(faultRes.status).toBe(201);
    const { id: faultId } = (await faultRes.json()) as { id: string };
    expect((await api('/limits')).status).toBe(503);
    expect((await api('/limits')).status).toBe(200);
    const faults = (await (await control('/faults')).json()) as Array<{ id: string; hits: number }>;
    expect(faults).toEqual([expect.objectContaining({ id: faultId, hits: 1 })]);
    expect((await control('/faults', { method: 'POST', body: JSON.stringify({ action: { type: 'nope' } }) })).status).toBe(400);
    expect((await control('/faults', { method: 'DELETE' })).status).toBe(204);
    expect(emu.state.faults).toEqual([]);

    expect((await control('/api-usage', { method: 'PUT', body: JSON.stringify({ used: 15000 }) })).status).toBe(200);
    expect((await api('/limits')).status).toBe(403);
    await control('/api-usage', { method: 'PUT', body: JSON.stringify({ used: 0 }) });

    const stats = (await (await control('/stats')).json()) as { users: { total: number; active: number }; apiUsage: { used: number } };
    expect(stats.users).toMatchObject({ total: 1, active: 1 });
    expect(stats.apiUsage.used).toBe(0);

    const expired = (await (await control('/expire-tokens', { method: 'POST' })).json()) as { expired: number };
    expect(expired.expired).toBeGreaterThanOrEqual(1);
    expect((await api('/limits')).status).toBe(401);
    token = await rawToken(emu);
    expect(emu.state.requestLog.some((e) => e.path.startsWith('/__emulator'))).toBe(false);
  });
});
