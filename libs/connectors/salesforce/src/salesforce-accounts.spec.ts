import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loopbackHttp, sampleOperation } from '@provisioning/connector-kit/testing';
import type { BatchOutcome, OutboundConnector, RemoteAccount, RemoteCallRecord } from '@provisioning/connector-kit';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { salesforceConnector } from './index';
import { emulatorConnector, emulatorProperties, salesforceUser, silentLogger } from './testing/emulator-fixtures';

/** Listing the org in pages and delivering operations with sObject Collections, against the emulator over HTTP. */
describe('Salesforce accounts: list and batch', () => {
  let emu: RunningEmulator;
  const connect = (overrides: Record<string, string> = {}): OutboundConnector => emulatorConnector(emu, overrides);
  const requests = () => emu.state.requestLog.filter((r) => r.path.startsWith('/services/data/'));

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ licenses: 2_000 });
  });
  afterAll(async () => emu.close());
  beforeEach(() => {
    emu.state.clearFaults();
    emu.state.requestLog.length = 0;
  });

  async function createMany(n: number, prefix: string): Promise<string[]> {
    const connector = connect();
    const ids: string[] = [];
    for (let i = 0; i < n; i += 200) {
      const ops = Array.from({ length: Math.min(200, n - i) }, (_, k) => sampleOperation('create', salesforceUser(prefix), { localId: `${prefix}-${i + k}` }));
      const outcomes = await connector.provisionBatch!(ops);
      for (const o of outcomes) ids.push(o.ok ? o.result.remoteId! : expect.fail(String((o as { error: unknown }).error)));
    }
    return ids;
  }

  it('creates 200 users in one Collections call, and lists the org in pages of the requested size with each user once', async () => {
    const ids = await createMany(450, 'paged');
    expect(requests().filter((r) => r.method === 'POST' && r.path.endsWith('/composite/sobjects'))).toHaveLength(3);
    expect(requests().filter((r) => r.method === 'POST' && r.path.endsWith('/sobjects/User'))).toHaveLength(0);
    emu.state.requestLog.length = 0;

    const connector = connect();
    const seen: RemoteAccount[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await connector.listAccounts!({ fields: ['LastName', 'Email'], pageSize: 200, ...(cursor ? { cursor } : {}) });
      seen.push(...page.accounts);
      cursor = page.cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(Math.ceil(emu.state.users.size / 200));
    expect(requests().filter((r) => r.method === 'GET')).toHaveLength(pages);
    const byId = new Map(seen.map((a) => [a.remoteId, a] as const));
    expect(byId.size).toBe(seen.length);
    for (const id of ids) {
      const account = byId.get(id)!;
      expect(account.active).toBe(true);
      expect(account.attributes.LastName).toBe('Paged');
      expect(account.attributes.Email).toBe(account.remoteName);
    }
  });

  it('records one log entry per operation with its own record, and fails only the record Salesforce rejects', async () => {
    const taken = salesforceUser('taken');
    const existing = await connect().provision(sampleOperation('create', taken, { localId: 'existing' }));
    emu.state.requestLog.length = 0;
    const ops = [
      sampleOperation('create', salesforceUser('good'), { localId: 'good-1' }),
      sampleOperation('create', salesforceUser('bad', { Email: 'not an email' }), { localId: 'bad-1' }),
      sampleOperation('create', { ...taken, LastName: 'Relinked' }, { localId: 'dup-1' }),
    ];
    const logs = new Map<number, RemoteCallRecord[]>();
    const outcomes = await connect().provisionBatch!(ops, { record: (index, call) => logs.set(index, [...(logs.get(index) ?? []), call]) });
    expect(outcomes[0]).toMatchObject({ ok: true, result: { outcome: 'created' } });
    expect(outcomes[1]!.ok).toBe(false);
    expect((outcomes[1] as Extract<BatchOutcome, { ok: false }>).error).toMatchObject({ kind: 'upstream-rejected', remoteCode: 'INVALID_EMAIL_ADDRESS' });
    // DUPLICATE_USERNAME in the collection: looked up and linked like a single create.
    expect(outcomes[2]).toMatchObject({ ok: true, result: { outcome: 'linked', remoteId: existing.remoteId } });
    expect(emu.state.user(existing.remoteId!)?.LastName).toBe('Relinked');
    expect(logs.get(0)![0]!.body).toMatchObject({ Username: ops[0]!.allAttributes.find((a) => a.name === 'Username')!.value });
    expect(logs.get(1)![0]).toMatchObject({ remoteCode: 'INVALID_EMAIL_ADDRESS' });
    const calls = logs.get(2)!.map((c) => `${c.method} ${c.path.replace(/^\/services\/data\/v[\d.]+/, '').replace(/\?.*$/, '')}`);
    expect(calls.filter((c) => !c.includes('oauth2'))).toEqual(['POST /composite/sobjects', 'GET /query', `PATCH /sobjects/User/${existing.remoteId}`]);
    expect(requests().filter((r) => r.path.endsWith('/composite/sobjects'))).toHaveLength(1);
  });

  it('updates and deactivates in one PATCH call; an update without changes sends nothing', async () => {
    const [a, b] = await createMany(2, 'patched');
    emu.state.requestLog.length = 0;
    const outcomes = await connect().provisionBatch!([
      sampleOperation('update', { LastName: 'Changed' }, { remoteId: a!, allAttributes: [] }),
      sampleOperation('deprovision', {}, { remoteId: b! }),
      sampleOperation('update', {}, { remoteId: a!, attributes: [], allAttributes: [] }),
    ]);
    expect(outcomes.map((o) => o.ok && o.result.outcome)).toEqual(['updated', 'deprovisioned', 'unchanged']);
    expect(requests().map((r) => `${r.method} ${r.path.replace(/^\/services\/data\/v[\d.]+/, '')}`)).toEqual(['PATCH /composite/sobjects']);
    expect(emu.state.user(a!)?.LastName).toBe('Changed');
    expect(emu.state.user(b!)?.IsActive).toBe(false);
  });

  it('fails every record of a call that failed as a whole with that call\'s error (each job retries)', async () => {
    emu.state.injectFault({ method: 'POST', path: '/composite/sobjects', times: 1, action: { type: 'status', status: 503 } });
    const outcomes = await connect().provisionBatch!([sampleOperation('create', salesforceUser('outage'), { localId: 'o1' }), sampleOperation('create', salesforceUser('outage'), { localId: 'o2' })]);
    for (const o of outcomes) expect(o.ok ? 'ok' : (o.error as { kind: string }).kind).toBe('upstream-unavailable');
  });

  it('sends one call per operation below API v42.0 (no Collections there)', async () => {
    const outcomes = await connect({ 'sf-api-version': 'v41.0' }).provisionBatch!([sampleOperation('create', salesforceUser('old'), { localId: 'old-1' }), sampleOperation('create', salesforceUser('old'), { localId: 'old-2' })]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(requests().filter((r) => r.path.endsWith('/composite/sobjects'))).toHaveLength(0);
    expect(requests().filter((r) => r.method === 'POST' && r.path.endsWith('/sobjects/User'))).toHaveLength(2);
  });

  it('lists a frozen user as inactive when the connector deprovisions by freezing', async () => {
    const connector = connect({ 'sf-deprovisioning-mode': 'freeze' });
    const [id] = await createMany(1, 'frozen');
    await connector.provision(sampleOperation('deprovision', {}, { remoteId: id! }));
    expect(emu.state.user(id!)?.IsActive).toBe(true);
    let cursor: string | undefined;
    let found: RemoteAccount | undefined;
    do {
      const page = await connector.listAccounts!({ fields: [], ...(cursor ? { cursor } : {}) });
      found ??= page.accounts.find((a) => a.remoteId === id);
      cursor = page.cursor;
    } while (cursor);
    expect(found?.active).toBe(false);
  });

  it('refuses field names that are not Salesforce identifiers and cursors that are not nextRecordsUrl', async () => {
    await expect(connect().listAccounts!({ fields: ['LastName FROM User --'] })).rejects.toMatchObject({ kind: 'validation' });
    await expect(connect().listAccounts!({ fields: [], cursor: 'https://evil.example/steal' })).rejects.toMatchObject({ kind: 'validation' });
  });
});

