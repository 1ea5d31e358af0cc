import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_FILTER_TERMS } from '@provisioning/scim';
import { MAX_JSON_DEPTH } from '../src/http/json-body';
import { asAdmin, BULK_REQUEST, expectScimError, GROUP_SCHEMA, PATCH_OP, scimUser, SEARCH_REQUEST, startScimServer, USER_SCHEMA } from './support/scim-harness';
import type { ScimServer } from './support/scim-harness';

type Json = Record<string, unknown>;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;
/** Engine and library wording that must never reach a client. */
const ENGINE = /call stack|RangeError|TypeError|SQLITE|Expression tree|request entity|unsupported charset|unsupported content encoding|Failed to decode/i;

/** A value nested `levels` deep in arrays: `[[[...0...]]]`. */
const nestedArrays = (levels: number): string => `${'['.repeat(levels)}0${']'.repeat(levels)}`;

/**
 * Issue 10: bad SCIM/JSON input is always a clear 4xx (never a 500, never an engine message): filter
 * and body limits, bounded error messages, and the RFC 7643/7644 interop fixes.
 */
describe('SCIM input limits and error hygiene (issue 10)', () => {
  let scim: ScimServer;
  const api = () => request(scim.url);
  const search = (filter: string) => asAdmin(api().post('/scim2/Users/.search')).send({ schemas: [SEARCH_REQUEST], filter });
  const list = (filter: string) => asAdmin(api().get('/scim2/Users')).query({ filter });
  let babs: Json;

  beforeAll(async () => {
    scim = await startScimServer('scim-input-limits-');
    const created = await asAdmin(api().post('/scim2/Users')).send(scimUser('limits.babs@example.com', { displayName: 'Babs' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    babs = created.body as Json;
  });
  afterAll(async () => {
    await scim?.close();
  });

  /** A 400 whose detail is short, names no engine, has no raw control character. */
  function expectClear400(res: request.Response, scimType: string): string {
    expectScimError(res, 400, scimType);
    const detail = res.body.detail as string;
    expect(detail.length, detail.slice(0, 200)).toBeLessThan(700);
    expect(detail).not.toMatch(ENGINE);
    expect(detail).not.toMatch(CONTROL);
    return detail;
  }

  describe('filters', () => {
    it('answers 5,000 chained "or" / "and" terms with 400 invalidFilter naming the limit (was a 500 from SQLite)', async () => {
      for (const op of ['or', 'and']) {
        const filter = Array.from({ length: 5000 }, (_, i) => `userName eq "u${i}"`).join(` ${op} `);
        expect(clearDetail(await search(filter))).toMatch(/the limit is \d+/);
        const compact = Array.from({ length: 5000 }, () => 'title pr').join(` ${op} `);
        expect(clearDetail(await search(compact))).toMatch(/the limit is \d+/);
        const root = await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], filter: compact });
        expect(clearDetail(root)).toMatch(/the limit is \d+/);
        const groups = await asAdmin(api().post('/scim2/Groups/.search')).send({ schemas: [SEARCH_REQUEST], filter: compact.replaceAll('title', 'displayName') });
        expect(clearDetail(groups)).toMatch(/the limit is \d+/);
      }
    });

    it('names each limit: terms, length and depth', async () => {
      const terms = Array.from({ length: MAX_FILTER_TERMS + 1 }, (_, i) => `userName eq "u${i}"`).join(' or ');
      expect(clearDetail(await search(terms))).toContain(`more than ${MAX_FILTER_TERMS} comparison terms; the limit is ${MAX_FILTER_TERMS}`);
      expect(clearDetail(await search(`userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`))).toContain(`the limit is ${MAX_FILTER_LENGTH} characters`);
      const deep = `${'not ('.repeat(MAX_FILTER_DEPTH + 1)}userName eq "a"${')'.repeat(MAX_FILTER_DEPTH + 1)}`;
      expect(clearDetail(await search(deep))).toContain(`the limit is ${MAX_FILTER_DEPTH}`);
    });

    it('answers 100,000 nested "not(" with 400 quickly, never "Maximum call stack size exceeded"', async () => {
      const filter = `${'not('.repeat(100_000)}userName eq "a"${')'.repeat(100_000)}`;
      const started = Date.now();
      const res = await search(filter);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(clearDetail(res)).not.toMatch(/call stack/i);
    });

    it('runs filters at every limit, with the SQL prefilter inside SQLite\'s limits (200, not 500)', async () => {
      const name = babs.userName as string;
      const wide = (op: string) => [...Array.from({ length: MAX_FILTER_TERMS - 1 }, (_, i) => `userName eq "nobody${i}@example.com"`), `userName eq "${name}"`].join(` ${op} `);
      const anyOf = await search(wide('or'));
      expect(anyOf.status, JSON.stringify(anyOf.body).slice(0, 300)).toBe(200);
      expect(anyOf.body.totalResults).toBe(1);
      const allOf = await search(wide('and'));
      expect(allOf.status).toBe(200);
      expect(allOf.body.totalResults).toBe(0);
      const sw = await search(Array.from({ length: MAX_FILTER_TERMS }, (_, i) => (i % 2 ? `displayName co "b${i}"` : `userName sw "l${i}"`)).join(' or '));
      expect(sw.status).toBe(200);
      // Nested to the depth limit, alternating and/or, every term pushed down into SQL.
      let nested = `userName eq "${name}"`;
      for (let level = 1; level < MAX_FILTER_DEPTH; level += 1) nested = `(${nested}) ${level % 2 ? 'or' : 'and'} userName co "limits"`;
      const deep = await search(`(${nested})`);
      expect(deep.status, JSON.stringify(deep.body).slice(0, 300)).toBe(200);
      expect(deep.body.totalResults).toBe(1);
      // The same through GET (filters are also query parameters).
      const get = await list(`userName eq "${name}" or ${Array.from({ length: 100 }, (_, i) => `userName eq "n${i}"`).join(' or ')}`);
      expect(get.status).toBe(200);
      expect(get.body.totalResults).toBe(1);
    });

    it('refuses "not" without parentheses (RFC 7644 3.4.2.2: "not" "(" valFilter ")")', async () => {
      clearDetail(await list('not userName eq "a"'));
      clearDetail(await list('not (userName eq "a") and not title pr'));
      const ok = await list(`not (userName ne "${babs.userName as string}")`);
      expect(ok.status).toBe(200);
      expect(ok.body.totalResults).toBe(1);
    });

    it('reads comparison strings as JSON strings: "\\u" is 400, escapes are decoded', async () => {
      expect(clearDetail(await list('userName eq "\\u"'))).toMatch(/not a JSON string/);
      clearDetail(await list('userName eq "\\q"'));
      const escaped = await list(`displayName eq "\\u0042abs"`);
      expect(escaped.status).toBe(200);
      expect(escaped.body.totalResults).toBe(1);
    });

    it('quotes at most ~200 characters of a long or odd filter, control characters escaped', async () => {
      const detail = clearDetail(await list(`userName eq "${'x'.repeat(5000)}" and`));
      expect(detail).toMatch(/… \(\d+ characters\)/);
      const unknown = clearDetail(await list(`${'a'.repeat(5000)} eq "x"`));
      expect(unknown).toMatch(/… \(\d+ characters\)/);
      expect(clearDetail(await list('userName eq "a" and\u0007'))).toContain('\\u0007');
    });

    function clearDetail(res: request.Response): string {
      return expectClear400(res, 'invalidFilter');
    }
  });

  describe('JSON bodies', () => {
    it(`refuses a user body nesting 5,000 arrays with 400 invalidSyntax naming the limit (${MAX_JSON_DEPTH})`, async () => {
      const body = `{"schemas":["${USER_SCHEMA}"],"userName":"deep@example.com","nickName":${nestedArrays(5000)}}`;
      const res = await asAdmin(api().post('/scim2/Users')).set('Content-Type', 'application/scim+json').send(body);
      expect(expectClear400(res, 'invalidSyntax')).toContain(`the limit is ${MAX_JSON_DEPTH} levels`);
    });

    it('refuses Bulk data 10,000 levels deep with 400 invalidSyntax', async () => {
      const data = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      const body = `{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"x","data":${data}}]}`;
      const res = await asAdmin(api().post('/scim2/Bulk')).set('Content-Type', 'application/scim+json').send(body);
      expect(expectClear400(res, 'invalidSyntax')).toContain(`${MAX_JSON_DEPTH}`);
    });

    it('refuses deep PATCH, PUT and .search bodies the same way', async () => {
      const deep = nestedArrays(MAX_JSON_DEPTH + 1);
      const patch = `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"nickName","value":${deep}}]}`;
      expectClear400(await asAdmin(api().patch(`/scim2/Users/${babs.id as string}`)).set('Content-Type', 'application/scim+json').send(patch), 'invalidSyntax');
      expectClear400(await asAdmin(api().put(`/scim2/Users/${babs.id as string}`)).set('Content-Type', 'application/json').send(`{"x":${deep}}`), 'invalidSyntax');
      expectClear400(await asAdmin(api().post('/scim2/.search')).set('Content-Type', 'application/json').send(deep), 'invalidSyntax');
    });

    it('reads a body at the depth limit (it may then fail validation, for another reason)', async () => {
      const atLimit = `{"schemas":["${USER_SCHEMA}"],"userName":"at.limit@example.com","nickName":${nestedArrays(MAX_JSON_DEPTH - 1)}}`;
      const res = await asAdmin(api().post('/scim2/Users')).set('Content-Type', 'application/scim+json').send(atLimit);
      expect(res.status).toBe(400);
      expect(res.body.detail).not.toMatch(/levels deep/);
    });

    it('caps the admin API bodies too (WSO2 error body naming the limit)', async () => {
      const res = await asAdmin(api().post('/api/server/v1/identity-providers')).set('Content-Type', 'application/json').send(`{"name":${nestedArrays(5000)}}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(`the limit is ${MAX_JSON_DEPTH} levels`);
      expect(res.body.message).not.toMatch(ENGINE);
    });
  });

  describe('library errors get a fixed message, never the library\'s', () => {
    it('413: "Request body is larger than the limit"', async () => {
      const res = await asAdmin(api().post('/scim2/Users')).set('Content-Type', 'application/scim+json').send(`{"userName":"${'x'.repeat(3 * 1024 * 1024)}"}`);
      expectScimError(res, 413);
      expect(res.body.detail).toMatch(/^Request body is larger than the limit/);
      const admin = await asAdmin(api().post('/api/server/v1/identity-providers')).set('Content-Type', 'application/json').send(`{"name":"${'x'.repeat(2 * 1024 * 1024)}"}`);
      expect(admin.status).toBe(413);
      expect(admin.body.message).toMatch(/^Request body is larger than the limit/);
    });

    it('415: an unsupported charset or content encoding', async () => {
      const charset = await asAdmin(api().post('/scim2/Users')).set('Content-Type', 'application/scim+json; charset=no-such-charset').send('{}');
      expectScimError(charset, 415);
      expect(charset.body.detail).toBe('Request body encoding or character set is not supported');
      const encoding = await asAdmin(api().post('/scim2/Users')).set('Content-Type', 'application/scim+json').set('Content-Encoding', 'no-such-encoding').send('{}');
      expectScimError(encoding, 415);
      expect(encoding.body.detail).toBe('Request body encoding or character set is not supported');
    });

    it('400: a path parameter that cannot be decoded', async () => {
      const res = await asAdmin(api().get('/scim2/Users/%E0%A4%A'));
      expectScimError(res, 400);
      expect(res.body.detail).toBe('The request URL could not be decoded');
    });

    it('SCIM 1.1 answers library errors with the same fixed messages', async () => {
      const res = await asAdmin(api().post('/wso2/scim/Users')).set('Content-Type', 'application/json').set('Content-Encoding', 'no-such-encoding').send('{}');
      expect(res.status).toBe(415);
      expect(JSON.stringify(res.body)).toContain('Request body encoding or character set is not supported');
      const deep = await asAdmin(api().post('/wso2/scim/Users')).set('Content-Type', 'application/json').send(`{"userName":${nestedArrays(5000)}}`);
      expect(deep.status).toBe(400);
      expect(JSON.stringify(deep.body)).toContain(`the limit is ${MAX_JSON_DEPTH} levels`);
    });
  });

  describe('client values in SCIM messages are bounded by echo()', () => {
    it.each([
      ['sortBy', () => asAdmin(api().get('/scim2/Users')).query({ sortBy: 'x'.repeat(5000) }), 'invalidValue'],
      ['sortOrder', () => asAdmin(api().get('/scim2/Users')).query({ sortBy: 'userName', sortOrder: 'x'.repeat(5000) }), 'invalidValue'],
      ['unknown attribute', () => asAdmin(api().post('/scim2/Users')).send(scimUser('echo@example.com', { ['x'.repeat(5000)]: 1 })), 'invalidSyntax'],
      ['PATCH path', () => asAdmin(api().patch(`/scim2/Users/${babs.id as string}`)).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'x'.repeat(5000), value: 1 }] }), 'invalidPath'],
    ])('%s', async (_label, send, scimType) => {
      expect(expectClear400(await send(), scimType)).toMatch(/… \(\d+ characters\)/);
    });

    it('unknown ids in discovery', async () => {
      const res = await asAdmin(api().get(`/scim2/Schemas/${'x'.repeat(5000)}`));
      expectScimError(res, 404);
      expect(res.body.detail.length).toBeLessThan(400);
    });
  });

  describe('SCIM interop (RFC 7643/7644)', () => {
    it('Group members.display is readOnly in /Schemas, and a client\'s display is ignored on POST, PUT and PATCH', async () => {
      const schema = await asAdmin(api().get(`/scim2/Schemas/${GROUP_SCHEMA}`));
      const members = (schema.body.attributes as Json[]).find((a) => a.name === 'members') as { subAttributes: Json[] };
      expect(members.subAttributes.find((s) => s.name === 'display')).toMatchObject({ mutability: 'readOnly' });

      const member = (display: string) => ({ value: babs.id, display });
      const created = await asAdmin(api().post('/scim2/Groups')).send({ schemas: [GROUP_SCHEMA], displayName: 'Display Readers', members: [member('Somebody Else')] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id as string;
      const shown = [{ value: babs.id, display: babs.userName, type: 'User', $ref: `${scim.url}/scim2/Users/${babs.id as string}` }];
      expect(created.body.members).toEqual(shown);
      const put = await asAdmin(api().put(`/scim2/Groups/${id}`)).send({ schemas: [GROUP_SCHEMA], displayName: 'Display Readers', members: [member('Renamed')] });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body.members).toEqual(shown);
      for (const operation of [
        { op: 'add', path: 'members', value: [member('Renamed Again')] },
        { op: 'replace', path: `members[value eq "${babs.id as string}"].display`, value: 'Renamed' },
        { op: 'remove', path: 'members', value: [member('Not The Name')] },
      ]) {
        const patched = await asAdmin(api().patch(`/scim2/Groups/${id}`)).send({ schemas: [PATCH_OP], Operations: [operation] });
        expect(patched.status, JSON.stringify(patched.body)).toBe(200);
        if (operation.op !== 'remove') expect(patched.body.members, JSON.stringify(operation)).toEqual(shown);
        else expect(patched.body.members).toBeUndefined();
      }
      await asAdmin(api().delete(`/scim2/Groups/${id}`)).expect(204);
    });

    it.each([
      ['an unknown sub-attribute', { op: 'add', path: 'name', value: { bogus: 'x' } }],
      ['a value object with an unknown key', { op: 'add', value: { bogus: 'x' } }],
      ['an unknown sub-attribute in a path-less value', { op: 'replace', value: { name: { bogus: 'x' } } }],
      ['an unknown sub-attribute of a multi-valued value', { op: 'add', path: 'emails', value: [{ value: 'a@example.com', bogus: 'x' }] }],
      ['an unknown extension attribute', { op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', value: { bogus: 'x' } }],
    ])('PATCH with %s in its value is 400 invalidSyntax', async (_label, operation) => {
      const res = await asAdmin(api().patch(`/scim2/Users/${babs.id as string}`)).send({ schemas: [PATCH_OP], Operations: [operation] });
      expectClear400(res, 'invalidSyntax');
    });

    it('PATCH keeps invalidPath for a bad path', async () => {
      const res = await asAdmin(api().patch(`/scim2/Users/${babs.id as string}`)).send({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'name.bogus', value: 'x' }] });
      expectClear400(res, 'invalidPath');
    });

    const discovery = ['/ServiceProviderConfig', '/Schemas', `/Schemas/${GROUP_SCHEMA}`, '/ResourceTypes', '/ResourceTypes/User'];
    const methods = ['post', 'put', 'patch', 'delete'] as const;
    it.each(discovery.flatMap((path) => methods.map((method) => [method.toUpperCase(), path, method] as const)))('%s %s is 405 with Allow: GET', async (_label, path, method) => {
      for (const base of ['/scim2', '/wso2/scim2']) {
        const res = await asAdmin(api()[method](`${base}${path}`)).send({ schemas: [SEARCH_REQUEST] });
        expectScimError(res, 405);
        expect(res.headers.allow).toBe('GET');
      }
    });

    it('GET and HEAD on the discovery endpoints still answer 200', async () => {
      for (const path of discovery) {
        expect((await asAdmin(api().get(`/scim2${path}`))).status).toBe(200);
        expect((await asAdmin(api().head(`/scim2${path}`))).status).toBe(200);
      }
    });
  });
});
