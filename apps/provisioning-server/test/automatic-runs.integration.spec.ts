import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { GUIDE_PROFILE_ID, GUIDE_ROWS, RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually, runsSettled } from './support/server-process';

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);
const RUNS = '/api/server/v1/provisioning/runs';
const USERS = ['auto.one@wso2.com', 'auto.two@wso2.com', 'auto.three@wso2.com', 'auto.four@wso2.com'];
const scimUser = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { familyName: 'Family', givenName: 'Given' }, emails: [userName] });

interface RunBody {
  id: string;
  trigger: string;
  dryRun: boolean;
  state: string;
  actions: Record<string, number>;
}

/**
 * Automatic runs (issue 12, item 3; contract "Reconciliation runs"): adding a target or enabling its
 * connector provisions the users already in the store (`target-added`); changing the IdP's claim
 * mappings, defaults or provisioning roles brings every account in line (`config-changed`); an
 * unchanged save starts nothing; the server's own super admin is never provisioned.
 */
describe('automatic reconciliation runs', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  let idpId: string;
  let idpBody: ReturnType<typeof guideIdentityProvider>;

  const runs = async () => (await auth(request(server.url).get(RUNS))).body as RunBody[];
  /** Waits for the newest run with this trigger to finish and returns it. */
  const finishedRun = (trigger: string, count: number) =>
    eventually(async () => {
      const found = (await runs()).filter((r) => r.trigger === trigger);
      return found.length === count && found.every((r) => r.state === 'succeeded') ? found[0] : undefined;
    }, 20_000, `${count} ${trigger} run(s) to finish`);
  const putIdp = (body: object) => auth(request(server.url).put(`/api/server/v1/identity-providers/${idpId}`)).send(body).expect(200);

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    server = (await startGuideServer('auto-runs-')).server;
    idpBody = guideIdentityProvider(emu.url, await salesforceCertificatePem());
    const idp = await auth(request(server.url).post('/api/server/v1/identity-providers')).send(idpBody);
    expect(idp.status).toBe(201);
    idpId = idp.body.id;
    // Users that exist before any outbound target does: nothing is sent for them yet.
    for (const userName of USERS) await auth(request(server.url).post('/scim2/Users')).send(scimUser(userName)).expect(201);
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('adding the target to the resident service provider provisions the users already there (not the super admin)', async () => {
    expect(emu.state.users.size).toBe(0);
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    const run = await finishedRun('target-added', 1);
    expect(run).toMatchObject({ dryRun: false, state: 'succeeded' });
    expect(run!.actions).toMatchObject({ create: USERS.length, failed: 0 });
    for (const userName of USERS) expect(emu.state.usersByUsername(userName)).toMatchObject({ IsActive: true, LastName: 'Family' });
    expect(emu.state.usersByUsername(ADMIN.username)).toBeUndefined();
    // Saving the same resident configuration again starts nothing.
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    await putIdp(idpBody);
    await new Promise((r) => setTimeout(r, 600));
    expect((await runs()).length).toBe(1);
  });

  it('changing a claim mapping updates every account, not only the next edited user', async () => {
    const changed = structuredClone(idpBody);
    changed.claims.mappings = GUIDE_ROWS.map(([idpClaim, localClaim]) => ({ idpClaim, localClaim: { uri: idpClaim === 'LastName' ? 'http://wso2.org/claims/givenname' : localClaim } }));
    await putIdp(changed);
    const run = await finishedRun('config-changed', 1);
    expect(run!.actions).toMatchObject({ update: USERS.length, failed: 0 });
    for (const userName of USERS) expect(emu.state.usersByUsername(userName)?.LastName).toBe('Given');
    idpBody = changed;
  });

  it('adding a provisioning role deprovisions the existing non-members', async () => {
    const members = await auth(request(server.url).get('/scim2/Users')).query({ filter: `userName eq "${USERS[0]}"` });
    await auth(request(server.url).post('/scim2/Groups')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'sales', members: [{ value: members.body.Resources[0].id }] }).expect(201);
    await runsSettled(server.url, 2);
    // Members of "sales" keep the guide's profile.
    await putIdp({ ...idpBody, roles: { outboundProvisioningRoles: ['sales'], mappings: [{ localRole: 'sales', idpRole: GUIDE_PROFILE_ID }] } });
    const run = await finishedRun('config-changed', 2);
    expect(run!.actions).toMatchObject({ deprovision: USERS.length - 1, failed: 0 });
    expect(emu.state.usersByUsername(USERS[0]!)?.IsActive).toBe(true);
    for (const userName of USERS.slice(1)) expect(emu.state.usersByUsername(userName)?.IsActive).toBe(false);
    // Dropping the rule brings them back (reactivated by the next run).
    idpBody = { ...idpBody, roles: { outboundProvisioningRoles: [], mappings: [{ localRole: 'sales', idpRole: GUIDE_PROFILE_ID }] } } as typeof idpBody;
    await putIdp(idpBody);
    await finishedRun('config-changed', 3);
    for (const userName of USERS) expect(emu.state.usersByUsername(userName)?.IsActive).toBe(true);
  });

  it('enabling a disabled connector provisions what changed while it was off', async () => {
    const connector = (enabled: boolean) => auth(request(server.url).put(`/api/server/v1/identity-providers/${idpId}/provisioning/outbound-connectors/c2FsZXNmb3JjZQ`)).send({ ...idpBody.provisioning.outboundConnectors.connectors[0]!, isEnabled: enabled }).expect(200);
    await connector(false);
    await auth(request(server.url).post('/scim2/Users')).send(scimUser('auto.late@wso2.com')).expect(201);
    await new Promise((r) => setTimeout(r, 400));
    expect(emu.state.usersByUsername('auto.late@wso2.com')).toBeUndefined();
    await connector(true);
    const run = await finishedRun('target-added', 2);
    expect(run!.actions).toMatchObject({ create: 1, failed: 0 });
    expect(emu.state.usersByUsername('auto.late@wso2.com')).toMatchObject({ IsActive: true });
  });
});

describe('automatic runs turned off', () => {
  it('starts no run when a target is added with [provisioning] automatic_runs = false', async () => {
    const emu = await startSalesforceEmulator();
    const { server } = await startGuideServer('auto-off-', { provisioning: { automatic_runs: false } });
    try {
      await auth(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, await salesforceCertificatePem())).expect(201);
      await auth(request(server.url).post('/scim2/Users')).send(scimUser('off.one@wso2.com')).expect(201);
      await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
      await new Promise((r) => setTimeout(r, 600));
      expect((await auth(request(server.url).get(RUNS))).body).toEqual([]);
      expect(emu.state.users.size).toBe(0);
    } finally {
      await server.close();
      await emu.close();
    }
  });
});
