import { RateLimitedError } from '@provisioning/errors';

/**
 * Failed sign-ins per (tenant, username): after `limit` failures within `windowMs` further attempts
 * are refused for the rest of the window without checking the password, so guessing is slow and a
 * flood of wrong passwords cannot make the server compute memory-hard hashes without end.
 */
const MAX_KEYS = 100_000;

export class LoginThrottle {
  readonly #failures = new Map<string, { count: number; windowEnds: number }>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts an attempt before the password is checked (so concurrent attempts cannot slip past the
   * limit); throws when the key is locked out. A successful sign-in then calls {@link succeeded}.
   */
  attempt(key: string): void {
    const now = this.now();
    let entry = this.#failures.get(key);
    if (!entry || entry.windowEnds <= now) {
      entry = { count: 0, windowEnds: now + this.windowMs };
      this.#failures.set(key, entry);
      if (this.#failures.size > MAX_KEYS) this.evict(now);
    }
    if (entry.count >= this.limit) {
      throw new RateLimitedError('Too many failed sign-ins; try again later', entry.windowEnds - now);
    }
    entry.count += 1;
  }

  succeeded(key: string): void {
    this.#failures.delete(key);
  }

  /** Expired entries first, then the oldest (Map keeps insertion order): memory stays bounded. */
  private evict(now: number): void {
    for (const [key, entry] of this.#failures) if (entry.windowEnds <= now) this.#failures.delete(key);
    for (const key of this.#failures.keys()) {
      if (this.#failures.size <= MAX_KEYS * 0.9) break;
      this.#failures.delete(key);
    }
  }
}
