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

/**
 * Match rules (issue 12, item 2): with `sf-match-field = Email`, a run links an account nobody
 * provisioned by its email although its username differs (instead of creating a second account for
 * the same person), and links nothing when several accounts share the email.
 */
describe('reconciliation runs matching by email', () => {
  let emu: RunningEmulator;
  let server: RunningServer;
  let legacyId: string;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    server = (await startGuideServer('runs-match-')).server;
    const idp = guideIdentityProvider(emu.url, await salesforceCertificatePem());
    idp.provisioning.outboundConnectors.connectors[0]!.properties.push({ key: 'sf-match-field', value: 'Email' });
    await auth(request(server.url).post('/api/server/v1/identity-providers')).send(idp).expect(201);
    for (const name of ['match@wso2.com', 'twice@wso2.com']) {
      await auth(request(server.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name, name: { familyName: 'Local', givenName: 'Given' }, emails: [name] }).expect(201);
    }
    legacyId = await createInOrg(emu, { Username: 'legacy.name@corp.example.com', Email: 'match@wso2.com', LastName: 'Legacy' });
    await createInOrg(emu, { Username: 'twice.one@corp.example.com', Email: 'twice@wso2.com', LastName: 'One' });
    await createInOrg(emu, { Username: 'twice.two@corp.example.com', Email: 'twice@wso2.com', LastName: 'Two' });
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('links the account with the same email and renames it; several with one email are left alone', async () => {
    // The run is the initial sync that putting the target on the resident SP started.
    const run = await eventually(async () => {
      const runs = (await auth(request(server.url).get(RUNS))).body as Array<{ id: string; trigger: string; dryRun: boolean; state: string }>;
      return runs.find((r) => r.trigger === 'target-added' && !r.dryRun && r.state === 'succeeded');
    }, 20_000, 'the run');
    const items = (await auth(request(server.url).get(`${RUNS}/${run.id}/items`)).query({ situation: 'unlinked' })).body.items as Array<{ user: string; action: string; remoteId: string | null; note: string | null }>;
    expect(items).toContainEqual(expect.objectContaining({ user: 'match@wso2.com', action: 'link', remoteId: legacyId }));
    expect(items).toContainEqual(expect.objectContaining({ user: 'twice@wso2.com', action: 'none', note: expect.stringMatching(/several accounts/) }));
    // Linked and brought in line: the username follows the local mapping; no second account.
    expect(emu.state.user(legacyId)).toMatchObject({ Username: 'match@wso2.com', LastName: 'Local' });
    expect([...emu.state.users.values()].filter((u) => u.Email === 'match@wso2.com')).toHaveLength(1);
    expect(emu.state.usersByUsername('twice.one@corp.example.com')?.LastName).toBe('One');
    expect(emu.state.usersByUsername('twice.two@corp.example.com')?.LastName).toBe('Two');
  });
});
