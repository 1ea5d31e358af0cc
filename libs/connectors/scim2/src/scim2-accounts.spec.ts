import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleOperation } from '@provisioning/connector-kit/testing';
import type { BatchCallOptions, BatchOutcome, OutboundConnector, RemoteAccount, RemoteCallRecord } from '@provisioning/connector-kit';
import { UpstreamRejectedError } from '@provisioning/errors';
import { startScimTarget } from './testing';
import type { RunningScimTarget } from './testing';
import { featuresOf } from './service-provider-config';
import { TARGET_PASSWORD, TARGET_USERNAME } from './testing';
import { connect, userAttributes } from './testing/spec-helpers';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const FIELDS = ['name.familyName', 'emails[type eq "work"].value', 'emails', 'title', 'roles', `${ENTERPRISE}:employeeNumber`, 'nickName'];

/** Puts `n` users straight into the target (every tenth inactive), as if created there by someone else. */
function seed(target: RunningScimTarget, n: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const id = `seed-${String(i).padStart(4, '0')}`;
    target.state.users.set(id, {
      id,
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: `seed${i}@example.com`,
      name: { givenName: 'Seed', familyName: `Family${i}` },
      emails: [{ type: 'work', value: `seed${i}@example.com`, primary: true }, { type: 'home', value: `seed${i}@home.example` }],
      title: i % 2 === 0 ? 'Engineer' : '',
      roles: [{ value: 'reader' }, { value: `team-${i % 3}` }],
      [ENTERPRISE]: { employeeNumber: `E${i}` },
      active: i % 10 !== 0,
      meta: { resourceType: 'User', version: 'W/"1"' },
    });
    ids.push(id);
  }
  return ids;
}

async function listAll(connector: OutboundConnector, pageSize?: number): Promise<{ accounts: RemoteAccount[]; pages: number }> {
  const accounts: RemoteAccount[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await connector.listAccounts!({ fields: FIELDS, ...(pageSize ? { pageSize } : {}), ...(cursor ? { cursor } : {}) });
    accounts.push(...page.accounts);
    cursor = page.cursor;
    pages += 1;
    if (pages > 50) throw new Error('the listing never ends');
  } while (cursor);
  return { accounts, pages };
}

/** Collects batch call records per operation and the ownership checks asked. */
function batchLog(refuse?: (index: number, remote: { remoteId?: string; remoteName?: string }) => boolean) {
  const logs = new Map<number, RemoteCallRecord[]>();
  const asked: Array<{ index: number; remoteId?: string; remoteName?: string }> = [];
  const options: BatchCallOptions = {
    record: (index, call) => logs.set(index, [...(logs.get(index) ?? []), call]),
    assertLinkable: async (index, remote) => {
      asked.push({ index, ...remote });
      if (refuse?.(index, remote)) throw new UpstreamRejectedError('the remote name belongs to another local user', { remoteCode: 'REMOTE_ACCOUNT_IN_USE' });
    },
  };
  const calls = (index: number) => (logs.get(index) ?? []).map((c) => `${c.method} ${c.path.replace(/\?.*$/, '')} ${c.status ?? '-'}`);
  return { logs, asked, options, calls };
}

const failure = (outcome: BatchOutcome | undefined) => (outcome && !outcome.ok ? (outcome.error as Record<string, unknown>) : expect.fail(`expected a failure, got ${JSON.stringify(outcome)}`));
const result = (outcome: BatchOutcome | undefined) => (outcome?.ok ? outcome.result : expect.fail(`expected a result, got ${String((outcome as { error?: unknown })?.error)}`));
const creates = (n: number, overrides: Record<string, string> = {}) => Array.from({ length: n }, (_, i) => sampleOperation('create', userAttributes(overrides), { localId: `local-${i}` }));

