import { RateLimitedError } from '@provisioning/errors';

/**
 * Failed sign-ins per (tenant, username): after `limit` failures within `windowMs` further attempts
 * are refused for the rest of the window without checking the password, so guessing is slow and a
 * flood of wrong passwords cannot make the server compute memory-hard hashes without end.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, { count: number; windowEnds: number }>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws when the key is locked out. */
  check(key: string): void {
    const entry = this.#failures.get(key);
    if (!entry) return;
    const now = this.now();
    if (entry.windowEnds <= now) {
      this.#failures.delete(key);
      return;
    }
    if (entry.count >= this.limit) {
      throw new RateLimitedError('Too many failed sign-ins; try again later', entry.windowEnds - now);
    }
  }

  failed(key: string): void {
    const now = this.now();
    const entry = this.#failures.get(key);
    if (!entry || entry.windowEnds <= now) this.#failures.set(key, { count: 1, windowEnds: now + this.windowMs });
    else entry.count += 1;
    if (this.#failures.size > 100_000) this.prune(now);
  }

  succeeded(key: string): void {
    this.#failures.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.#failures) if (entry.windowEnds <= now) this.#failures.delete(key);
  }
}
