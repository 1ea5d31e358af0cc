import request from 'supertest';
import { expect } from 'vitest';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { RESIDENT, guideIdentityProvider, salesforceCertificatePem } from './guide';
import { ADMIN, eventually } from './server-process';

/** deployment.toml `[provisioning]` settings for fast retries under faults. */
export const FAST_RETRIES = {
  max_attempts: 60,
  initial_backoff_ms: 50,
  max_backoff_ms: 800,
  request_timeout_ms: 700,
  throttle_pause_ms: 400,
  lease_seconds: 4,
  concurrency: 6,
  target_concurrency: 6,
};

export async function configureGuide(url: string, emu: RunningEmulator): Promise<void> {
  const idp = await request(url).post('/api/server/v1/identity-providers').auth(ADMIN.username, ADMIN.password).send(guideIdentityProvider(emu.url, await salesforceCertificatePem()));
  expect(idp.status, JSON.stringify(idp.body)).toBe(201);
  await request(url).put('/api/server/v1/applications/resident').auth(ADMIN.username, ADMIN.password).send(RESIDENT).expect(200);
}

/** The faults of the suite: 5xx and timeouts on about 20% of data calls, lock errors and a limit for a while. */
export function injectFaults(emu: RunningEmulator): void {
  emu.state.injectFault({ path: '/sobjects/User', times: 25, probability: 0.3, action: { type: 'error-code', errorCode: 'UNABLE_TO_LOCK_ROW', status: 400 } });
  emu.state.injectFault({ path: '/sobjects/User', times: 8, probability: 0.2, action: { type: 'error-code', errorCode: 'REQUEST_LIMIT_EXCEEDED', status: 403 } });
  emu.state.injectFault({ path: '/services/data/', probability: 0.12, action: { type: 'status', status: 503 } });
  emu.state.injectFault({ path: '/sobjects/User', probability: 0.06, action: { type: 'apply-then-hang' } });
  emu.state.injectFault({ path: '/services/data/', probability: 0.05, action: { type: 'hang' } });
}

/** Runs `work` over items with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await work(item);
      }
    }),
  );
}

export function scimUser(i: number, familyName = `Family${i}`) {
  const userName = `fault${i}@wso2.com`;
  return { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: `G${i}`, familyName }, emails: [{ value: userName, primary: true }] };
}

interface LocalUser {
  id: string;
  userName: string;
  name: { givenName: string; familyName: string };
  emails: Array<{ value: string }>;
}

export async function localUsers(url: string): Promise<LocalUser[]> {
  const all: LocalUser[] = [];
  for (let start = 1; ; start += 200) {
    const page = await request(url).get('/scim2/Users').query({ startIndex: start, count: 200 }).auth(ADMIN.username, ADMIN.password);
    expect(page.status).toBe(200);
    all.push(...(page.body.Resources as LocalUser[]));
    if (all.length >= page.body.totalResults || page.body.Resources.length === 0) return all;
  }
}

/** Waits until no job is pending, running or retrying. */
export async function quiescence(url: string, timeoutMs = 90_000): Promise<void> {
  await eventually(
    async () => {
      for (const state of ['pending', 'running', 'retrying']) {
        const jobs = await request(url).get('/api/server/v1/provisioning/jobs').query({ state, limit: 1 }).auth(ADMIN.username, ADMIN.password);
        if (jobs.body.length > 0) return undefined;
      }
      return true;
    },
    timeoutMs,
    'quiescence',
  );
}

/**
 * The invariant: Salesforce's active users are exactly the local users, field for field; every user
 * that ever reached Salesforce exists there once; no job failed.
 */
export async function assertInSync(url: string, emu: RunningEmulator, everCreated: Set<string>): Promise<void> {
  const failed = await request(url).get('/api/server/v1/provisioning/jobs').query({ state: 'failed' }).auth(ADMIN.username, ADMIN.password);
  expect(failed.body, JSON.stringify(failed.body.slice(0, 3))).toEqual([]);
  const local = (await localUsers(url)).filter((u) => u.userName.startsWith('fault'));
  const sfUsers = [...emu.state.users.values()].filter((u) => u.Username.startsWith('fault'));
  const byName = new Map<string, typeof sfUsers>();
  for (const u of sfUsers) byName.set(u.Username.toLowerCase(), [...(byName.get(u.Username.toLowerCase()) ?? []), u]);
  for (const [name, list] of byName) expect(list, `duplicates for ${name}`).toHaveLength(1);
  const active = sfUsers.filter((u) => u.IsActive).map((u) => u.Username.toLowerCase()).sort();
  expect(active).toEqual(local.map((u) => u.userName.toLowerCase()).sort());
  for (const user of local) {
    const sf = byName.get(user.userName.toLowerCase())![0]!;
    expect({ LastName: sf.LastName, Alias: sf.Alias, Email: sf.Email }).toEqual({ LastName: user.name.familyName, Alias: user.name.givenName, Email: user.emails[0]!.value });
  }
  for (const name of everCreated) {
    if (!local.some((u) => u.userName === name)) {
      const sf = byName.get(name);
      if (sf) expect(sf[0]!.IsActive, `${name} deleted locally`).toBe(false);
    }
  }
}