describe('SCIM 2.0 accounts: listing', () => {
  let target: RunningScimTarget;
  beforeEach(async () => {
    target = await startScimTarget();
  });
  afterEach(async () => target.close());

  it('lists 450 users in pages of startIndex/count, each once, with the requested fields and inactive users inactive', async () => {
    const ids = seed(target, 450);
    const { accounts, pages } = await listAll(connect(target), 200);
    expect(pages).toBe(3);
    const lists = target.state.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/scim2/Users?'));
    expect(lists.map((r) => r.url)).toEqual(['/scim2/Users?startIndex=1&count=200', '/scim2/Users?startIndex=201&count=200', '/scim2/Users?startIndex=401&count=200']);
    expect(accounts.map((a) => a.remoteId)).toEqual(ids);
    const byId = new Map(accounts.map((a) => [a.remoteId, a] as const));
    expect(byId.get('seed-0007')).toEqual({
      remoteId: 'seed-0007',
      remoteName: 'seed7@example.com',
      active: true,
      attributes: {
        'name.familyName': 'Family7',
        'emails[type eq "work"].value': 'seed7@example.com',
        emails: 'seed7@example.com',
        title: null,
        roles: ['reader', 'team-1'],
        [`${ENTERPRISE}:employeeNumber`]: 'E7',
        nickName: null,
      },
    });
    expect(byId.get('seed-0008')!.attributes.title).toBe('Engineer');
    expect(accounts.filter((a) => !a.active).map((a) => a.remoteId)).toEqual(ids.filter((_, i) => i % 10 === 0));
  });

  it('asks for 200 per page by default, never more than the target\'s filter.maxResults', async () => {
    seed(target, 10);
    await connect(target).listAccounts!({ fields: [] });
    target.state.options.maxResults = 4;
    const { accounts, pages } = await listAll(connect(target), 500);
    expect(accounts).toHaveLength(10);
    expect(pages).toBe(3);
    const urls = target.state.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/scim2/Users?')).map((r) => r.url);
    expect(urls).toEqual(['/scim2/Users?startIndex=1&count=200', '/scim2/Users?startIndex=1&count=4', '/scim2/Users?startIndex=5&count=4', '/scim2/Users?startIndex=9&count=4']);
  });

  it('ends a listing on a target that ignores paging: everything at once, or the same page again', async () => {
    seed(target, 450);
    target.state.options.honourStartIndex = false;
    target.state.options.honourCount = false;
    const all = await listAll(connect(target), 200);
    expect(all.pages).toBe(1);
    expect(new Set(all.accounts.map((a) => a.remoteId)).size).toBe(450);

    // count honoured, startIndex ignored: page 2 answers page 1 again; nothing is listed twice.
    target.state.options.honourCount = true;
    const repeated = await listAll(connect(target), 200);
    expect(repeated.pages).toBe(2);
    expect(repeated.accounts).toHaveLength(200);
    expect(new Set(repeated.accounts.map((a) => a.remoteId)).size).toBe(200);
  });

  it('ends on the last page by totalResults, and on an empty page', async () => {
    seed(target, 5);
    const connector = connect(target);
    const first = await connector.listAccounts!({ fields: [], pageSize: 5 });
    expect(first.accounts).toHaveLength(5);
    expect(first.cursor).toBeUndefined();
    target.state.injectFault({ method: 'GET', path: /^\/Users$/, action: { type: 'status', status: 200 } });
    expect(await connector.listAccounts!({ fields: [], cursor: '6' })).toEqual({ accounts: [] });
  });

  it('refuses a cursor that is not a startIndex, before any request', async () => {
    const connector = connect(target);
    const before = target.state.requests.length;
    for (const cursor of ['abc', '0', '-1', '1; DROP', '', '01', '1e3', '9'.repeat(16)]) {
      await expect(connector.listAccounts!({ fields: [], cursor }), cursor).rejects.toMatchObject({ kind: 'validation' });
    }
    expect(target.state.requests.length).toBe(before);
  });

  it('describes a create as the listing reads it back (lists, booleans as text, the primary email)', async () => {
    const attrs = userAttributes({ roles: ['admin', 'auditor'], active: 'TRUE', emails: 'other@example.com', nickName: '', password: 'never-sent' });
    const operation = sampleOperation('create', attrs);
    const described = connect(target).describeAccount!(operation);
    expect(described).toEqual({
      remoteName: attrs.userName,
      attributes: {
        userName: attrs.userName,
        'name.givenName': 'Kim',
        'name.familyName': 'Paul',
        'emails[type eq "work"].value': attrs.userName,
        displayName: 'Kim Paul',
        roles: ['admin', 'auditor'],
        active: 'true',
        emails: 'other@example.com',
        nickName: null,
      },
    });
    // What cannot be sent is not described: a non-boolean active, a name that is no attribute path.
    const unsendable = connect(target).describeAccount!(sampleOperation('create', userAttributes({ active: 'yes', 'emails[type eq work]': 'x' }))).attributes;
    expect(Object.keys(unsendable)).toEqual(['userName', 'name.givenName', 'name.familyName', 'emails[type eq "work"].value', 'displayName']);
    const created = await connect(target).provision(operation);
    const listed = (await connect(target).listAccounts!({ fields: Object.keys(described.attributes) })).accounts.find((a) => a.remoteId === created.remoteId)!;
    expect(listed.attributes).toEqual(described.attributes);
  });
});

