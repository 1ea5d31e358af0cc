import ipaddr from 'ipaddr.js';
import { RateLimitedError } from '@provisioning/errors';

/** A counter with a window: how many, and until when they count. */
export interface WindowCount {
  count: number;
  windowEnds: number;
}

/**
 * Where sign-in failures are counted. The server counts in the database (`sign_in_counters`), so
 * every instance of a cluster sees the same budgets; tests may count in memory.
 */
export interface SignInCounters {
  /** The live count of a key (undefined when none, or its window has ended). */
  get(scope: string, key: string, now: number): Promise<WindowCount | undefined>;
  /** Adds one; a key whose window has ended starts a new window of `windowMs`. */
  increment(scope: string, key: string, now: number, windowMs: number): Promise<void>;
  clear(scope: string, key: string): Promise<void>;
}

/** Counters in this process only, bounded (expired entries go first, then the oldest). */
export class MemorySignInCounters implements SignInCounters {
  readonly #entries = new Map<string, WindowCount>();

  constructor(private readonly maxKeys = 100_000) {}

  async get(scope: string, key: string, now: number): Promise<WindowCount | undefined> {
    const entry = this.#entries.get(`${scope}\0${key}`);
    return entry && entry.windowEnds > now ? { ...entry } : undefined;
  }

