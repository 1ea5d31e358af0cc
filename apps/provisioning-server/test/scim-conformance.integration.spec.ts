import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, ENTERPRISE_SCHEMA, expectScimError, GROUP_SCHEMA, PATCH_OP, readSample, scimUser, startScimServer, USER_SCHEMA } from './support/scim-harness';
import type { SampleIndex, ScimServer } from './support/scim-harness';

type Json = Record<string, unknown>;
type Member = { value: string; type?: string; display?: string; $ref?: string };

const RFC_BABS = '2819c223';
const RFC_JAMES = '08e1d05d';
const FULL_USER = 'rfc7643-8.2-full-user.json';

/** What a client may expect back from a POSTed sample: no password, and no readOnly input (id, meta, groups, manager.displayName). */
function expectedFromSample(sample: Json): Json {
  const { id: _id, meta: _meta, password: _password, groups: _groups, ...rest } = sample;
  const extension = rest[ENTERPRISE_SCHEMA] as Json | undefined;
  if (extension?.manager) {
    const { displayName: _display, ...manager } = extension.manager as Json;
    rest[ENTERPRISE_SCHEMA] = { ...extension, manager };
  }
  return rest;
}

function withoutServerAttributes(resource: Json): Json {
  const { id: _id, meta: _meta, ...rest } = resource;
  return rest;
}

const sortMembers = (members: Member[] | undefined) => [...(members ?? [])].sort((a, b) => a.value.localeCompare(b.value));

