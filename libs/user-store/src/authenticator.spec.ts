import { describe, expect, it } from 'vitest';
import { Authenticator } from './authenticator';
import { CredentialCache } from './credential-cache';
import { hashPassword } from './password-hash';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase } from '@provisioning/persistence';
import type { DatabaseHandle } from '@provisioning/persistence';
import { ensureTestDatabase, testDatabaseUrl } from '@provisioning/persistence/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSignInCounters } from './database-sign-in-counters';
import { AddressBudget, FailureThrottle, MemorySignInCounters, VerificationSlots, clientKey } from './sign-in-limits';
import type { StoredUser, UserRepository } from './user-repository';
import { UserStorePolicy } from './user-store-policy';

const policy = new UserStorePolicy({ usernameRegex: '^[^\\s@]+@[^\\s@]+$', enableEmailDomain: true });

async function fixture(options: ConstructorParameters<typeof Authenticator>[3] = {}, username = 'kim@wso2.com') {
  const user: StoredUser = {
    id: 'u1',
    tenant: 'carbon.super',
    username,
    passwordHash: await hashPassword('secret-123'),
    resource: { userName: 'kim@wso2.com' },
    claims: {},
    roles: ['admin'],
    createdAt: 0,
    updatedAt: 0,
    version: 1,
  } as StoredUser;
  let lookups = 0;
  const users = {
    findByUsername: async (tenant: string, username: string) => {
      lookups += 1;
      return tenant === 'carbon.super' && username.normalize('NFC').toLowerCase() === user.username ? user : undefined;
    },
  } as unknown as UserRepository;
  const auth = new Authenticator(users, policy, new CredentialCache(), options);
  const signIn = (login: string, password: string, clientAddress = '127.0.0.1', tenant = 'carbon.super', tenantKnown = true) =>
    auth.signIn({ tenant, tenantKnown, login, password, clientAddress });
  return { auth, signIn, user, lookups: () => lookups };
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { kind?: string }) => e.kind ?? 'error',
  );

describe('Authenticator', () => {
  it('lets 64 parallel clients with valid credentials in (one shared verification, nothing counted as a failure)', async () => {
    const { signIn } = await fixture({ verificationSlots: 1 });
    const results = await Promise.all(Array.from({ length: 64 }, () => outcome(signIn('kim@wso2.com', 'secret-123'))));
    expect(results.filter((r) => r !== 'ok')).toEqual([]);
    // Remembered now: a second wave costs nothing and still passes.
    expect(await Promise.all(Array.from({ length: 64 }, () => outcome(signIn('kim@wso2.com', 'secret-123'))))).toEqual(Array(64).fill('ok'));
  });

  it('refuses a password with a control character appended, although the password before it is right', async () => {
    const { signIn } = await fixture();
    await expect(signIn('kim@wso2.com', 'secret-123\0')).rejects.toThrow('Invalid credentials');
    await expect(signIn('kim@wso2.com\u0007', 'secret-123')).rejects.toThrow('Invalid credentials');
    await expect(signIn('kim@wso2.com', 'secret-123')).resolves.toMatchObject({ id: 'u1' });
  });

  it('gives one name written several ways (case, tenant suffix, Unicode normal forms) one failure budget', async () => {
    const nfc = 'zo\u00eb@wso2.com';
    const nfd = 'zoe\u0308@wso2.com';
    const { signIn } = await fixture({ failureLimit: 4 }, nfc);
    for (const login of [nfc, nfd.toUpperCase(), `${nfd}@carbon.super`, 'ZO\u00cb@WSO2.COM']) {
      expect(await outcome(signIn(login, 'wrong-pass'))).toBe('unauthenticated');
    }
    expect(await outcome(signIn(`${nfc}@CARBON.SUPER`, 'secret-123'))).toBe('rate-limited');
    // Only from this address.
    expect(await outcome(signIn(nfd, 'secret-123', '10.0.0.9'))).toBe('ok');
  });

  it('cannot be pushed past the failure budget by guessing in parallel, for known and unknown names alike', async () => {
    const { signIn } = await fixture({ failureLimit: 5 });
    for (const name of ['kim@wso2.com', 'nobody@wso2.com']) {
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => outcome(signIn(name, `guess-${i}`))));
      expect(results.filter((r) => r === 'unauthenticated').length, name).toBe(5);
      expect(results.filter((r) => r === 'rate-limited').length, name).toBe(25);
    }
  });

  it('counts a refused guess as a failure, so the right password is refused too once the budget is gone', async () => {
    const { signIn } = await fixture({ failureLimit: 3, addressFailureLimit: 1 });
    // The real user signs in (remembered), then an attacker on another address spends its budget.
    expect(await outcome(signIn('kim@wso2.com', 'secret-123', '10.1.1.1'))).toBe('ok');
    expect(await outcome(signIn('ghost@wso2.com', 'x', '10.6.6.6'))).toBe('unauthenticated');
    for (let i = 0; i < 3; i += 1) expect(await outcome(signIn('kim@wso2.com', `guess-${i}`, '10.6.6.6'))).toBe('rate-limited');
    // Even the right (remembered) password is now refused from there; the real user is not affected.
    expect(await outcome(signIn('kim@wso2.com', 'secret-123', '10.6.6.6'))).toBe('rate-limited');
    expect(await outcome(signIn('kim@wso2.com', 'secret-123', '10.1.1.1'))).toBe('ok');
  });

  it('answers an unknown tenant or name like a wrong password, and budgets failures per address', async () => {
    const { signIn } = await fixture({ addressFailureLimit: 3 });
    await expect(signIn('kim@wso2.com', 'secret-123', '127.0.0.2', 'nosuch.com', false)).rejects.toThrow('Invalid credentials');
    await expect(signIn('nobody@wso2.com', 'x', '127.0.0.2')).rejects.toThrow('Invalid credentials');
    await expect(signIn('kim@wso2.com', 'wrong-pass', '::ffff:127.0.0.2')).rejects.toThrow('Invalid credentials');
    // The budget is spent (an IPv4-mapped address is the same address): whatever the name, sign-ins
    // that need a verification wait.
    expect(await outcome(signIn('another@wso2.com', 'x', '127.0.0.2'))).toBe('rate-limited');
    expect(await outcome(signIn('kim@wso2.com', 'secret-123', '127.0.0.2'))).toBe('rate-limited');
    // Another address is not affected; a remembered credential passes even from the spent one.
    expect(await outcome(signIn('kim@wso2.com', 'secret-123', '127.0.0.1'))).toBe('ok');
    expect(await outcome(signIn('kim@wso2.com', 'secret-123', '127.0.0.2'))).toBe('ok');
  });
});