  async increment(scope: string, key: string, now: number, windowMs: number): Promise<void> {
    const id = `${scope}\0${key}`;
    const entry = this.#entries.get(id);
    if (entry && entry.windowEnds > now) entry.count += 1;
    else this.#entries.set(id, { count: 1, windowEnds: now + windowMs });
    if (this.#entries.size <= this.maxKeys) return;
    for (const [k, e] of this.#entries) if (e.windowEnds <= now) this.#entries.delete(k);
    for (const k of this.#entries.keys()) {
      if (this.#entries.size <= this.maxKeys * 0.9) break;
      this.#entries.delete(k);
    }
  }

  async clear(scope: string, key: string): Promise<void> {
    this.#entries.delete(`${scope}\0${key}`);
  }
}

/**
 * Failed sign-ins per key (tenant, normalised name, client address): after `limit` failures within
 * the window, that key gets 429 for the rest of it, so a password cannot be guessed quickly from one
 * place while nobody can lock a user out from elsewhere. Only failures count: valid clients signing
 * in in parallel are never throttled. Distinct verifications in flight (on this instance) count
 * against what is left of the budget, so a parallel burst of guesses cannot overshoot it.
 */
export class FailureThrottle {
  readonly #inFlight = new Map<string, number>();
  /** Recently read counts, for checks that may be a moment stale (remembered sign-ins). */
  readonly #recent = new Map<string, { entry: WindowCount | undefined; readAt: number }>();

  constructor(
    private readonly counters: SignInCounters,
    private readonly limit = 10,
    private readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Throws 429 when the key has used its budget (failures plus distinct verifications in flight).
   * With `maxAgeMs`, a count read that recently is trusted (a remembered sign-in then costs no
   * database read, and a locked key still refuses it within that time).
   */
  async check(key: string, maxAgeMs = 0): Promise<void> {
    const now = this.now();
    const recent = maxAgeMs > 0 ? this.#recent.get(key) : undefined;
    const entry = recent && now - recent.readAt <= maxAgeMs ? recent.entry : await this.counters.get('name', key, now);
    if (maxAgeMs > 0 && recent?.readAt !== now) this.remember(key, entry, now);
    const used = (entry?.count ?? 0) + (this.#inFlight.get(key) ?? 0);
    if (used >= this.limit) {
      throw new RateLimitedError('Too many failed sign-ins; try again later', entry ? entry.windowEnds - now : this.windowMs);
    }
  }

  /**
   * A distinct verification starts for this key, if its budget allows one more: the slot is taken
   * before the count is read, so parallel attempts cannot all pass the check together. Resolves to
   * the function that ends it; throws 429 (slot given back) when the budget is used.
   */
  async acquire(key: string): Promise<() => void> {
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const left = (this.#inFlight.get(key) ?? 1) - 1;
      if (left <= 0) this.#inFlight.delete(key);
      else this.#inFlight.set(key, left);
    };
    try {
      const now = this.now();
      const entry = await this.counters.get('name', key, now);
      if ((entry?.count ?? 0) + (this.#inFlight.get(key) ?? 0) > this.limit) {
        throw new RateLimitedError('Too many failed sign-ins; try again later', entry ? entry.windowEnds - now : this.windowMs);
      }
    } catch (error) {
      end();
      throw error;
    }
    return end;
  }

  async failed(key: string): Promise<void> {
    this.#recent.delete(key);
    await this.counters.increment('name', key, this.now(), this.windowMs);
  }

  async succeeded(key: string): Promise<void> {
    this.#recent.delete(key);
    await this.counters.clear('name', key);
  }

  private remember(key: string, entry: WindowCount | undefined, now: number): void {
    this.#recent.set(key, { entry, readAt: now });
    if (this.#recent.size > 10_000) {
      for (const [k, v] of this.#recent) if (now - v.readAt > 60_000 || this.#recent.size > 9_000) this.#recent.delete(k);
    }
  }
}

/**
 * Failed sign-ins per client address, whatever the name (unknown names and tenants included): each
 * failure cost a full verification (a dummy one for unknown names, so answers do not tell which
 * names exist). Beyond the budget, every sign-in from that address that would need a verification
 * gets 429 for the rest of the window, so one address cannot keep the verifier busy, nor guess
 * across many names. Sign-ins already verified and remembered are not affected.
 */
export class AddressBudget {
  constructor(
    private readonly counters: SignInCounters,
    private readonly budget = 100,
    private readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws 429 when the address has spent its budget. */
  async check(address: string): Promise<void> {
    const now = this.now();
    const entry = await this.counters.get('address', address, now);
    if (entry && entry.count >= this.budget) {
      throw new RateLimitedError('Too many failed sign-ins from this address; try again later', entry.windowEnds - now);
    }
  }

  async spend(address: string): Promise<void> {
    await this.counters.increment('address', address, this.now(), this.windowMs);
  }
}

/**
 * The key a client address is budgeted under: IPv4-mapped IPv6 as plain IPv4, other IPv6 addresses
 * by their /64 (one subscriber's prefix), so rotating addresses inside a prefix gains nothing.
 */
export function clientKey(address: string): string {
  try {
    const parsed = ipaddr.process(address.replace(/%.*$/, ''));
    if (parsed.kind() === 'ipv4') return parsed.toString();
    return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
  } catch {
    return address;
  }
}

/**
 * Bounds concurrent password verifications server-wide (scrypt is memory-hard and runs on libuv's
 * small thread pool): at most `slots` at once. Waiting sign-ins take turns by client address, so a
 * flood from a few addresses cannot make a sign-in from anywhere else wait behind it; each address
 * may have at most `perAddress` waiting, and beyond that its sign-ins get 429 at once.
 */
export class VerificationSlots {
  #running = 0;
  /** Waiting sign-ins by address; Map order is the turn order. */
  readonly #waiting = new Map<string, Array<() => void>>();

  constructor(
    private readonly slots: number,
    private readonly perAddress: number,
  ) {}

  async run<T>(address: string, task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.slots) {
      const queue = this.#waiting.get(address) ?? [];
      if (queue.length >= this.perAddress) throw new RateLimitedError('Too many sign-ins are being verified; try again in a moment', 1_000);
      await new Promise<void>((resolve) => {
        queue.push(resolve);
        this.#waiting.set(address, queue);
      });
    } else {
      this.#running += 1;
    }
    try {
      return await task();
    } finally {
      this.#handOver();
    }
  }

  /** Gives the freed slot to the next address in turn (which then goes to the back of the line). */
  #handOver(): void {
    const next = this.#waiting.entries().next();
    if (next.done) {
      this.#running -= 1;
      return;
    }
    const [address, queue] = next.value;
    const resolve = queue.shift()!;
    this.#waiting.delete(address);
    if (queue.length > 0) this.#waiting.set(address, queue);
    resolve();
  }
}
