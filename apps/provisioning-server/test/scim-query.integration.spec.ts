import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, ENTERPRISE_SCHEMA, expectScimError, GROUP_SCHEMA, scimUser, SEARCH_REQUEST, startScimServer, USER_SCHEMA } from './support/scim-harness';
import type { ScimServer } from './support/scim-harness';

const EMPLOYEE_NUMBER = `${ENTERPRISE_SCHEMA}:employeeNumber`;
const ADMIN = 'admin@wso2.com';
const ALICE = 'alice@example.com';
const BOB = 'bob@example.org';
const CAROL = 'carol@example.com';
const DAVE = 'dave@wso2.com';

/** The data set every query below runs on (plus the super admin, who has only a userName). */
const PEOPLE = [
  scimUser(ALICE, {
    name: { givenName: 'Alice', familyName: 'Adams' },
    title: 'Engineer',
    userType: 'Employee',
    active: true,
    emails: [
      { value: ALICE, type: 'work', primary: true },
      { value: 'alice@home.org', type: 'home' },
    ],
    [ENTERPRISE_SCHEMA]: { employeeNumber: '100', department: 'R&D' },
  }),
  scimUser(BOB, {
    name: { givenName: 'Bob', familyName: 'Brown' },
    title: 'Lead',
    active: false,
    emails: [{ value: BOB, type: 'work' }],
    [ENTERPRISE_SCHEMA]: { employeeNumber: '200' },
  }),
  scimUser(CAROL, {
    name: { givenName: 'Carol', familyName: 'Clark' },
    nickName: 'Caz',
    active: true,
    emails: [{ value: CAROL, type: 'home' }],
    [ENTERPRISE_SCHEMA]: { employeeNumber: '300', department: 'Sales' },
  }),
  scimUser(DAVE, {
    name: { givenName: 'Dave', familyName: 'Adams' },
    title: 'Engineer',
    emails: [
      { value: DAVE, type: 'work' },
      { value: 'dave@example.com', type: 'other' },
    ],
  }),
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const names = (body: { Resources: Array<{ userName?: string }> }) => body.Resources.map((r) => r.userName);

/** RFC 7644 3.4: filters, sorting, paging, attribute projection and /.search through HTTP. */
describe('SCIM 2.0 queries over HTTP', () => {
  let scim: ScimServer;
  const api = () => request(scim.url);
  const ids = new Map<string, string>();
  let beforeBobChanged = '';
  let groupId = '';

  beforeAll(async () => {
    scim = await startScimServer('scim-query-');
    for (const person of PEOPLE) {
      const res = await asAdmin(api().post('/scim2/Users')).send(person);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.set(person.userName as string, res.body.id as string);
      await sleep(5);
    }
    // Membership changes touch the members (their `groups` changed): before the timestamp.
    const group = await asAdmin(api().post('/scim2/Groups')).send({ schemas: [GROUP_SCHEMA], displayName: 'Engineers', members: [{ value: ids.get(ALICE) }, { value: ids.get(DAVE) }] });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    groupId = group.body.id as string;
    await sleep(20);
    beforeBobChanged = new Date().toISOString();
    await sleep(20);
    const patched = await asAdmin(api().patch(`/scim2/Users/${ids.get(BOB)}`)).send({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'Manager' }, { op: 'add', path: 'nickName', value: 'Bobby' }, { op: 'remove', path: 'nickName' }],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  });
  afterAll(async () => {
    await scim?.close();
  });

  const list = (query: Record<string, string | number>) => asAdmin(api().get('/scim2/Users')).query(query);

  describe('filter', () => {
    const table: Array<[string, string[]]> = [
      ['userName eq "alice@example.com"', [ALICE]],
      ['userName eq "ALICE@Example.COM"', [ALICE]],
      ['userName Eq "bob@example.org"', [BOB]],
      ['userName ne "alice@example.com"', [ADMIN, BOB, CAROL, DAVE]],
      ['name.familyName co "a"', [ALICE, CAROL, DAVE]],
      ['userName sw "B"', [BOB]],
      ['userName ew "example.com"', [ALICE, CAROL]],
      ['title pr', [ALICE, BOB, DAVE]],
      ['nickName pr', [CAROL]],
      [`${EMPLOYEE_NUMBER} gt "100"`, [BOB, CAROL]],
      [`${EMPLOYEE_NUMBER} ge "200"`, [BOB, CAROL]],
      [`${EMPLOYEE_NUMBER} lt "200"`, [ALICE]],
      [`${EMPLOYEE_NUMBER} le "200"`, [ALICE, BOB]],
      ['name.givenName gt "B" and name.givenName lt "D"', [BOB, CAROL]],
      ['active eq true', [ALICE, CAROL]],
      ['active eq false', [BOB]],
      ['userType eq "employee"', [ALICE]],
      [`${ENTERPRISE_SCHEMA}:department eq "R&D"`, [ALICE]],
      ['title eq "Engineer" and name.givenName sw "A"', [ALICE]],
      ['title eq "Manager" or nickName pr', [BOB, CAROL]],
      // "and" binds tighter than "or" (RFC 7644 3.4.2.2, Table 4).
      ['title eq "Manager" or title eq "Engineer" and name.givenName eq "Dave"', [BOB, DAVE]],
      ['(title eq "Manager" or title eq "Engineer") and name.givenName eq "Dave"', [DAVE]],
      ['not (title pr)', [ADMIN, CAROL]],
      ['not (userName ew "example.com") and name.familyName eq "Adams"', [DAVE]],
      ['userName eq "alice@example.com" or userName eq "bob@example.org"', [ALICE, BOB]],
      ['emails[type eq "work" and value ew "example.com"]', [ALICE]],
      ['emails[type eq "home"]', [ALICE, CAROL]],
      ['emails co "example"', [ALICE, BOB, CAROL, DAVE]],
      ['emails.type eq "other"', [DAVE]],
      ['emails eq "alice@home.org"', [ALICE]],
      ['userName eq "nobody@example.com"', []],
      ['name.familyName eq null', [ADMIN]],
    ];
    it.each(table)('%s', async (filter, expected) => {
      const res = await list({ filter, sortBy: 'userName' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      expect(names(res.body)).toEqual(expected);
      expect(res.body.totalResults).toBe(expected.length);
    });

    it('meta.lastModified gt a date finds the user changed after it; meta.created lt finds all', async () => {
      const changed = await list({ filter: `meta.lastModified gt "${beforeBobChanged}"` });
      expect(names(changed.body)).toEqual([BOB]);
      const created = await list({ filter: `meta.created lt "${beforeBobChanged}"`, sortBy: 'userName' });
      expect(names(created.body)).toEqual([ADMIN, ALICE, BOB, CAROL, DAVE]);
      const byId = await list({ filter: `id eq "${ids.get(CAROL)}"` });
      expect(names(byId.body)).toEqual([CAROL]);
    });

    it('filters Groups by displayName and by a member value path', async () => {
      const byName = await asAdmin(api().get('/scim2/Groups')).query({ filter: 'displayName eq "engineers"' });
      expect(byName.body.Resources.map((g: { id: string }) => g.id)).toEqual([groupId]);
      const byMember = await asAdmin(api().get('/scim2/Groups')).query({ filter: `members[value eq "${ids.get(DAVE)}"]` });
      expect(byMember.body.totalResults).toBe(1);
      const none = await asAdmin(api().get('/scim2/Groups')).query({ filter: `members[value eq "${ids.get(BOB)}"]` });
      expect(none.body.totalResults).toBe(0);
    });

    const invalid = [
      'userName eq',
      'userName xx "a"',
      '(userName eq "a"',
      'userName eq "a" or',
      'userName eq "unterminated',
      'and',
      'userName pr "x"',
      'shoeSize eq 44',
      'name eq "x"',
      'password eq "x"',
      'emails[type eq "work"',
      'emails[type eq "work"].value eq "x"',
      'emails[shoe eq "x"]',
      'userName[value eq "x"]',
      'active gt true',
      'meta.lastModified gt "not a date"',
      'name.familyName gt null',
      '"userName" eq "x"',
      'userName eq "a" and (',
      ')',
    ];
    it.each(invalid)('rejects %j with 400 invalidFilter (never 500), also through /.search', async (filter) => {
      expectScimError(await list({ filter }), 400, 'invalidFilter');
      expectScimError(await asAdmin(api().post('/scim2/Users/.search')).send({ schemas: [SEARCH_REQUEST], filter }), 400, 'invalidFilter');
      expectScimError(await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], filter }), 400, 'invalidFilter');
    });
  });

  describe('sorting and paging', () => {
    it('sorts by userName both ways and by name.familyName with unassigned values last (ascending) / first (descending)', async () => {
      expect(names((await list({ sortBy: 'userName' })).body)).toEqual([ADMIN, ALICE, BOB, CAROL, DAVE]);
      expect(names((await list({ sortBy: 'userName', sortOrder: 'descending' })).body)).toEqual([DAVE, CAROL, BOB, ALICE, ADMIN]);
      const family = (body: { Resources: Array<{ name?: { familyName?: string } }> }) => body.Resources.map((r) => r.name?.familyName ?? null);
      expect(family((await list({ sortBy: 'name.familyName' })).body)).toEqual(['Adams', 'Adams', 'Brown', 'Clark', null]);
      expect(family((await list({ sortBy: 'name.familyName', sortOrder: 'descending' })).body)).toEqual([null, 'Clark', 'Brown', 'Adams', 'Adams']);
      // A multi-valued attribute sorts by its primary (else first) value; meta.created chronologically.
      expect(names((await list({ sortBy: 'emails', filter: 'emails pr' })).body)).toEqual([ALICE, BOB, CAROL, DAVE]);
      expect(names((await list({ sortBy: 'meta.created', filter: 'emails pr' })).body)).toEqual([ALICE, BOB, CAROL, DAVE]);
      expect(names((await list({ sortBy: EMPLOYEE_NUMBER, sortOrder: 'descending', filter: `${EMPLOYEE_NUMBER} pr` })).body)).toEqual([CAROL, BOB, ALICE]);
    });

    it('rejects an unknown sortBy or sortOrder with 400', async () => {
      expectScimError(await list({ sortBy: 'shoeSize' }), 400, 'invalidValue');
      expectScimError(await list({ sortBy: 'userName', sortOrder: 'sideways' }), 400, 'invalidValue');
    });

    it('pages with startIndex (1-based) and count', async () => {
      const page = await list({ sortBy: 'userName', startIndex: 2, count: 2 });
      expect(page.body).toMatchObject({ totalResults: 5, itemsPerPage: 2, startIndex: 2 });
      expect(names(page.body)).toEqual([ALICE, BOB]);
      const last = await list({ sortBy: 'userName', startIndex: 5, count: 2 });
      expect(last.body).toMatchObject({ totalResults: 5, itemsPerPage: 1, startIndex: 5 });
      expect(names(last.body)).toEqual([DAVE]);
      const beyond = await list({ sortBy: 'userName', startIndex: 9 });
      expect(beyond.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, startIndex: 9, Resources: [] });
      const countOnly = await list({ count: 0 });
      expect(countOnly.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
      const belowOne = await list({ sortBy: 'userName', startIndex: 0, count: 1 });
      expect(belowOne.body.startIndex).toBe(1);
      expect(names(belowOne.body)).toEqual([ADMIN]);
      const negative = await list({ count: -3 });
      expect(negative.body).toMatchObject({ totalResults: 5, itemsPerPage: 0 });
      const filtered = await list({ filter: 'title pr', sortBy: 'userName', startIndex: 2, count: 1 });
      expect(filtered.body).toMatchObject({ totalResults: 3, itemsPerPage: 1, startIndex: 2 });
      expect(names(filtered.body)).toEqual([BOB]);
      expectScimError(await list({ count: 'many' }), 400);
    });
  });

  describe('attributes and excludedAttributes', () => {
    it('returns only the named attributes (id and schemas always), sub-attributes and extension attributes included', async () => {
      const res = await list({ filter: `userName eq "${ALICE}"`, attributes: 'userName,name.familyName,emails.value' });
      expect(res.body.Resources).toEqual([
        { schemas: [USER_SCHEMA], id: ids.get(ALICE), userName: ALICE, name: { familyName: 'Adams' }, emails: [{ value: ALICE }, { value: 'alice@home.org' }] },
      ]);
      const extension = await asAdmin(api().get(`/scim2/Users/${ids.get(ALICE)}`)).query({ attributes: EMPLOYEE_NUMBER });
      expect(extension.status).toBe(200);
      expect(extension.body[ENTERPRISE_SCHEMA]).toEqual({ employeeNumber: '100' });
      expect(extension.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE_SCHEMA]);
      expect(extension.body).not.toHaveProperty('userName');
      expect(extension.body).not.toHaveProperty('meta');
    });

    it('leaves out excluded attributes but never id or schemas', async () => {
      const res = await asAdmin(api().get(`/scim2/Users/${ids.get(ALICE)}`)).query({ excludedAttributes: 'emails,meta,name,id,schemas,' + ENTERPRISE_SCHEMA });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['active', 'groups', 'id', 'schemas', 'title', 'userName', 'userType']);
    });

    it('applies attributes on create and on the members of a Group', async () => {
      const created = await asAdmin(api().post('/scim2/Users')).query({ attributes: 'userName' }).send(scimUser('eve@example.com', { title: 'Intern', password: 'evepass1' }));
      expect(created.status).toBe(201);
      expect(Object.keys(created.body).sort()).toEqual(['id', 'schemas', 'userName']);
      const group = await asAdmin(api().get(`/scim2/Groups/${groupId}`)).query({ attributes: 'members.value' });
      expect(group.body).toEqual({ schemas: [GROUP_SCHEMA], id: groupId, members: [{ value: ids.get(ALICE) }, { value: ids.get(DAVE) }].sort((a, b) => a.value!.localeCompare(b.value!)) });
      await asAdmin(api().delete(`/scim2/Users/${created.body.id}`)).expect(204);
    });
  });

  describe('POST /.search', () => {
    it('searches /Users with a SearchRequest (filter, sort, paging, attributes)', async () => {
      const res = await asAdmin(api().post('/scim2/Users/.search')).send({
        schemas: [SEARCH_REQUEST],
        filter: 'userName ew "example.com" or userName ew "example.org"',
        sortBy: 'userName',
        sortOrder: 'descending',
        startIndex: 1,
        count: 2,
        attributes: ['userName'],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ totalResults: 3, itemsPerPage: 2, startIndex: 1 });
      expect(res.body.Resources).toEqual([
        { schemas: expect.any(Array), id: ids.get(CAROL), userName: CAROL },
        { schemas: expect.any(Array), id: ids.get(BOB), userName: BOB },
      ]);
      const excluded = await asAdmin(api().post('/scim2/Users/.search')).send({ schemas: [SEARCH_REQUEST], filter: `userName eq "${DAVE}"`, excludedAttributes: ['emails', 'meta'] });
      expect(excluded.body.Resources[0]).not.toHaveProperty('emails');
      expect(excluded.body.Resources[0]).not.toHaveProperty('meta');
      expect(excluded.body.Resources[0].name).toEqual({ givenName: 'Dave', familyName: 'Adams' });
    });

    it('searches Users and Groups together at the root', async () => {
      const all = await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST] });
      expect(all.status).toBe(200);
      expect(all.body.totalResults).toBe(6);
      expect(all.body.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType).sort()).toEqual(['Group', 'User', 'User', 'User', 'User', 'User']);
      const groups = await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], filter: 'displayName eq "Engineers"' });
      expect(groups.body.Resources.map((r: { id: string }) => r.id)).toEqual([groupId]);
      const users = await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], filter: 'userName ew "example.com"', sortBy: 'userName', attributes: ['userName'] });
      expect(names(users.body)).toEqual([ALICE, CAROL]);
      // Sorting applies to the merged result, also by an attribute only one of the types has.
      const label = (r: { userName?: string; displayName?: string }) => r.userName ?? r.displayName;
      const byUserName = await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], sortBy: 'userName', attributes: ['userName', 'displayName'] });
      expect(byUserName.status, JSON.stringify(byUserName.body)).toBe(200);
      expect(byUserName.body.Resources.map(label)).toEqual([ADMIN, ALICE, BOB, CAROL, DAVE, 'Engineers']);
      const newestFirst = await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], sortBy: 'meta.created', sortOrder: 'descending', attributes: ['userName', 'displayName'] });
      expect(newestFirst.body.Resources.map(label)).toEqual(['Engineers', DAVE, CAROL, BOB, ALICE, ADMIN]);
      const byMembers = await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], sortBy: 'members.value', count: 1, attributes: ['displayName'] });
      expect(byMembers.body.Resources.map(label)).toEqual(['Engineers']);
      expectScimError(await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], sortBy: 'shoeSize' }), 400, 'invalidValue');
      expectScimError(await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], sortBy: 'userName', sortOrder: 'up' }), 400, 'invalidValue');

      const paged = await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], startIndex: 6, count: 5 });
      expect(paged.body).toMatchObject({ totalResults: 6, itemsPerPage: 1, startIndex: 6 });
    });

    it('rejects a body that is not a SearchRequest', async () => {
      expectScimError(await asAdmin(api().post('/scim2/Users/.search')).send({ filter: 'userName pr' }), 400, 'invalidSyntax');
      expectScimError(await asAdmin(api().post('/scim2/.search')).send({ schemas: ['urn:nope'] }), 400, 'invalidSyntax');
      expectScimError(await asAdmin(api().post('/scim2/.search')).send({ schemas: [SEARCH_REQUEST], count: 'ten' }), 400);
    });
  });
});