describe('SCIM 2.0 accounts: batches', () => {
  let target: RunningScimTarget;
  beforeEach(async () => {
    target = await startScimTarget({ bulk: true });
  });
  afterEach(async () => target.close());
  const bulkRequests = () => target.state.requestsTo('POST', /^\/scim2\/Bulk$/);
  const singleWrites = () => target.state.requests.filter((r) => r.method !== 'GET' && !r.url.startsWith('/scim2/Bulk'));

  it('reads bulk support and limits from the ServiceProviderConfig', async () => {
    expect((await connect(target).testConnection()).checks[0]!.detail).toMatch(/; Bulk \(max 100 operations per request\)/);
    target.state.options.bulk = false;
    expect((await connect(target).testConnection()).checks[0]!.detail).toMatch(/; no Bulk/);
    expect(featuresOf({ bulk: { supported: true, maxOperations: 25, maxPayloadSize: '2048' } }).bulk).toEqual({ maxOperations: 25, maxPayloadSize: 2048 });
    expect(featuresOf({ bulk: { supported: true } }).bulk).toEqual({});
    expect(featuresOf({ bulk: { supported: false, maxOperations: 25 } }).bulk).toBeUndefined();
    expect(featuresOf({ bulk: { supported: true, maxOperations: 0 } }).bulk).toBeUndefined();
    expect(featuresOf({ bulk: { supported: 'true' } }).bulk).toBeUndefined();
  });

  it('sends one Bulk request; a rejected record fails alone with the target\'s scimType and detail', async () => {
    const operations = [...creates(1), sampleOperation('create', userAttributes({ 'emails[type eq "work"].value': 'not an email' }), { localId: 'bad' }), ...creates(1)];
    const outcomes = await connect(target).provisionBatch!(operations);
    expect(result(outcomes[0])).toMatchObject({ outcome: 'created', remoteName: operations[0]!.allAttributes[0]!.value });
    expect(failure(outcomes[1])).toMatchObject({ kind: 'upstream-rejected', status: 400, remoteCode: 'invalidValue', remoteMessage: 'emails: "not an email" is not an email address' });
    expect(String(failure(outcomes[1]))).toMatch(/POST \/Users \(operation 2 of POST \/scim2\/Bulk\): the SCIM target rejected the request \(400\)/);
    expect(result(outcomes[2]).outcome).toBe('created');
    for (const o of [outcomes[0], outcomes[2]]) expect(target.state.user(result(o).remoteId!)?.active).toBe(true);
    expect(bulkRequests()).toHaveLength(1);
    const sent = bulkRequests()[0]!.body as { schemas: string[]; failOnErrors?: unknown; Operations: Array<Record<string, unknown>> };
    expect(sent.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkRequest']);
    expect(sent).not.toHaveProperty('failOnErrors');
    expect(sent.Operations.map((o) => [o.method, o.path, o.bulkId])).toEqual([['POST', '/Users', 'op1'], ['POST', '/Users', 'op2'], ['POST', '/Users', 'op3']]);
    expect(singleWrites()).toHaveLength(0);
  });

  it('takes the created id from the location, or from the response body; neither is a rejection', async () => {
    const [fromLocation] = await connect(target).provisionBatch!(creates(1));
    expect(target.state.user(result(fromLocation).remoteId!)).toBeDefined();
    target.state.options.bulkLocations = false;
    target.state.options.bulkResponseBodies = true;
    const [fromBody] = await connect(target).provisionBatch!(creates(1));
    expect(target.state.user(result(fromBody).remoteId!)).toBeDefined();
    target.state.options.bulkResponseBodies = false;
    const [neither] = await connect(target).provisionBatch!(creates(1));
    expect(failure(neither)).toMatchObject({ kind: 'upstream-rejected', remoteCode: 'NO_ID' });
  });

  it('updates (with reactivation), deactivates and deletes in a Bulk request, each with its outcome', async () => {
    const [a, b, c] = (await connect(target).provisionBatch!(creates(3))).map((o) => result(o).remoteId!);
    await connect(target).provision(sampleOperation('deprovision', {}, { remoteId: a! }));
    const outcomes = await connect(target).provisionBatch!([
      { ...sampleOperation('update', { 'name.familyName': 'Back' }, { remoteId: a!, allAttributes: [] }), reactivate: true },
      sampleOperation('deprovision', {}, { remoteId: b! }),
      sampleOperation('update', {}, { remoteId: c!, allAttributes: [] }),
      sampleOperation('update', { title: 'x' }, { remoteId: 'gone', allAttributes: [] }),
    ]);
    expect(outcomes.slice(0, 3).map((o) => result(o).outcome)).toEqual(['updated', 'deprovisioned', 'unchanged']);
    expect(failure(outcomes[3])).toMatchObject({ kind: 'upstream-rejected', status: 404 });
    expect(target.state.user(a!)).toMatchObject({ active: true, name: { familyName: 'Back' } });
    expect(target.state.user(b!)?.active).toBe(false);
    const sent = (bulkRequests().at(-1)!.body as { Operations: Array<Record<string, unknown>> }).Operations;
    expect(sent.map((o) => `${o.method} ${o.path}`)).toEqual([`PATCH /Users/${a}`, `PATCH /Users/${b}`, 'PATCH /Users/gone']);

    const deleting = connect(target, { 'scim2-deprovision-mode': 'DELETE' });
    const deleted = await deleting.provisionBatch!([sampleOperation('deprovision', {}, { remoteId: b! }), sampleOperation('deprovision', {}, { remoteId: 'gone' })]);
    expect(deleted.map((o) => result(o).outcome)).toEqual(['deprovisioned', 'unchanged']);
    expect(target.state.user(b!)).toBeUndefined();
  });

  it('links a create refused with 409 uniqueness through the single path, asking the engine first', async () => {
    const attrs = userAttributes();
    const existing = await connect(target).provision(sampleOperation('create', attrs, { localId: 'owner' }));
    const { options, asked, calls } = batchLog();
    const outcomes = await connect(target).provisionBatch!([...creates(1), sampleOperation('create', { ...attrs, 'name.familyName': 'Relinked' }, { localId: 'dup' })], options);
    expect(result(outcomes[0]).outcome).toBe('created');
    expect(result(outcomes[1])).toMatchObject({ outcome: 'linked', remoteId: existing.remoteId });
    expect(target.state.user(existing.remoteId!)?.name).toMatchObject({ familyName: 'Relinked' });
    // The ServiceProviderConfig read is shared: in every operation's log.
    expect(calls(1)).toEqual(['GET /scim2/ServiceProviderConfig 200', 'POST /scim2/Bulk 409', 'GET /scim2/Users 200', `PATCH /scim2/Users/${existing.remoteId} 200`]);
    expect(calls(0)).toEqual(['GET /scim2/ServiceProviderConfig 200', 'POST /scim2/Bulk 201']);
    expect(asked.filter((a) => a.index === 1)).toEqual([
      { index: 1, remoteName: attrs.userName },
      { index: 1, remoteName: attrs.userName },
      { index: 1, remoteId: existing.remoteId, remoteName: attrs.userName },
    ]);
    expect([...target.state.users.values()].filter((u) => u.userName === attrs.userName)).toHaveLength(1);
  });

  it('claims each create\'s name before sending; a refused one fails alone and is not sent', async () => {
    const operations = creates(3);
    const { options, asked } = batchLog((index, remote) => index === 1 && !remote.remoteId);
    const outcomes = await connect(target).provisionBatch!(operations, options);
    expect(asked.map((a) => a.index)).toEqual([0, 1, 2]);
    expect(failure(outcomes[1])).toMatchObject({ remoteCode: 'REMOTE_ACCOUNT_IN_USE' });
    expect([outcomes[0], outcomes[2]].map((o) => result(o).outcome)).toEqual(['created', 'created']);
    expect((bulkRequests()[0]!.body as { Operations: unknown[] }).Operations).toHaveLength(2);
    expect(target.state.userByName(operations[1]!.allAttributes[0]!.value as string)).toBeUndefined();
  });

  it('fails every operation of a Bulk request that failed as a whole, with that error', async () => {
    target.state.injectFault({ method: 'POST', path: /^\/Bulk$/, action: { type: 'status', status: 503, retryAfter: '30' } });
    const { options, calls } = batchLog();
    const outcomes = await connect(target).provisionBatch!(creates(2), options);
    for (const o of outcomes) expect(failure(o)).toMatchObject({ kind: 'upstream-unavailable', status: 503, retryAfterMs: 30_000 });
    expect(calls(0)).toEqual(['GET /scim2/ServiceProviderConfig 200', 'POST /scim2/Bulk 503']);
    expect(calls(1)).toEqual(['GET /scim2/ServiceProviderConfig 200', 'POST /scim2/Bulk 503']);

    target.state.injectFault({ method: 'POST', path: /^\/Bulk$/, action: { type: 'status', status: 413, scimType: 'tooLarge' } });
    const tooLarge = await connect(target).provisionBatch!(creates(2));
    for (const o of tooLarge) expect(failure(o)).toMatchObject({ kind: 'upstream-rejected', status: 413, remoteCode: 'tooLarge' });
    expect(target.state.users.size).toBe(0);
  });

  it('maps an operation\'s own 429 and 5xx like a single call\'s (throttled; unavailable, outcome unknown)', async () => {
    target.state.injectFault({ method: 'POST', path: /^\/Users$/, action: { type: 'status', status: 429 } });
    target.state.injectFault({ method: 'POST', path: /^\/Users$/, action: { type: 'status', status: 500 } });
    const outcomes = await connect(target).provisionBatch!(creates(3));
    expect(failure(outcomes[0])).toMatchObject({ kind: 'upstream-throttled', status: 429 });
    expect(failure(outcomes[1])).toMatchObject({ kind: 'upstream-unavailable', status: 500, outcomeUnknown: true });
    expect(result(outcomes[2]).outcome).toBe('created');
  });

  it('splits a batch into Bulk requests of at most the target\'s maxOperations and maxPayloadSize', async () => {
    target.state.options.bulkMaxOperations = 3;
    const outcomes = await connect(target).provisionBatch!(creates(7));
    expect(outcomes.every((o) => o.ok && o.result.outcome === 'created')).toBe(true);
    expect(bulkRequests().map((r) => (r.body as { Operations: unknown[] }).Operations.length)).toEqual([3, 3, 1]);

    target.state.options.bulkMaxOperations = 100;
    target.state.options.bulkMaxPayloadSize = 1_000;
    const large = sampleOperation('create', userAttributes({ title: 'x'.repeat(1_200) }), { localId: 'large' });
    const sized = await connect(target).provisionBatch!([...creates(6), large]);
    expect(sized.every((o) => o.ok && o.result.outcome === 'created')).toBe(true);
    const split = bulkRequests().slice(3);
    expect(split.length).toBeGreaterThan(1);
    for (const r of split) expect(Buffer.byteLength(JSON.stringify(r.body))).toBeLessThanOrEqual(1_000);
    expect(split.reduce((n, r) => n + (r.body as { Operations: unknown[] }).Operations.length, 0)).toBe(6);
    // Larger than any Bulk request may be: sent on its own, as a single create.
    expect(target.state.requestsTo('POST', /^\/scim2\/Users$/)).toHaveLength(1);
  });

  it('without Bulk, sends the operations one by one with per-operation records and ownership checks', async () => {
    target.state.options.bulk = false;
    const [existing] = (await connect(target).provisionBatch!(creates(1))).map((o) => result(o).remoteId!);
    const { options, asked, calls } = batchLog();
    const operations = [...creates(2), sampleOperation('update', { title: 'Lead' }, { remoteId: existing!, allAttributes: [] }), sampleOperation('deprovision', {}, { remoteId: existing! })];
    const outcomes = await connect(target).provisionBatch!(operations, options);
    expect(outcomes.map((o) => result(o).outcome)).toEqual(['created', 'created', 'updated', 'deprovisioned']);
    expect(bulkRequests()).toHaveLength(0);
    expect(asked.map((a) => a.index)).toEqual([0, 1]);
    expect(calls(1)).toEqual(['GET /scim2/ServiceProviderConfig 200', 'GET /scim2/Users 200', 'POST /scim2/Users 201']);
    expect(calls(2)).toEqual(['GET /scim2/ServiceProviderConfig 200', `PATCH /scim2/Users/${existing} 200`]);
    expect(target.state.user(existing!)).toMatchObject({ title: 'Lead', active: false });
  });

  it('sends writes a target without PATCH cannot take in Bulk through the single path (GET + PUT)', async () => {
    target.state.options.patch = false;
    const [id] = (await connect(target).provisionBatch!(creates(1))).map((o) => result(o).remoteId!);
    const outcomes = await connect(target).provisionBatch!([...creates(1), sampleOperation('update', { title: 'Put' }, { remoteId: id!, allAttributes: [] })]);
    expect(outcomes.map((o) => result(o).outcome)).toEqual(['created', 'updated']);
    expect(target.state.user(id!)?.title).toBe('Put');
    expect((bulkRequests().at(-1)!.body as { Operations: Array<{ method: string }> }).Operations.map((o) => o.method)).toEqual(['POST']);
    expect(target.state.requestsTo('PUT', /^\/scim2\/Users\//)).toHaveLength(1);
  });

  it('records the Bulk call once per operation with its own part and status, the password redacted', async () => {
    const [id] = (await connect(target).provisionBatch!(creates(1))).map((o) => result(o).remoteId!);
    const withPassword = connect(target, { 'scim2-enable-pwd-provisioning': 'true', 'scim2-default-pwd': 'Initial-Pa55' });
    const { logs, options } = batchLog();
    const operations = [...creates(1), sampleOperation('update', { title: 'Logged' }, { remoteId: id!, allAttributes: [] }), sampleOperation('create', userAttributes({ 'emails[type eq "work"].value': 'bad' }), { localId: 'bad' })];
    const outcomes = await withPassword.provisionBatch!(operations, options);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    const bulkOf = (index: number) => logs.get(index)!.filter((c) => c.path === '/scim2/Bulk');
    for (const index of [0, 1, 2]) expect(bulkOf(index)).toHaveLength(1);
    expect(bulkOf(0)[0]).toMatchObject({ method: 'POST', status: 201, body: { method: 'POST', path: '/Users', bulkId: 'op1', data: { userName: operations[0]!.allAttributes[0]!.value, password: '[REDACTED]' } } });
    expect(bulkOf(1)[0]).toMatchObject({ status: 200, body: { method: 'PATCH', path: `/Users/${id}`, data: { Operations: [{ op: 'replace', path: 'title', value: 'Logged' }] } } });
    expect(bulkOf(2)[0]).toMatchObject({ status: 400, remoteCode: 'invalidValue', remoteMessage: 'emails: "bad" is not an email address', body: { bulkId: 'op3' } });
    expect(JSON.stringify(bulkOf(1))).not.toContain(operations[0]!.allAttributes[0]!.value);
    expect(JSON.stringify([...logs.values()])).not.toContain('Initial-Pa55');
    expect(target.state.passwordOf(result(outcomes[0]).remoteId!)).toBe('Initial-Pa55');
  });
});

describe('in-memory SCIM target: POST /Bulk', () => {
  let target: RunningScimTarget;
  beforeEach(async () => {
    target = await startScimTarget({ bulk: true, bulkMaxOperations: 3 });
  });
  afterEach(async () => target.close());
  const post = async (body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${target.url}/Bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/scim+json', authorization: `Basic ${Buffer.from(`${TARGET_USERNAME}:${TARGET_PASSWORD}`).toString('base64')}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const request = (Operations: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations, ...extra });
  const user = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });

  it('applies POST, PATCH, PUT and DELETE on Users and Groups in order, each with its status', async () => {
    const created = await post(request([
      { method: 'POST', path: '/Users', bulkId: 'u1', data: user('bulk.one@example.com') },
      { method: 'POST', path: '/Users', bulkId: 'u2', data: user('bulk.one@example.com') },
      { method: 'POST', path: '/Groups', bulkId: 'g1', data: { displayName: 'Bulk group' } },
    ]));
    expect(created.status).toBe(200);
    const results = created.body.Operations as Array<Record<string, string>>;
    expect(results.map((r) => [r.bulkId, r.status])).toEqual([['u1', '201'], ['u2', '409'], ['g1', '201']]);
    expect(results[1]).toMatchObject({ response: { scimType: 'uniqueness' } });
    const id = results[0]!.location!.split('/').at(-1)!;
    const groupId = results[2]!.location!.split('/').at(-1)!;
    const changed = await post(request([
      { method: 'PATCH', path: `/Users/${id}`, data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Bulked' }] } },
      { method: 'PUT', path: `/Groups/${groupId}`, data: { displayName: 'Renamed', members: [{ value: id }] } },
      { method: 'DELETE', path: '/Users/nobody' },
    ]));
    expect((changed.body.Operations as Array<Record<string, string>>).map((r) => r.status)).toEqual(['200', '200', '404']);
    expect(target.state.user(id)?.title).toBe('Bulked');
    expect(target.state.group(groupId)).toMatchObject({ displayName: 'Renamed', members: [{ value: id }] });
  });

  it('refuses more than maxOperations with 413 tooMany, bulkId references, and everything when Bulk is off', async () => {
    const four = Array.from({ length: 4 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: user(`many${i}@example.com`) }));
    expect(await post(request(four))).toMatchObject({ status: 413, body: { scimType: 'tooMany' } });
    expect(target.state.users.size).toBe(0);
    const referring = await post(request([
      { method: 'POST', path: '/Users', bulkId: 'u1', data: user('ref@example.com') },
      { method: 'POST', path: '/Groups', bulkId: 'g1', data: { displayName: 'Refers', members: [{ value: 'bulkId:u1' }] } },
      { method: 'POST', path: '/Users', data: user('no.bulkid@example.com') },
    ]));
    expect((referring.body.Operations as Array<Record<string, unknown>>).map((r) => r.status)).toEqual(['201', '400', '400']);
    expect(JSON.stringify(referring.body)).toMatch(/bulkId references are not supported by this target/);
    const stopping = await post(request([{ method: 'POST', path: '/Users', bulkId: 'x', data: { userName: '' } }, { method: 'POST', path: '/Users', bulkId: 'y', data: user('after@example.com') }], { failOnErrors: 1 }));
    expect(stopping.body.Operations).toHaveLength(1);
    target.state.options.bulk = false;
    expect((await post(request([]))).status).toBe(501);
  });
});