describe('sign-in limits', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sign-in-'));
    const url = testDatabaseUrl(dir, dir);
    await ensureTestDatabase(url);
    database = await openDatabase(url);
  });
  afterAll(async () => {
    await database?.close();
  });

  for (const [name, make] of [
    ['in memory', () => new MemorySignInCounters()],
    ['in the database', () => new DatabaseSignInCounters(database)],
  ] as const) {
    it(`FailureThrottle counts failures within a window (${name})`, async () => {
      let now = 1_000_000;
      const throttle = new FailureThrottle(make(), 2, 1000, () => now);
      await throttle.failed('k');
      await throttle.check('k');
      await throttle.failed('k');
      await expect(throttle.check('k')).rejects.toThrow(/Too many failed sign-ins/);
      await expect(throttle.check('other')).resolves.toBeUndefined();
      now += 1000;
      await expect(throttle.check('k')).resolves.toBeUndefined();
      const end = await throttle.acquire('k');
      await throttle.failed('k');
      await expect(throttle.check('k')).rejects.toThrow();
      await expect(throttle.acquire('k')).rejects.toThrow(/Too many failed sign-ins/);
      end();
      await throttle.succeeded('k');
      await expect(throttle.check('k')).resolves.toBeUndefined();
    });

    it(`AddressBudget refuses an address once its budget is spent, until the window ends (${name})`, async () => {
      let now = 1_000_000;
      const budget = new AddressBudget(make(), 2, 1000, () => now);
      await budget.spend('a');
      await budget.spend('a');
      await expect(budget.check('a')).rejects.toThrow(/from this address/);
      await expect(budget.check('b')).resolves.toBeUndefined();
      now += 1001;
      await expect(budget.check('a')).resolves.toBeUndefined();
    });
  }

  it('shares one budget between instances counting in one database', async () => {
    const a = new FailureThrottle(new DatabaseSignInCounters(database), 3);
    const b = new FailureThrottle(new DatabaseSignInCounters(database), 3);
    await a.failed('tenant\u0000shared\u0000127.0.0.1');
    await b.failed('tenant\u0000shared\u0000127.0.0.1');
    await a.failed('tenant\u0000shared\u0000127.0.0.1');
    await expect(b.check('tenant\u0000shared\u0000127.0.0.1')).rejects.toThrow(/Too many failed sign-ins/);
  });

  it('VerificationSlots runs at most `slots` at once, takes turns by address and bounds each address', async () => {
    const slots = new VerificationSlots(1, 2);
    const order: string[] = [];
    const release: Array<() => void> = [];
    const task = (address: string, name: string) =>
      slots.run(address, async () => {
        order.push(name);
        await new Promise<void>((r) => release.push(r));
      });
    const running = task('flood', 'f0');
    const queued = [task('flood', 'f1'), task('flood', 'f2')];
    await expect(task('flood', 'f3')).rejects.toThrow(/Too many sign-ins are being verified/);
    const real = task('real', 'r0');
    while (order.length < 4 || release.length > 0) {
      release.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all([running, ...queued, real]);
    // The real user's sign-in went next, ahead of the flood's queue.
    expect(order).toEqual(['f0', 'f1', 'r0', 'f2']);
  });

  it('clientKey treats IPv4-mapped IPv6 as IPv4 and IPv6 by its /64', () => {
    expect(clientKey('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:bbbb::2'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
  });
});
