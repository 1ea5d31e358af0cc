import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '@provisioning/salesforce-emulator';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import type { RunningServer } from '../src/server';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './support/guide';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually, runsSettled } from './support/server-process';

const auth = (r: request.Test) => r.auth(ADMIN.username, ADMIN.password);

/** `[provisioning] reconcile_interval_minutes` (issue 12, item 3): scheduled runs repair drift on their own. */
describe('scheduled reconciliation', () => {
  let emu: RunningEmulator;
  let server: RunningServer;

  beforeAll(async () => {
    emu = await startSalesforceEmulator();
    // Every 1.2 s here; in production minutes.
    server = (await startGuideServer('scheduled-', { provisioning: { reconcile_interval_minutes: 0.02 } })).server;
    await auth(request(server.url).post('/api/server/v1/identity-providers')).send(guideIdentityProvider(emu.url, await salesforceCertificatePem())).expect(201);
    await auth(request(server.url).put('/api/server/v1/applications/resident')).send(RESIDENT).expect(200);
    // The target's own initial run finishes first: what repairs the change below is a scheduled run.
    await runsSettled(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
  });

  it('queues applied runs with trigger "schedule" that repair a change made in the org', async () => {
    await auth(request(server.url).post('/scim2/Users')).send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'sched@wso2.com', name: { familyName: 'Local' }, emails: ['sched@wso2.com'] }).expect(201);
    await eventually(() => emu.state.usersByUsername('sched@wso2.com'), 10_000, 'provisioned');
    emu.state.putUser({ ...emu.state.usersByUsername('sched@wso2.com')!, LastName: 'Changed', IsActive: false });
    await eventually(() => {
      const account = emu.state.usersByUsername('sched@wso2.com')!;
      return account.LastName === 'Local' && account.IsActive ? true : undefined;
    }, 15_000, 'a scheduled run to repair the account');
    // The run that repaired it finishes once it sees its job settled.
    const scheduled = await eventually(async () => {
      const runs = await auth(request(server.url).get('/api/server/v1/provisioning/runs')).query({ state: 'succeeded' });
      const found = (runs.body as Array<{ trigger: string; dryRun: boolean; actions: { update: number } }>).filter((r) => r.trigger === 'schedule');
      return found.some((r) => r.actions.update === 1) ? found : undefined;
    }, 10_000, 'the scheduled run to finish');
    expect(scheduled.every((r) => !r.dryRun)).toBe(true);
  });
});