/** RFC 7643/7644 behaviour of the SCIM 2.0 service, through HTTP, on the RFC's own examples. */
describe('SCIM 2.0 conformance over HTTP', () => {
  let scim: ScimServer;
  const api = () => request(scim.url);

  beforeAll(async () => {
    scim = await startScimServer('scim-conformance-');
  });
  afterAll(async () => {
    await scim?.close();
  });

  async function createUser(body: Json): Promise<Json> {
    const res = await asAdmin(api().post('/scim2/Users')).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as Json;
  }

  describe('RFC 7643 section 8 example resources round-trip (POST, then GET)', () => {
    it.each(['rfc7643-8.1-minimal-user.json', FULL_USER, 'rfc7643-8.3-enterprise-user.json'])('%s', async (file) => {
      const sample = readSample(file);
      const created = await asAdmin(api().post('/scim2/Users')).send(sample);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id as string;
      expect(id).not.toBe(sample.id);
      expect(created.headers.location).toBe(`${scim.url}/scim2/Users/${id}`);
      expect(created.headers.etag).toBe(created.body.meta.version);
      expect(created.body.meta).toEqual({
        resourceType: 'User',
        created: expect.any(String),
        lastModified: expect.any(String),
        location: created.headers.location,
        version: expect.stringMatching(/^W\/".+"$/),
      });
      expect(created.body.meta.created).not.toBe((sample.meta as Json).created);
      expect(JSON.stringify(created.body)).not.toContain('t1meMa$heen');

      const got = await asAdmin(api().get(`/scim2/Users/${id}`));
      expect(got.status).toBe(200);
      expect(got.body).toEqual(created.body);
      expect(withoutServerAttributes(got.body)).toEqual(expectedFromSample(sample));
      await asAdmin(api().delete(`/scim2/Users/${id}`)).expect(204);
    });

    it('rfc7643-8.4-group.json, its members replaced by real users', async () => {
      const babs = await createUser(readSample('rfc7643-8.1-minimal-user.json'));
      const mandy = await createUser(scimUser('mandy@example.com', { displayName: 'Mandy Pepperidge' }));
      const sample = readSample('rfc7643-8.4-group.json');
      const [first, second] = sample.members as Member[];
      const body = {
        ...sample,
        members: [
          { ...first, value: babs.id, $ref: `${scim.url}/scim2/Users/${babs.id}` },
          { ...second, value: mandy.id, $ref: `${scim.url}/scim2/Users/${mandy.id}` },
        ],
      };
      const created = await asAdmin(api().post('/scim2/Groups')).send(body);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id as string;
      expect(created.headers.location).toBe(`${scim.url}/scim2/Groups/${id}`);
      const got = await asAdmin(api().get(`/scim2/Groups/${id}`));
      expect(got.status).toBe(200);
      expect(got.body).toEqual(created.body);
      expect(got.body.schemas).toEqual([GROUP_SCHEMA]);
      expect(got.body.displayName).toBe('Tour Guides');
      expect(got.body.meta).toMatchObject({ resourceType: 'Group', location: created.headers.location });
      // display is the member's userName (readOnly, the server's own); type and $ref are the server's.
      expect(sortMembers(got.body.members)).toEqual(
        sortMembers([
          { value: babs.id as string, type: 'User', $ref: `${scim.url}/scim2/Users/${babs.id}`, display: 'bjensen@example.com' },
          { value: mandy.id as string, type: 'User', $ref: `${scim.url}/scim2/Users/${mandy.id}`, display: 'mandy@example.com' },
        ]),
      );
      // The users now show the group (readOnly `groups`).
      const member = await asAdmin(api().get(`/scim2/Users/${babs.id}`));
      expect(member.body.groups).toEqual([{ value: id, display: 'Tour Guides', type: 'direct', $ref: `${scim.url}/scim2/Groups/${id}` }]);
      await asAdmin(api().delete(`/scim2/Groups/${id}`)).expect(204);
      await asAdmin(api().delete(`/scim2/Users/${babs.id}`)).expect(204);
      await asAdmin(api().delete(`/scim2/Users/${mandy.id}`)).expect(204);
    });
  });

  describe('RFC 7644 3.5.2 PATCH samples applied through HTTP', () => {
    interface Context {
      babs: string;
      james: string;
      mandy: string;
      userId: (suffix: string) => Promise<string>;
      groupOf: (name: string, members: string[]) => Promise<string>;
    }
    interface Scenario {
      target: (ctx: Context, name: string) => Promise<{ path: string }>;
      verify: (resource: Json, ctx: Context) => void;
    }
    const ctx = {} as Context;
    let counter = 0;

    beforeAll(async () => {
      const babs = await createUser({ ...readSample('rfc7643-8.1-minimal-user.json'), userName: 'patch.babs@example.com' });
      const james = await createUser(scimUser('james@example.com'));
      const mandy = await createUser(scimUser('mandy.patch@example.com'));
      Object.assign(ctx, {
        babs: babs.id,
        james: james.id,
        mandy: mandy.id,
        // A fresh copy of the RFC full user (the target of the User samples), under its own userName.
        userId: async (suffix: string) => {
          const { groups: _groups, ...full } = readSample(FULL_USER);
          return (await createUser({ ...full, userName: `bjensen.${suffix}@example.com`, nickName: undefined })).id as string;
        },
        groupOf: async (name: string, members: string[]) => {
          const res = await asAdmin(api().post('/scim2/Groups')).send({ schemas: [GROUP_SCHEMA], displayName: name, members: members.map((value) => ({ value })) });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          return res.body.id as string;
        },
      });
    });

    /** The RFC abbreviates ids ("2819c223...413861904646"): each becomes the id of a real user, and example.com references ours. */
    function adapt(sample: Json): Json {
      const text = JSON.stringify(sample)
        .replace(new RegExp(`${RFC_BABS}[0-9a-f.-]*`, 'g'), ctx.babs)
        .replace(new RegExp(`${RFC_JAMES}[0-9a-f.-]*`, 'g'), ctx.james)
        .replaceAll('https://example.com/v2/', `${scim.url}/scim2/`);
      return JSON.parse(text) as Json;
    }

    const memberIds = (resource: Json) => ((resource.members as Member[] | undefined) ?? []).map((m) => m.value).sort();
    const user = (): Scenario['target'] => async (c, name) => ({ path: `/scim2/Users/${await c.userId(name)}` });
    const group = (members: (c: Context) => string[]): Scenario['target'] => async (c, name) => ({ path: `/scim2/Groups/${await c.groupOf(name, members(c))}` });
    const fullUser = readSample(FULL_USER);
    const fullAddresses = fullUser.addresses as Json[];

    const scenarios: Record<string, Scenario> = {
      'rfc7644-3.5.2.1-add-member-to-group.json': {
        target: group((c) => [c.mandy]),
        verify: (r, c) => expect(memberIds(r)).toEqual([c.babs, c.mandy].sort()),
      },
      'rfc7644-3.5.2.1-add-attributes-no-path.json': {
        // The full user without its home email and nickName: both are added ("nickname" in any case).
        target: async (c, name) => {
          const id = await c.userId(name);
          const res = await asAdmin(api().patch(`/scim2/Users/${id}`)).send({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'emails[type eq "home"]' }] });
          expect(res.body.emails).toHaveLength(1);
          return { path: `/scim2/Users/${id}` };
        },
        verify: (r) => {
          expect(r.nickName).toBe('Babs');
          expect(r).not.toHaveProperty('nickname');
          expect(r.emails).toEqual([
            { value: 'bjensen@example.com', type: 'work', primary: true },
            { value: 'babs@jensen.org', type: 'home' },
          ]);
        },
      },
      'rfc7644-3.5.2.2-remove-single-member.json': {
        target: group((c) => [c.babs, c.mandy]),
        verify: (r, c) => expect(memberIds(r)).toEqual([c.mandy]),
      },
      'rfc7644-3.5.2.2-remove-all-members.json': {
        target: group((c) => [c.babs, c.mandy]),
        verify: (r) => expect(r).not.toHaveProperty('members'),
      },
      'rfc7644-3.5.2.2-remove-complex-multivalued-filter.json': {
        target: user(),
        verify: (r) => expect(r.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]),
      },
      'rfc7644-3.5.2.2-remove-and-add-member.json': {
        target: group((c) => [c.babs, c.mandy]),
        verify: (r, c) => expect(memberIds(r)).toEqual([c.james, c.mandy].sort()),
      },
      'rfc7644-3.5.2.2-replace-members-remove-then-add.json': {
        target: group((c) => [c.mandy]),
        verify: (r, c) => expect(memberIds(r)).toEqual([c.babs, c.james].sort()),
      },
      'rfc7644-3.5.2.3-replace-all-members.json': {
        target: group((c) => [c.mandy]),
        verify: (r, c) => expect(memberIds(r)).toEqual([c.babs, c.james].sort()),
      },
      'rfc7644-3.5.2.3-replace-attributes-no-path.json': {
        target: user(),
        verify: (r) => {
          expect(r.nickName).toBe('Babs');
          expect(r.emails).toEqual([
            { value: 'bjensen@example.com', type: 'work', primary: true },
            { value: 'babs@jensen.org', type: 'home' },
          ]);
        },
      },
      'rfc7644-3.5.2.3-replace-subattribute-valuepath.json': {
        target: user(),
        verify: (r) => expect(r.addresses).toEqual([{ ...fullAddresses[0], streetAddress: '1010 Broadway Ave' }, fullAddresses[1]]),
      },
      'rfc7644-3.5.2.3-replace-work-address-valuepath.json': {
        target: user(),
        verify: (r) => {
          const addresses = r.addresses as Json[];
          expect(addresses).toHaveLength(2);
          expect(addresses.find((a) => a.type === 'work')).toEqual({
            type: 'work',
            streetAddress: '911 Universal City Plaza',
            locality: 'Hollywood',
            region: 'CA',
            postalCode: '91608',
            country: 'US',
            formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
            primary: true,
          });
          expect(addresses.find((a) => a.type === 'home')).toEqual(fullAddresses[1]);
        },
      },
    };

    it('has a scenario for every PATCH sample in INDEX.json', () => {
      const files = readSample<SampleIndex>('INDEX.json').rfc7644_patch.map((s) => s.file);
      expect(Object.keys(scenarios).sort()).toEqual([...files].sort());
    });

    it.each(Object.keys(scenarios))('%s', async (file) => {
      const scenario = scenarios[file]!;
      counter += 1;
      const { path } = await scenario.target(ctx, `sample${counter}`);
      const before = await asAdmin(api().get(path));
      const res = await asAdmin(api().patch(path)).set('If-Match', before.headers.etag!).send(adapt(readSample(file)));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      scenario.verify(res.body as Json, ctx);
      expect(res.body.meta.version).not.toBe(before.body.meta.version);
      const after = await asAdmin(api().get(path));
      expect(after.body).toEqual(res.body);
    });
  });

  describe('ETags (RFC 7644 3.14)', () => {
    it('answers If-None-Match with 304 and a stale If-Match with 412 on PUT, PATCH and DELETE', async () => {
      const user = await createUser(scimUser('etag@example.com', { title: 'v1' }));
      const path = `/scim2/Users/${user.id}`;
      const first = await asAdmin(api().get(path));
      const etag = first.headers.etag!;
      expect(etag).toMatch(/^W\/".+"$/);
      const notModified = await asAdmin(api().get(path)).set('If-None-Match', etag);
      expect(notModified.status).toBe(304);
      expect(notModified.headers.etag).toBe(etag);
      expect(notModified.text).toBe('');
      await asAdmin(api().get(path)).set('If-None-Match', 'W/"other", ' + etag).expect(304);
      await asAdmin(api().get(path)).set('If-None-Match', 'W/"other"').expect(200);

      const patched = await asAdmin(api().patch(path)).set('If-Match', etag).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'v2' }] });
      expect(patched.status).toBe(200);
      const current = patched.headers.etag!;
      expect(current).not.toBe(etag);
      await asAdmin(api().get(path)).set('If-None-Match', etag).expect(200);

      expectScimError(await asAdmin(api().put(path)).set('If-Match', etag).send(scimUser('etag@example.com', { title: 'v3' })), 412);
      expectScimError(await asAdmin(api().patch(path)).set('If-Match', etag).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'v3' }] }), 412);
      expectScimError(await asAdmin(api().delete(path)).set('If-Match', etag), 412);
      expect((await asAdmin(api().get(path))).body.title).toBe('v2');

      await asAdmin(api().put(path)).set('If-Match', current).send(scimUser('etag@example.com', { title: 'v3' })).expect(200);
      await asAdmin(api().delete(path)).set('If-Match', '*').expect(204);
    });

    it('keeps the version and lastModified of a Group when a PATCH changes nothing (RFC 7644 3.5.2.1)', async () => {
      const member = await createUser(scimUser('noop.member@example.com'));
      const created = await asAdmin(api().post('/scim2/Groups')).send({ schemas: [GROUP_SCHEMA], displayName: 'Unchanged', members: [{ value: member.id }] });
      const path = `/scim2/Groups/${created.body.id}`;
      const again = await asAdmin(api().patch(path))
        .set('If-Match', created.headers.etag!)
        .send({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: member.id }] }, { op: 'replace', path: 'displayName', value: 'Unchanged' }] });
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      expect(again.headers.etag).toBe(created.headers.etag);
      expect(again.body.meta).toEqual(created.body.meta);
      expect(again.body.members).toEqual(created.body.members);
      const changed = await asAdmin(api().patch(path)).send({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] });
      expect(changed.headers.etag).not.toBe(created.headers.etag);
    });

    it('versions Groups the same way', async () => {
      const res = await asAdmin(api().post('/scim2/Groups')).send({ schemas: [GROUP_SCHEMA], displayName: 'Versioned' });
      const path = `/scim2/Groups/${res.body.id}`;
      await asAdmin(api().get(path)).set('If-None-Match', res.headers.etag!).expect(304);
      await asAdmin(api().put(path)).set('If-Match', res.headers.etag!).send({ schemas: [GROUP_SCHEMA], displayName: 'Versioned 2' }).expect(200);
      expectScimError(await asAdmin(api().patch(path)).set('If-Match', res.headers.etag!).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }), 412);
      await asAdmin(api().delete(path)).expect(204);
    });
  });

  describe('uniqueness and mutability', () => {
    it('refuses a duplicate userName (case-insensitively) with 409 uniqueness, on create and on rename', async () => {
      const first = await createUser(scimUser('unique@example.com'));
      expectScimError(await asAdmin(api().post('/scim2/Users')).send(scimUser('unique@example.com')), 409, 'uniqueness');
      expectScimError(await asAdmin(api().post('/scim2/Users')).send(scimUser('UNIQUE@example.com')), 409, 'uniqueness');
      const other = await createUser(scimUser('other.unique@example.com'));
      expectScimError(await asAdmin(api().put(`/scim2/Users/${other.id}`)).send(scimUser('unique@example.com')), 409, 'uniqueness');
      expectScimError(
        await asAdmin(api().patch(`/scim2/Users/${other.id}`)).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'Unique@Example.com' }] }),
        409,
        'uniqueness',
      );
      expect((await asAdmin(api().get(`/scim2/Users/${first.id}`))).status).toBe(200);
    });

    it('ignores readOnly attributes on PUT (id, meta, groups) and refuses to PATCH them (mutability)', async () => {
      const user = await createUser(scimUser('mutable@example.com', { title: 'before' }));
      const path = `/scim2/Users/${user.id}`;
      const put = await asAdmin(api().put(path)).send({
        ...scimUser('mutable@example.com', { title: 'after' }),
        id: 'another-id',
        meta: { created: '2001-01-01T00:00:00Z', version: 'W/"99"' },
        groups: [{ value: 'g1', display: 'Injected' }],
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body.id).toBe(user.id);
      expect(put.body.title).toBe('after');
      expect(put.body.meta.created).toBe((user.meta as Json).created);
      expect(put.body).not.toHaveProperty('groups');
      await asAdmin(api().get('/scim2/Users/another-id')).expect(404);

      for (const operation of [
        { op: 'replace', path: 'id', value: 'another-id' },
        { op: 'replace', path: 'meta.created', value: '2001-01-01T00:00:00Z' },
        { op: 'add', path: 'groups', value: [{ value: 'g1' }] },
      ]) {
        expectScimError(await asAdmin(api().patch(path)).send({ schemas: [PATCH_OP], Operations: [operation] }), 400, 'mutability');
      }
      expect((await asAdmin(api().get(path))).body.id).toBe(user.id);
    });

    it('refuses a Group member that is not a user or group of the tenant, and a group inside itself', async () => {
      expectScimError(await asAdmin(api().post('/scim2/Groups')).send({ schemas: [GROUP_SCHEMA], displayName: 'Ghosts', members: [{ value: 'no-such-id' }] }), 400, 'invalidValue');
      const res = await asAdmin(api().post('/scim2/Groups')).send({ schemas: [GROUP_SCHEMA], displayName: 'Selfish' });
      expectScimError(
        await asAdmin(api().patch(`/scim2/Groups/${res.body.id}`)).send({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: res.body.id }] }] }),
        400,
        'invalidValue',
      );
    });
  });

  describe('passwords and /Me', () => {
    it('never returns a password, not even when asked for it', async () => {
      const created = await asAdmin(api().post('/scim2/Users')).query({ attributes: 'password,userName' }).send(scimUser('secret@example.com', { password: 'S3cret-pass' }));
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ schemas: [USER_SCHEMA], id: created.body.id, userName: 'secret@example.com' });
      const path = `/scim2/Users/${created.body.id}`;
      for (const res of [
        await asAdmin(api().get(path)),
        await asAdmin(api().get(path)).query({ attributes: 'password' }),
        await asAdmin(api().get('/scim2/Users')).query({ attributes: 'password' }),
        await asAdmin(api().post('/scim2/Users/.search')).send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], attributes: ['password'] }),
        await asAdmin(api().patch(path)).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: 'N3w-pass' }] }),
        await asAdmin(api().put(path)).send(scimUser('secret@example.com', { password: 'N3w-pass2' })),
      ]) {
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(JSON.stringify(res.body)).not.toMatch(/password|S3cret|N3w-pass/i);
      }
      expectScimError(await asAdmin(api().get('/scim2/Users')).query({ filter: 'password eq "N3w-pass2"' }), 400, 'invalidFilter');
      // The new password works, the old one does not.
      await api().get('/scim2/Me').auth('secret@example.com', 'N3w-pass2').expect(200);
      await api().get('/scim2/Me').auth('secret@example.com', 'S3cret-pass').expect(401);
    });

    it('serves /Me to a user without the admin role, who gets 403 on /Users, /Groups, /Bulk and /.search', async () => {
      const created = await createUser(scimUser('me@example.com', { password: 'Me-pass1', name: { familyName: 'Self' } }));
      const asMe = (test: request.Test) => test.auth('me@example.com', 'Me-pass1');
      const me = await asMe(api().get('/scim2/Me'));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: created.id, userName: 'me@example.com', name: { familyName: 'Self' }, meta: { resourceType: 'User', location: `${scim.url}/scim2/Users/${created.id}` } });
      expect(JSON.stringify(me.body)).not.toContain('Me-pass1');
      await asMe(api().get('/scim2/Me')).set('If-None-Match', me.headers.etag!).expect(304);
      const patched = await asMe(api().patch('/scim2/Me')).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nickName', value: 'Myself' }] });
      expect(patched.status).toBe(200);
      expect(patched.body.nickName).toBe('Myself');

      expectScimError(await asMe(api().get('/scim2/Users')), 403);
      expectScimError(await asMe(api().get(`/scim2/Users/${created.id}`)), 403);
      expectScimError(await asMe(api().get('/scim2/Groups')), 403);
      expectScimError(await asMe(api().post('/scim2/Bulk')).send({}), 403);
      expectScimError(await asMe(api().post('/scim2/.search')).send({}), 403);
      expectScimError(await api().get('/scim2/Me'), 401);
      // Discovery needs authentication, not the admin role.
      await asMe(api().get('/scim2/ServiceProviderConfig')).expect(200);
    });
  });

  describe('discovery (RFC 7644 section 4)', () => {
    it('/ServiceProviderConfig advertises what the server does', async () => {
      const res = await asAdmin(api().get('/scim2/ServiceProviderConfig'));
      expect(res.status).toBe(200);
      expect(res.type).toBe('application/scim+json');
      expect(res.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
        patch: { supported: true },
        bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 },
        filter: { supported: true, maxResults: 1000 },
        changePassword: { supported: expect.any(Boolean) },
        sort: { supported: true },
        etag: { supported: true },
      });
      expect(res.body.authenticationSchemes.map((s: { type: string }) => s.type)).toContain('httpbasic');
    });

    it('/Schemas lists User, Group and the enterprise extension; /Schemas/{id} returns one; unknown is 404', async () => {
      const res = await asAdmin(api().get('/scim2/Schemas'));
      expect(res.status).toBe(200);
      expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      const ids = res.body.Resources.map((s: { id: string }) => s.id);
      expect(ids).toEqual(expect.arrayContaining([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_SCHEMA]));
      expect(res.body.totalResults).toBe(res.body.Resources.length);
      const user = await asAdmin(api().get(`/scim2/Schemas/${USER_SCHEMA}`));
      expect(user.status).toBe(200);
      expect(user.body).toMatchObject({ id: USER_SCHEMA, name: 'User', meta: { resourceType: 'Schema', location: `${scim.url}/scim2/Schemas/${USER_SCHEMA}` } });
      const userName = user.body.attributes.find((a: { name: string }) => a.name === 'userName');
      expect(userName).toMatchObject({ type: 'string', required: true, uniqueness: 'server', caseExact: false });
      const password = user.body.attributes.find((a: { name: string }) => a.name === 'password');
      expect(password).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
      expectScimError(await asAdmin(api().get('/scim2/Schemas/urn:nope')), 404);
    });

    it('/ResourceTypes lists User (with the enterprise extension) and Group; /ResourceTypes/{id} returns one', async () => {
      const res = await asAdmin(api().get('/scim2/ResourceTypes'));
      expect(res.status).toBe(200);
      const byName = Object.fromEntries(res.body.Resources.map((r: { name: string }) => [r.name, r]));
      expect(byName.User).toMatchObject({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
        id: 'User',
        endpoint: '/Users',
        schema: USER_SCHEMA,
        schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
      });
      expect(byName.Group).toMatchObject({ id: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA });
      const group = await asAdmin(api().get('/scim2/ResourceTypes/Group'));
      expect(group.status).toBe(200);
      expect(group.body).toMatchObject({ id: 'Group', meta: { resourceType: 'ResourceType', location: `${scim.url}/scim2/ResourceTypes/Group` } });
      expectScimError(await asAdmin(api().get('/scim2/ResourceTypes/Printer')), 404);
    });
  });
});
