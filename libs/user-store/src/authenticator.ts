import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { RateLimitedError, UnauthenticatedError } from '@provisioning/errors';
import type { CredentialCache, PresentedCredential, StoredCredential } from './credential-cache';
import { hasControlCharacter } from './control-characters';
import { hashPassword, verifyPassword } from './password-hash';
import { AddressBudget, FailureThrottle, MemorySignInCounters, VerificationSlots, clientKey } from './sign-in-limits';
import type { SignInCounters } from './sign-in-limits';
import { usernameKey } from './tenant-username';
import type { StoredUser, UserRepository } from './user-repository';
import type { UserStorePolicy } from './user-store-policy';

/** One sign-in (HTTP Basic), as the HTTP layer hands it over. */
export interface SignInRequest {
  /** The tenant the request is for (from `/t/{tenant}/...`, else the super tenant), lower-cased. */
  tenant: string;
  /** Whether that tenant exists; an unknown one is answered exactly like a wrong password. */
  tenantKnown: boolean;
  login: string;
  password: string;
  /** The client's address: failure budgets are per address, so nobody locks a user out from elsewhere. */
  clientAddress: string;
}

export interface AuthenticatorOptions {
  /** Failed sign-ins per (tenant, name, address) within `windowMs` before 429 (default 10). */
  failureLimit?: number;
  /** Failed sign-ins per client address (any name, unknown ones included) within `windowMs` before 429 (default 100). */
  addressFailureLimit?: number;
  windowMs?: number;
  /** Password verifications at once, server-wide (default: half of libuv's thread pool, at least 1). */
  verificationSlots?: number;
  /** Sign-ins one address may have waiting for a verification before 429 (default 8). */
  waitingPerAddress?: number;
  /** Where failures are counted (default: in this process; the server counts in the database, cluster-wide). */
  counters?: SignInCounters;
  now?: () => number;
}

let dummy: Promise<string> | undefined;
/** A hash to verify against when there is no user, so the answer takes as long as a real check. */
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}

const invalid = () => new UnauthenticatedError('Invalid credentials');

/** Half of libuv's thread pool: the other half stays for DNS lookups, file I/O and zlib. */
function defaultSlots(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(Math.floor(pool / 2), availableParallelism()));
}

/**
 * Signs users in with HTTP Basic credentials, and holds up under load and under attack:
 * - a credential verified recently is remembered ({@link CredentialCache}), so valid clients cost no
 *   memory-hard hash and never wait for one; identical credentials verified at the same moment share
 *   one verification, so dozens of parallel requests of an identity provider cost one hash;
 * - only failures count against the per-(tenant, name, address) budget ({@link FailureThrottle}),
 *   keyed by the same normalised name the user lookup uses, and a refused attempt counts as a
 *   failure too (guessing while the right password is remembered gains nothing);
 * - unknown names, unknown tenants and deactivated users go through exactly the same path against
 *   a dummy hash (same message, same time, same throttling), so answers do not tell which exist;
 * - failures also spend a per-address budget ({@link AddressBudget}), so a random-name flood stops
 *   costing hashes, and verifications run in a few server-wide slots that addresses take turns at
 *   ({@link VerificationSlots}), so a flood cannot make anyone else's sign-in wait behind it;
 * - credentials with control characters are refused outright (`password + "\0"` would otherwise
 *   verify as `password`: HMAC pads keys with zeros).
 */
export class Authenticator {
  readonly #failures: FailureThrottle;
  readonly #addresses: AddressBudget;
  readonly #slots: VerificationSlots;
  readonly #pending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly users: UserRepository,
    private readonly policy: UserStorePolicy,
    private readonly cache: CredentialCache,
    options: AuthenticatorOptions = {},
  ) {
    const windowMs = options.windowMs ?? 5 * 60_000;
    const now = options.now ?? Date.now;
    const counters = options.counters ?? new MemorySignInCounters();
    this.#failures = new FailureThrottle(counters, options.failureLimit ?? 10, windowMs, now);
    this.#addresses = new AddressBudget(counters, options.addressFailureLimit ?? 100, windowMs, now);
    this.#slots = new VerificationSlots(options.verificationSlots ?? defaultSlots(), options.waitingPerAddress ?? 8);
  }

  /** The signed-in user, or UnauthenticatedError (401) / RateLimitedError (429). */
  async signIn(request: SignInRequest): Promise<StoredUser> {
    const { tenant, login, password } = request;
    if (hasControlCharacter(login) || hasControlCharacter(password)) throw invalid();
    const address = clientKey(request.clientAddress);
    const username = this.localName(request);
    const key = `${tenant}\0${usernameKey(username ?? `?${login}`).slice(0, 512)}\0${address}`;
    const found = username === undefined ? undefined : await this.users.findByUsername(tenant, username);
    const account = found?.passwordHash ? found : undefined;
    // A deactivated user keeps their data but signs in no more; the check costs the same time.
    const active = account !== undefined && (account.resource as { active?: unknown }).active !== false;
    const presented: PresentedCredential = { tenantDomain: tenant, username: account?.username ?? username ?? login, password };
    const stored: StoredCredential = { userId: account?.id ?? '', passwordHash: account?.passwordHash ?? (await dummyHash()) };
    // A remembered credential trusts a count read within the last second: no database read per
    // request, and a locked name still refuses it (else a guesser could tell the right password).
    if (account && active && this.cache.lookup(presented, stored)) {
      await this.#failures.check(key, 1_000);
      return account;
    }
    let verified: boolean;
    try {
      await this.#failures.check(key);
      await this.#addresses.check(address);
      verified = await this.verify(key, address, presented, stored);
    } catch (error) {
      // A refused attempt is a failed one: no password can be tried past the budget, cached or not.
      if (error instanceof RateLimitedError) await this.#failures.failed(key);
      throw error;
    }
    if (!verified || !account || !active) {
      await Promise.all([this.#failures.failed(key), this.#addresses.spend(address)]);
      throw invalid();
    }
    this.cache.remember(presented, stored);
    await this.#failures.succeeded(key);
    return account;
  }

  /** The user name inside the request's tenant, or undefined when the login cannot name a user there. */
  private localName(request: SignInRequest): string | undefined {
    if (!request.tenantKnown) return undefined;
    try {
      const qualified = this.policy.parseQualifiedUsername(request.login, request.tenant);
      return qualified.tenantDomain === request.tenant ? qualified.username : undefined;
    } catch {
      return undefined;
    }
  }

  /** One verification per distinct credential at a time; concurrent identical ones share it. */
  private verify(key: string, address: string, presented: PresentedCredential, stored: StoredCredential): Promise<boolean> {
    const fingerprint = this.cache.fingerprint(presented);
    const flight = fingerprint === undefined ? undefined : `${fingerprint}\0${stored.userId}\0${stored.passwordHash}`;
    const pending = flight === undefined ? undefined : this.#pending.get(flight);
    if (pending) return pending;
    const promise = this.#failures.acquire(key).then((end) =>
      this.#slots.run(address, () => verifyPassword(presented.password, stored.passwordHash)).finally(end),
    ).finally(() => {
      if (flight !== undefined && this.#pending.get(flight) === promise) this.#pending.delete(flight);
    });
    if (flight !== undefined) this.#pending.set(flight, promise);
    return promise;
  }
}
