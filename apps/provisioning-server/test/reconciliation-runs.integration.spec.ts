import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { createInOrg } from './support/salesforce-org';
import { ADMIN, eventually } from './support/server-process';

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);
const RUNS = '/api/server/v1/provisioning/runs';
const scimUser = (userName: string, familyName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { familyName, givenName: 'Given' }, emails: [userName] });

interface RunBody {
  id: string;
  state: string;
  dryRun: boolean;
  situations: Record<string, number>;
  actions: Record<string, number>;
  progress: { total: number; done: number };
  error: string | null;
}
interface ItemBody {
  user: string | null;
  remoteId: string | null;
  remoteUsername: string | null;
  situation: string;
  fields: Array<{ field: string; local: unknown; remote: unknown }>;
  action: string;
  outcome: string | null;
}

/**
 * Reconciliation runs against the emulator (issue 12, item 2): each situation and its action, dry
 * run vs apply, per-field differences, one-user runs, cancel, and the API's answers to bad requests.
 */
describe('reconciliation runs', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  const ids: Record<string, string> = {};

  async function finished(id: string): Promise<RunBody> {
    return eventually(async () => {
      const res = await auth(request(server.url).get(`${RUNS}/${id}`));
      const run = res.body as RunBody;
      return ['succeeded', 'failed', 'cancelled'].includes(run.state) ? run : undefined;
    }, 20_000, `run ${id} to finish`);
  }
  async function items(id: string, situation?: string): Promise<ItemBody[]> {
    const res = await auth(request(server.url).get(`${RUNS}/${id}/items`)).query({ count: 1000, ...(situation ? { situation } : {}) });
    expect(res.status).toBe(200);
    return (res.body as { items: ItemBody[] }).items;
  }
  async function start(body: Record<string, unknown>): Promise<RunBody> {
    const res = await auth(request(server.url).post(RUNS)).send({ idp: 'Salesforce.com', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.headers.location).toBe(`${RUNS}/${(res.body as RunBody).id}`);
    return res.body as RunBody;
  }
  const jobsDone = () =>
    eventually(async () => {
      const jobs = await auth(request(server.url).get('/api/server/v1/provisioning/jobs'));
      return (jobs.body as Array<{ state: string }>).every((j) => ['succeeded', 'failed'].includes(j.state)) ? true : undefined;
    }, 15_000, 'jobs settled');

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    // Manual runs on a baseline the test sets up: no automatic run repairs it first.
    server = (await startGuideServer('runs-', { provisioning: { initial_backoff_ms: 100, max_backoff_ms: 300, automatic_runs: false } })).server;
    const idp = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, await salesforceCertificatePem()));
    expect(idp.status).toBe(201);
    // Users created before the target is on the resident SP: nothing provisioned yet.
    for (const name of ['missing.one@wso2.com', 'linkme@wso2.com']) {
      const res = await auth(request(server.url).post('/scim2/Users')).send(scimUser(name, 'Local'));
      ids[name] = res.body.id;
    }
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    // Provisioned through the usual flow, then changed behind our back in Salesforce.
    for (const name of ['drift.field@wso2.com', 'drift.inactive@wso2.com', 'in.sync@wso2.com', 'orphan@wso2.com']) {
      const res = await auth(request(server.url).post('/scim2/Users')).send(scimUser(name, 'Local'));
      ids[name] = res.body.id;
    }
    await eventually(() => (['drift.field@wso2.com', 'drift.inactive@wso2.com', 'in.sync@wso2.com', 'orphan@wso2.com'].every((n) => emu.state.usersByUsername(n)) ? true : undefined), 10_000, 'provisioned');
    await jobsDone();
    const account = (name: string) => emu.state.usersByUsername(name)!;
    emu.state.putUser({ ...account('drift.field@wso2.com'), LastName: 'ChangedInSalesforce' });
    emu.state.putUser({ ...account('drift.inactive@wso2.com'), IsActive: false });
    // Deactivated locally (deprovisioned remotely), then reactivated in Salesforce by someone.
    await auth(request(server.url).patch(`/scim2/Users/${ids['orphan@wso2.com']}`)).send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }).expect(200);
    await eventually(() => (account('orphan@wso2.com').IsActive === false ? true : undefined), 10_000, 'orphan deprovisioned');
    await jobsDone();
    emu.state.putUser({ ...account('orphan@wso2.com'), IsActive: true });
    // An account with a local user's name that we never linked, and one nobody here knows.
    await createInOrg(emu, { Username: 'linkme@wso2.com', Email: 'linkme@wso2.com', LastName: 'Remote' });
    await createInOrg(emu, { Username: 'stranger@elsewhere.com', Email: 'stranger@elsewhere.com', LastName: 'Stranger' });
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('a dry run reports every situation with its differences and writes nothing', async () => {
    const writesBefore = emu.state.requestLog.filter((r) => r.method !== 'GET' && r.path.includes('/sobjects')).length;
    const run = await finished((await start({})).id);
    expect(run).toMatchObject({ state: 'succeeded', dryRun: true, error: null });
    // Missing: the new user (the server's own super admin is never provisioned, so never in scope).
    expect(run.situations).toMatchObject({ 'in-sync': 1, missing: 1, unlinked: 1, drifted: 2, orphaned: 1 });
    expect(run.situations.unmanaged).toBe(1); // the stranger
    expect(run.actions).toMatchObject({ create: 0, link: 0, update: 0, deprovision: 0 });
    expect(emu.state.requestLog.filter((r) => r.method !== 'GET' && r.path.includes('/sobjects')).length).toBe(writesBefore);

    const drifted = await items(run.id, 'drifted');
    const byUser = new Map(drifted.map((i) => [i.user, i] as const));
    expect(byUser.get('drift.field@wso2.com')).toMatchObject({ action: 'update', fields: [{ field: 'LastName', local: 'Local', remote: 'ChangedInSalesforce' }] });
    expect(byUser.get('drift.inactive@wso2.com')?.fields).toEqual([{ field: '(active)', local: 'true', remote: 'false' }]);
    expect(await items(run.id, 'missing')).toContainEqual(expect.objectContaining({ user: 'missing.one@wso2.com', action: 'create', remoteId: null }));
    expect(await items(run.id, 'unlinked')).toEqual([
      expect.objectContaining({ user: 'linkme@wso2.com', action: 'link', remoteUsername: 'linkme@wso2.com', fields: [{ field: 'Alias', local: 'Given', remote: 'ext' }, { field: 'LastName', local: 'Local', remote: 'Remote' }] }),
    ]);
    expect(await items(run.id, 'orphaned')).toEqual([expect.objectContaining({ user: 'orphan@wso2.com', action: 'deprovision' })]);
    expect((await items(run.id, 'unmanaged')).map((i) => i.remoteUsername)).toContain('stranger@elsewhere.com');
    expect((await items(run.id, 'unmanaged')).every((i) => i.action === 'none')).toBe(true);
    const page = await auth(request(server.url).get(`${RUNS}/${run.id}/items`)).query({ startIndex: 2, count: 2 });
    expect(page.body).toMatchObject({ startIndex: 2, itemsPerPage: 2 });
    expect(page.body.totalResults).toBeGreaterThanOrEqual(7);
  });

  it('applying repairs each situation, leaves unmanaged accounts alone, and a second run finds everything in sync', async () => {
    const strangerBefore = { ...emu.state.usersByUsername('stranger@elsewhere.com')! };
    const run = await finished((await start({ dryRun: false })).id);
    expect(run.state, run.error ?? '').toBe('succeeded');
    expect(run.actions).toMatchObject({ create: 1, link: 1, update: 2, deprovision: 1, failed: 0 });
    expect(emu.state.usersByUsername('missing.one@wso2.com')).toMatchObject({ IsActive: true, LastName: 'Local' });
    expect(emu.state.usersByUsername('linkme@wso2.com')).toMatchObject({ IsActive: true, LastName: 'Local' });
    expect(emu.state.usersByUsername('drift.field@wso2.com')?.LastName).toBe('Local');
    expect(emu.state.usersByUsername('drift.inactive@wso2.com')?.IsActive).toBe(true);
    expect(emu.state.usersByUsername('orphan@wso2.com')?.IsActive).toBe(false);
    expect(emu.state.usersByUsername('stranger@elsewhere.com')).toEqual(strangerBefore);
    expect((await items(run.id)).filter((i) => i.action !== 'none').every((i) => i.outcome === 'succeeded')).toBe(true);
    // The link is recorded: the user's status names the remote account.
    const status = await auth(request(server.url).get('/api/server/v1/provisioning/status')).query({ user: 'linkme@wso2.com' });
    expect(status.body.connectors[0]).toMatchObject({ remoteId: emu.state.usersByUsername('linkme@wso2.com')!.Id, state: 'provisioned' });

    const again = await finished((await start({})).id);
    // Everyone in scope is in sync; the deprovisioned orphan is no longer reported; the stranger stays unmanaged.
    expect(again.situations).toMatchObject({ 'in-sync': 5, missing: 0, unlinked: 0, drifted: 0, orphaned: 0, unmanaged: 1 });
  });

  it('limits a run to the listed users ("sync now" for one user)', async () => {
    emu.state.putUser({ ...emu.state.usersByUsername('in.sync@wso2.com')!, LastName: 'Again' });
    emu.state.putUser({ ...emu.state.usersByUsername('drift.field@wso2.com')!, LastName: 'AlsoChanged' });
    const run = await finished((await start({ dryRun: false, users: ['in.sync@wso2.com'] })).id);
    expect(run.situations).toMatchObject({ drifted: 1, unmanaged: 0, orphaned: 0 });
    expect((await items(run.id)).map((i) => i.user)).toEqual(['in.sync@wso2.com']);
    expect(emu.state.usersByUsername('in.sync@wso2.com')?.LastName).toBe('Local');
    expect(emu.state.usersByUsername('drift.field@wso2.com')?.LastName).toBe('AlsoChanged');
  });

  it('cancels a queued or running run; a cancelled run applies nothing more', async () => {
    const run = await start({ dryRun: true });
    const cancel = await auth(request(server.url).post(`${RUNS}/${run.id}/cancel`));
    expect(cancel.status).toBe(202);
    const end = await finished(run.id);
    expect(['cancelled', 'succeeded']).toContain(end.state);
    const list = await auth(request(server.url).get(RUNS)).query({ state: end.state });
    expect((list.body as RunBody[]).map((r) => r.id)).toContain(run.id);
  });

  it('answers bad requests with 4xx naming the problem', async () => {
    expect((await auth(request(server.url).post(RUNS)).send({ idp: 'Nope' })).status).toBe(404);
    const bad = await auth(request(server.url).post(RUNS)).send({ idp: 'Salesforce.com', dryRun: 'yes' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/dryRun/);
    expect((await auth(request(server.url).post(RUNS)).send({ idp: 'Salesforce.com', extra: 1 })).status).toBe(400);
    expect((await auth(request(server.url).get(`${RUNS}/no-such-run`))).status).toBe(404);
    expect((await auth(request(server.url).get(`${RUNS}/x/items`)).query({ situation: 'weird' })).status).toBe(400);
    expect((await auth(request(server.url).get(RUNS)).query({ state: 'weird' })).status).toBe(400);
    expect((await request(server.url).post(RUNS).send({ idp: 'Salesforce.com' })).status).toBe(401);
  });
});
