import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_PASSWORD, TARGET_USERNAME, startScimTarget } from '@provisioning/connector-scim2/testing';
import type { RunningScimTarget } from '@provisioning/connector-scim2/testing';
import type { RunningServer } from '../src/server';
import { startGuideServer } from './support/in-process';
import { ADMIN, eventually } from './support/server-process';

const SCIM2 = 'U0NJTTI';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** A target that hangs: accepts TCP connections, reads what is sent, never answers. */
async function hangingTarget(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim2/Users`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Tenant {
  domain: string;
  as: (r: request.Test) => request.Test;
}

/**
 * Fair delivery (issue 10, item 3), through the real server with its default slots: one tenant's
 * target hangs with more queued users than the worker has slots, and another tenant's new user still
 * reaches its own target within 2 s.
 */
describe('fair delivery between tenants', () => {
  let server: RunningServer;
  let hung: Awaited<ReturnType<typeof hangingTarget>>;
  let healthy: RunningScimTarget;

  async function tenant(key: string, usersUrl: string): Promise<Tenant> {
    const domain = `${key}.example.com`;
    const admin = { username: `owner@${domain}`, password: `secret-${key}1` };
    const res = await request(server.url).post('/api/server/v1/tenants').auth(ADMIN.username, ADMIN.password).send({ domain, owners: [{ username: admin.username, password: admin.password, email: admin.username }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const as = (r: request.Test) => r.auth(admin.username, admin.password);
    const base = `/t/${domain}`;
    const idp = await as(request(server.url).post(`${base}/api/server/v1/identity-providers`)).send({
      name: `Target ${key}`,
      claims: {
        mappings: [
          { idpClaim: 'userName', localClaim: { uri: 'http://wso2.org/claims/username' } },
          { idpClaim: 'emails', localClaim: { uri: 'http://wso2.org/claims/emailaddress' } },
        ],
        provisioningClaims: [],
      },
      provisioning: {
        outboundConnectors: {
          connectors: [
            {
              connectorId: SCIM2,
              isEnabled: true,
              properties: [
                { key: 'scim2-user-ep', value: usersUrl },
                { key: 'scim2-authentication-mode', value: 'BASIC' },
                { key: 'scim2-username', value: TARGET_USERNAME },
                { key: 'scim2-password', value: TARGET_PASSWORD },
              ],
            },
          ],
        },
      },
    });
    expect(idp.status, JSON.stringify(idp.body)).toBe(201);
    await as(request(server.url).put(`${base}/api/server/v1/applications/resident`))
      .send({ provisioningConfigurations: { outboundProvisioningIdps: [{ idp: `Target ${key}`, connector: 'scim2' }] } })
      .expect(200);
    return { domain, as };
  }

  async function createUser(t: Tenant, userName: string): Promise<void> {
    const res = await t.as(request(server.url).post(`/t/${t.domain}/scim2/Users`)).send({ schemas: [USER], userName, emails: [userName] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  beforeAll(async () => {
    hung = await hangingTarget();
    healthy = await startScimTarget();
    // The shipped slot defaults; only the test's fast polling and short timeouts (guideToml).
    ({ server } = await startGuideServer('fair-'));
  });
  afterAll(async () => {
    await hung?.close();
    await server?.close();
    await healthy?.close();
  });

  it("delivers a tenant's new user within 2 s while another tenant's target hangs with a full backlog", async () => {
    const one = await tenant('one', hung.url);
    const two = await tenant('two', healthy.usersUrl);
    // More queued users than the worker has slots (default concurrency), all older than tenant two's.
    for (let i = 1; i <= 20; i += 1) await createUser(one, `stuck${i}@one-mail.com`);
    // The hung target holds its 4 delivery slots (target_concurrency; each slot may carry a batch of
    // its jobs, since the SCIM 2.0 connector declares batches): every slot, in a worker that shared
    // its slots first come, first served.
    const running = async () => (await one.as(request(server.url).get(`/t/${one.domain}/api/server/v1/provisioning/jobs`).query({ state: 'running' }))).body.length as number;
    await eventually(async () => ((await running()) >= 4 && hung.connections() >= 1 ? true : undefined), 10_000, 'the hung target to hold deliveries');
    await new Promise((r) => setTimeout(r, 300));

    const started = Date.now();
    await createUser(two, 'fresh@two-mail.com');
    const delivered = await eventually(
      () => (healthy.state.userByName('fresh@two-mail.com') ? Date.now() - started : undefined),
      2_000,
      "tenant two's user at its target within 2 s",
    );
    expect(delivered).toBeLessThan(2_000);
    // At most its 4 slots, each one request in flight to the hung target.
    expect(hung.connections()).toBeLessThanOrEqual(4);
    const jobs = await two.as(request(server.url).get(`/t/${two.domain}/api/server/v1/provisioning/jobs`));
    expect(jobs.body.map((j: { state: string }) => j.state)).toEqual(['succeeded']);
  });
});
