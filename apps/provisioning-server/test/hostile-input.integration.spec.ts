import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server';
import { guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN } from './support/server-process';

/**
 * A corpus of hostile input, thrown at every kind of endpoint: deep nesting, huge and malformed
 * filters, control characters, SSRF URL forms, redirect chains, unauthenticated bodies, oversized
 * values. Every answer must be below 500 and carry no engine, runtime or stack message.
 */
const ENGINE_WORDS = /Maximum call stack|SQLITE|SqliteError|better-sqlite|duplicate key|violates|syntax error at or near|invalid input syntax|out of range for type|value too long|relation "|current transaction is aborted|TypeError|RangeError|SyntaxError|ReferenceError|Cannot read prop|undefined is not|is not a function|at [\w.<>]+ \(|node_modules|\.ts:\d+|kysely|Expression tree is too large/i;

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const chained = (n: number, op: 'and' | 'or') => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(` ${op} `);

interface Probe {
  name: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  body?: string | object;
  auth?: boolean;
  contentType?: string;
}

function corpus(idpId: string): Probe[] {
  const filter = (f: string) => `/scim2/Users?filter=${encodeURIComponent(f)}`;
  return [
    // Deep nesting
    { name: 'user body with 5,000 nested arrays', method: 'post', path: '/scim2/Users', body: `{"schemas":["${USER}"],"userName":"deep@wso2.com","emails":${nestedArrays(5000)}}` },
    { name: 'user body with 100,000 nested objects', method: 'post', path: '/scim2/Users', body: `{"schemas":["${USER}"],"userName":"deep2@wso2.com","name":${nestedObjects(100_000)}}` },
    { name: 'Bulk data 10,000 levels deep', method: 'post', path: '/scim2/Bulk', body: `{"schemas":["${BULK}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"b1","data":${nestedObjects(10_000)}}]}` },
    { name: 'PATCH value 20,000 levels deep', method: 'patch', path: '/scim2/Me', body: `{"schemas":["${PATCH}"],"Operations":[{"op":"add","path":"name","value":${nestedObjects(20_000)}}]}` },
    { name: 'admin API body 50,000 levels deep', method: 'post', path: '/api/server/v1/identity-providers', body: `{"name":"Deep","claims":${nestedObjects(50_000)}}` },
    // Huge and malformed filters
    { name: '5,000 chained and terms', method: 'get', path: filter(chained(5000, 'and')) },
    { name: '5,000 chained or terms in a .search body', method: 'post', path: '/scim2/Users/.search', body: { schemas: [SEARCH], filter: chained(5000, 'or') } },
    { name: '100,000 nested not(', method: 'post', path: '/scim2/.search', body: { schemas: [SEARCH], filter: `${'not ('.repeat(100_000)}userName eq "a"${')'.repeat(100_000)}` } },
    { name: 'not without parentheses', method: 'get', path: filter('not userName eq "a"') },
    { name: 'invalid JSON escape in a filter string', method: 'get', path: filter('userName eq "\\u"') },
    { name: 'lone surrogate escape in a filter string', method: 'get', path: filter('userName eq "\\ud800"') },
    { name: 'NUL in a filter', method: 'get', path: filter('userName eq "a\u0000"') },
    { name: 'a 1 MB filter', method: 'post', path: '/scim2/Users/.search', body: { schemas: [SEARCH], filter: `userName eq "${'x'.repeat(1_000_000)}"` } },
    { name: 'value paths nested 10,000 deep', method: 'get', path: filter(`${'emails['.repeat(10_000)}value eq "a"${']'.repeat(10_000)}`) },
    { name: 'unbalanced parentheses', method: 'get', path: filter('((userName eq "a")') },
    { name: 'unknown operator', method: 'get', path: filter('userName zz "a"') },
    { name: 'group filter with 5,000 terms', method: 'get', path: `/scim2/Groups?filter=${encodeURIComponent(chained(5000, 'or').replaceAll('userName', 'displayName'))}` },
    // Query parameters
    { name: 'sortBy of 100,000 characters', method: 'get', path: `/scim2/Users?sortBy=${'a'.repeat(100_000)}` },
    { name: 'attributes with 50,000 names', method: 'get', path: `/scim2/Users?attributes=${Array.from({ length: 50_000 }, (_, i) => `a${i}`).join(',')}` },
    { name: 'startIndex 1e309', method: 'get', path: '/scim2/Users?startIndex=1e309' },
    { name: 'count -1', method: 'get', path: '/scim2/Users?count=-1' },
    { name: 'operator list paging nonsense', method: 'get', path: '/api/server/v1/provisioning/jobs?state=%00&user=%FF%FE' },
    // Control characters and oversized values
    { name: 'userName with NUL', method: 'post', path: '/scim2/Users', body: { schemas: [USER], userName: 'nul\u0000@wso2.com' } },
    { name: 'userName with a C1 control', method: 'post', path: '/scim2/Users', body: { schemas: [USER], userName: 'c1\u0085@wso2.com' } },
    { name: 'password with NUL', method: 'post', path: '/scim2/Users', body: { schemas: [USER], userName: 'pw@wso2.com', password: 'secret12\u0000' } },
    { name: 'a 1.5 MB userName', method: 'post', path: '/scim2/Users', body: { schemas: [USER], userName: `${'y'.repeat(1_500_000)}@wso2.com` } },
    { name: '__proto__ keys', method: 'post', path: '/scim2/Users', body: `{"schemas":["${USER}"],"userName":"proto@wso2.com","__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}` },
    { name: 'huge numbers', method: 'post', path: '/scim2/Users', body: `{"schemas":["${USER}"],"userName":"num@wso2.com","active":1e999,"x509Certificates":[{"value":123456789012345678901234567890}]}` },
    { name: 'invalid UTF-8', method: 'post', path: '/scim2/Users', body: Buffer.from([0x7b, 0x22, 0x75, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('latin1') },
    { name: 'a bare JSON string body', method: 'post', path: '/scim2/Users', body: '"just a string"' },
    { name: 'a JSON array body on PATCH', method: 'patch', path: '/scim2/Me', body: '[1,2,3]' },
    { name: 'a Bulk of 10,000 operations', method: 'post', path: '/scim2/Bulk', body: { schemas: [BULK], Operations: Array.from({ length: 10_000 }, () => ({ method: 'DELETE', path: '/Users/x' })) } },
    { name: 'Bulk path traversal', method: 'post', path: '/scim2/Bulk', body: { schemas: [BULK], Operations: [{ method: 'GET', path: '/../../api/server/v1/tenants' }] } },
    // SSRF URL forms, saved as configuration
    ...[
      'http://127.0.0.1.evil.example/',
      'https://10.0.0.5/',
      'https://[fd00::1]/',
      'https://metadata.google.internal/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://0177.0.0.1/',
      'https://[::ffff:169.254.169.254]/',
      'https://169.254.169.254/latest/meta-data/',
      'https://user:pass@login.salesforce.com/',
      'file:///etc/passwd',
      'gopher://127.0.0.1:6379/_INFO',
      `https://${'a'.repeat(100_000)}.example/`,
      'https://%00/',
    ].map<Probe>((url) => ({
      name: `sf-token-endpoint ${url.slice(0, 60)}`,
      method: 'put',
      path: `/api/server/v1/identity-providers/${idpId}/provisioning/outbound-connectors/c2FsZXNmb3JjZQ`,
      body: { isEnabled: true, properties: [{ key: 'sf-token-endpoint', value: url }, { key: 'sf-client-secret', value: 's' }, { key: 'sf-password', value: 'p' }] },
    })),
    { name: 'allowed_hosts cannot be set through the API', method: 'put', path: '/api/server/v1/applications/resident', body: { outbound: { allowed_hosts: ['169.254.169.254'] } } },
    // Unauthenticated bodies
    { name: 'unauthenticated 2 MB body', method: 'post', path: '/scim2/Users', auth: false, body: `{"userName":"${'z'.repeat(2 * 1024 * 1024)}"}` },
    { name: 'unauthenticated invalid JSON', method: 'post', path: '/api/server/v1/identity-providers', auth: false, body: '{"name": ' },
    { name: 'unauthenticated deep nesting', method: 'post', path: '/scim2/Bulk', auth: false, body: nestedArrays(100_000) },
    { name: 'unauthenticated SCIM 1.1 body', method: 'post', path: '/wso2/scim/Users', auth: false, body: '{oops' },
    { name: 'unknown tenant with a body', method: 'post', path: '/t/nosuch.example.com/scim2/Users', body: nestedArrays(100_000) },
  ];
}

describe('hostile input', () => {
  let server: RunningServer;
  let redirector: Server;
  let idpId: string;

  beforeAll(async () => {
    ({ server } = await startGuideServer('hostile-'));
    // A token endpoint that redirects, hop after hop, towards the metadata address.
    redirector = createServer((req, res) => {
      const hop = Number(/hop=(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
      res.writeHead(307, { location: hop > 5 ? 'http://169.254.169.254/latest/meta-data/' : `/token?hop=${hop + 1}` }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const port = (redirector.address() as AddressInfo).port;
    const created = await request(server.url)
      .post('/api/server/v1/identity-providers')
      .auth(ADMIN.username, ADMIN.password)
      .send(guideIdentityProvider(`http://127.0.0.1:${port}`, await salesforceCertificatePem()));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    idpId = created.body.id;
  });
  afterAll(async () => {
    await server?.close();
    redirector?.closeAllConnections();
    await new Promise((resolve) => redirector?.close(resolve));
  });

  it('answers the whole corpus with 4xx, never a 5xx, never an engine message', async () => {
    const failures: string[] = [];
    for (const probe of corpus(idpId)) {
      let req = request(server.url)[probe.method](probe.path);
      if (probe.auth !== false) req = req.auth(ADMIN.username, ADMIN.password);
      if (probe.body !== undefined) {
        req = req.set('content-type', probe.contentType ?? 'application/json');
        req = req.send(typeof probe.body === 'string' ? probe.body : JSON.stringify(probe.body));
      }
      const res = await req;
      const text = res.text ?? '';
      if (res.status >= 500) failures.push(`${probe.name}: ${res.status} ${text.slice(0, 200)}`);
      else if (ENGINE_WORDS.test(text)) failures.push(`${probe.name}: engine message ${text.slice(0, 300)}`);
      else if (text.length > 4000) failures.push(`${probe.name}: a ${text.length}-character answer echoes too much`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('follows no redirect chain from a token endpoint, and says so', async () => {
    const res = await request(server.url)
      .post(`/api/server/v1/identity-providers/${idpId}/provisioning/outbound-connectors/c2FsZXNmb3JjZQ/test`)
      .auth(ADMIN.username, ADMIN.password);
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(JSON.stringify(res.body)).toMatch(/redirected \(HTTP 307\)/);
    expect(JSON.stringify(res.body)).not.toMatch(/169\.254/);
  });
});