describe('Salesforce accounts: match field', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startSalesforceEmulator();
  });
  afterAll(async () => emu.close());

  it('lists and describes the configured match field (FederationIdentifier) as the match key; Username by default has none', async () => {
    const connect = (overrides: Record<string, string>) =>
      salesforceConnector.create(salesforceConnector.parseConfig(emulatorProperties(emu, overrides)), { idpName: 'SF', tenantDomain: 'carbon.super', logger: silentLogger, requestTimeoutMs: 5_000, http: loopbackHttp() });
    const byFederation = connect({ 'sf-match-field': 'FederationIdentifier' });
    const attrs = salesforceUser('fed', { FederationIdentifier: 'Fed-123' });
    const created = await byFederation.provision(sampleOperation('create', attrs, { localId: 'fed-1' }));
    expect(byFederation.describeAccount!(sampleOperation('create', attrs)).matchKey).toBe('Fed-123');
    let cursor: string | undefined;
    let found: RemoteAccount | undefined;
    do {
      const page = await byFederation.listAccounts!({ fields: ['LastName'], ...(cursor ? { cursor } : {}) });
      found ??= page.accounts.find((a) => a.remoteId === created.remoteId);
      cursor = page.cursor;
    } while (cursor);
    expect(found?.matchKey).toBe('Fed-123');
    expect(found?.attributes).toEqual({ LastName: 'Fed' });
    const plain = connect({});
    expect(plain.describeAccount!(sampleOperation('create', attrs)).matchKey).toBeUndefined();
    expect(() => salesforceConnector.parseConfig(emulatorProperties(emu, { 'sf-match-field': 'Nickname' }))).toThrow(/sf-match-field/);
  });
});
