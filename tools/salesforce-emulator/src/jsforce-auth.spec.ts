import { generateKeyPairSync, sign } from 'node:crypto';
import jsforce from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from './index';
import type { EmulatorOptions, RunningEmulator } from './index';
import { connectionFor, loggedIn, rejection, userBody } from './testing/fixtures';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function signJwt(privateKeyPem: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKeyPem).toString('base64url')}`;
}

describe('OAuth and session behaviour', () => {
  let emu: RunningEmulator | undefined;
  const start = async (options: EmulatorOptions = {}) => {
    emu = await startSalesforceEmulator(options);
    return emu;
  };
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it('counts token requests per grant type and answers Salesforce token bodies', async () => {
    const e = await start();
    const conn = await loggedIn(e);
    expect(conn.accessToken).toMatch(/^00D[A-Za-z0-9]{12}!/);
    await conn.authorize({ grant_type: 'client_credentials' });
    expect(e.state.tokenRequests).toMatchObject({ count: 2, succeeded: 2, failed: 0, byGrantType: { password: 1, client_credentials: 1 } });

    const res = await fetch(e.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'emulator-client-id', client_secret: 'emulator-client-secret' }),
    });
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'id', 'instance_url', 'issued_at', 'signature', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    expect(body.id).toBe(`${e.url}/id/${e.state.orgId}/${e.state.apiUserId}`);
  });

  it('answers OAuth errors that jsforce surfaces by name', async () => {
    const e = await start();
    const wrongPassword = await rejection(connectionFor(e).login(e.state.options.username, 'nope'));
    expect(wrongPassword.name).toBe('invalid_grant');
    expect(wrongPassword.message).toBe('authentication failure');

    const badClient = new jsforce.Connection({ loginUrl: e.url, version: '60.0', oauth2: { clientId: 'x', clientSecret: 'y', loginUrl: e.url } });
    expect((await rejection(badClient.login(e.state.options.username, e.state.options.password))).name).toBe('invalid_client_id');

    const badSecret = new jsforce.Connection({ loginUrl: e.url, version: '60.0', oauth2: { clientId: 'emulator-client-id', clientSecret: 'y', loginUrl: e.url } });
    expect((await rejection(badSecret.login(e.state.options.username, e.state.options.password))).name).toBe('invalid_client');

    expect((await rejection(connectionFor(e).authorize({ grant_type: 'magic' }))).name).toBe('unsupported_grant_type');
    expect(e.state.tokenRequests.failed).toBe(4);
  });

  it('accepts a JWT bearer assertion signed with the configured key and rejects others', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const e = await start({ jwtPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const claims = { iss: 'emulator-client-id', sub: 'admin@emulator.test', aud: e.url, exp: Math.floor(Date.now() / 1000) + 180 };

    const conn = new jsforce.Connection({ loginUrl: e.url, version: '60.0', oauth2: { loginUrl: e.url } });
    await conn.authorize({ grant_type: JWT_GRANT, assertion: signJwt(pem, claims) });
    expect(conn.instanceUrl).toBe(e.url);
    expect((await conn.limits()).DailyApiRequests.Max).toBe(15000);

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect((await rejection(conn.authorize({ grant_type: JWT_GRANT, assertion: signJwt(other, claims) }))).name).toBe('invalid_grant');
    const expired = signJwt(pem, { ...claims, exp: Math.floor(Date.now() / 1000) - 10 });
    expect((await rejection(conn.authorize({ grant_type: JWT_GRANT, assertion: expired }))).message).toBe('expired authorization code');
    const wrongIssuer = signJwt(pem, { ...claims, iss: 'someone-else' });
    expect((await rejection(conn.authorize({ grant_type: JWT_GRANT, assertion: wrongIssuer }))).name).toBe('invalid_client_id');
  });

  it('answers 401 INVALID_SESSION_ID once tokens expire, and jsforce re-authenticates once', async () => {
    const e = await start();
    const conn = await loggedIn(e);
    const bare = new jsforce.Connection({ instanceUrl: e.url, accessToken: conn.accessToken!, version: '60.0' });
    await bare.query('SELECT Id FROM User');

    expect(e.state.expireTokens()).toBe(1);
    const err = await rejection(bare.query('SELECT Id FROM User'));
    expect(err.errorCode).toBe('INVALID_SESSION_ID');
    expect(err.message).toBe('Session expired or invalid');

    // The logged-in connection has a refresh delegate: it logs in again and retries.
    await conn.sobject('User').create(userBody('after.expiry@example.com'));
    expect(e.state.tokenRequests.byGrantType.password).toBe(2);
    expect(e.state.usersByUsername('after.expiry@example.com')).toBeDefined();
  });

  it('expires tokens after tokenLifetimeMs', async () => {
    const e = await start({ tokenLifetimeMs: 50 });
    const conn = await loggedIn(e);
    const bare = new jsforce.Connection({ instanceUrl: e.url, accessToken: conn.accessToken!, version: '60.0' });
    await bare.limits();
    await new Promise((r) => setTimeout(r, 80));
    expect((await rejection(bare.limits())).errorCode).toBe('INVALID_SESSION_ID');
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED beyond the daily allowance and reports usage', async () => {
    const e = await start({ apiLimit: 3 });
    const conn = await loggedIn(e);
    const limits = await conn.limits();
    expect(limits.DailyApiRequests).toEqual({ Max: 3, Remaining: 2 });
    await conn.query('SELECT Id FROM User');
    await conn.query('SELECT Id FROM User');
    const err = await rejection(conn.query('SELECT Id FROM User'));
    expect(err.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(err.message).toBe('TotalRequests Limit exceeded.');
    expect(e.state.apiUsage).toEqual({ used: 3, max: 3 });

    const res = await fetch(`${e.url}/services/data/v60.0/limits`, { headers: { authorization: `Bearer ${conn.accessToken}` } });
    expect(res.status).toBe(403);
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
  });
});
