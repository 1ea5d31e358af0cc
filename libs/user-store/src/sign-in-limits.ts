import ipaddr from 'ipaddr.js';
import { RateLimitedError } from '@provisioning/errors';

/** A bounded map of per-key windows: expired entries go first, then the oldest (Map order). */
class Windows<T extends { windowEnds: number }> {
  readonly #entries = new Map<string, T>();

  constructor(private readonly maxKeys: number) {}

  get(key: string, now: number): T | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.windowEnds <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, entry: T, now: number): void {
    this.#entries.set(key, entry);
    if (this.#entries.size <= this.maxKeys) return;
    for (const [k, e] of this.#entries) if (e.windowEnds <= now) this.#entries.delete(k);
    for (const k of this.#entries.keys()) {
      if (this.#entries.size <= this.maxKeys * 0.9) break;
      this.#entries.delete(k);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

/**
 * Failed sign-ins per key (tenant, normalised name, client address): after `limit` failures within
 * the window, that key gets 429 for the rest of it, so a password cannot be guessed quickly from one
 * place while nobody can lock a user out from elsewhere. Only failures count: valid clients signing
 * in in parallel are never throttled. Distinct verifications in flight count against what is left of
 * the budget, so a parallel burst of guesses cannot overshoot it.
 */
export class FailureThrottle {
  readonly #windows: Windows<{ failures: number; windowEnds: number }>;
  readonly #inFlight = new Map<string, number>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
    maxKeys = 100_000,
  ) {
    this.#windows = new Windows(maxKeys);
  }

  /** Throws 429 when the key has used its budget (failures plus distinct verifications in flight). */
  check(key: string): void {
    const now = this.now();
    const entry = this.#windows.get(key, now);
    const used = (entry?.failures ?? 0) + (this.#inFlight.get(key) ?? 0);
    if (used >= this.limit) {
      throw new RateLimitedError('Too many failed sign-ins; try again later', entry ? entry.windowEnds - now : this.windowMs);
    }
  }

  /** A distinct verification starts for this key; the returned function ends it. */
  begin(key: string): () => void {
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.#inFlight.get(key) ?? 1) - 1;
      if (left <= 0) this.#inFlight.delete(key);
      else this.#inFlight.set(key, left);
    };
  }

  failed(key: string): void {
    const now = this.now();
    const entry = this.#windows.get(key, now) ?? { failures: 0, windowEnds: now + this.windowMs };
    entry.failures += 1;
    this.#windows.set(key, entry, now);
  }

  succeeded(key: string): void {
    this.#windows.delete(key);
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
  readonly #windows: Windows<{ spent: number; windowEnds: number }>;

  constructor(
    private readonly budget = 100,
    private readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
    maxKeys = 100_000,
  ) {
    this.#windows = new Windows(maxKeys);
  }

  /** Throws 429 when the address has spent its budget. */
  check(address: string): void {
    const now = this.now();
    const entry = this.#windows.get(address, now);
    if (entry && entry.spent >= this.budget) {
      throw new RateLimitedError('Too many failed sign-ins from this address; try again later', entry.windowEnds - now);
    }
  }

  spend(address: string): void {
    const now = this.now();
    const entry = this.#windows.get(address, now) ?? { spent: 0, windowEnds: now + this.windowMs };
    entry.spent += 1;
    this.#windows.set(address, entry, now);
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
