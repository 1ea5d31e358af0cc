import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@provisioning/errors';

/** A Basic-auth credential as presented, after tenant resolution. */
export interface PresentedCredential {
  readonly tenantDomain: string;
  readonly username: string;
  readonly password: string;
}

/** The stored user the credential was (or is to be) checked against. */
export interface StoredCredential {
  readonly userId: string;
  /** The stored password hash string (e.g. `$scrypt$...`). */
  readonly passwordHash: string;
}

/** Options of {@link CredentialCache}. */
export interface CredentialCacheOptions {
  /** HMAC key (at least 16 bytes); defaults to 32 random bytes, so keys die with the process. */
  readonly secret?: Uint8Array;
  /** How long a verification is trusted, from the moment it was made (default 60 s). */
  readonly ttlMs?: number;
  /** Upper bound on entries; the least recently used go first (default 10 000). */
  readonly maxEntries?: number;
  /** Clock, injectable for tests (default `Date.now`). */
  readonly now?: () => number;
}

interface Entry {
  readonly userId: string;
  /** SHA-256 of the stored hash string the password was verified against. */
  readonly passwordHashVersion: Buffer;
  readonly expiresAt: number;
}

/**
 * Remembers, briefly, that a Basic credential was verified, so a memory-hard password hash is not
 * recomputed on every request (which would cap the server at a few dozen requests per second).
 *
 * Entries are keyed by HMAC-SHA256(process secret, tenant NUL username NUL password): the password
 * is never kept, and the key is useless outside this process. A hit also requires the user's
 * current id and stored hash to equal those verified, so a changed password (new hash) or a
 * re-created user misses at once; {@link invalidateUser} additionally drops entries eagerly.
 * Credentials containing NUL are never cached (they would make the key ambiguous).
 */
export class CredentialCache {
  readonly #secret: Uint8Array;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: CredentialCacheOptions = {}) {
    this.#secret = options.secret ?? randomBytes(32);
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
    if (this.#secret.length < 16) throw new ValidationError('CredentialCache secret must be at least 16 bytes');
    if (!(this.#ttlMs > 0)) throw new ValidationError(`CredentialCache ttlMs must be positive, got ${this.#ttlMs}`);
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new ValidationError(`CredentialCache maxEntries must be a positive integer, got ${this.#maxEntries}`);
    }
  }

  /** Number of entries held (expired ones included until they are touched or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * True when this exact credential was verified for this user, against this stored hash, within
   * the TTL. On false, verify the password for real and call {@link remember}.
   */
  lookup(credential: PresentedCredential, current: StoredCredential): boolean {
    const key = this.#keyOf(credential);
    if (key === undefined) return false;
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    if (this.#now() >= entry.expiresAt || entry.userId !== current.userId || !timingSafeEqual(entry.passwordHashVersion, versionOf(current.passwordHash))) {
      this.#entries.delete(key);
      return false;
    }
    // Refresh recency (Map order is the LRU order); the expiry stays where it was.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return true;
  }

  /** Records a successful verification of `credential` against `verified`. */
  remember(credential: PresentedCredential, verified: StoredCredential): void {
    const key = this.#keyOf(credential);
    if (key === undefined) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, {
      userId: verified.userId,
      passwordHashVersion: versionOf(verified.passwordHash),
      expiresAt: this.#now() + this.#ttlMs,
    });
  }

  /**
   * The keyed hash this cache files a credential under (never the password): lets callers recognise
   * the same credential presented twice at once, e.g. to share one verification.
   */
  fingerprint(credential: PresentedCredential): string | undefined {
    return this.#keyOf(credential);
  }

  /** Drops every entry of a user: call it when the password changes or the user is disabled or deleted. */
  invalidateUser(userId: string): void {
    for (const [key, entry] of this.#entries) {
      if (entry.userId === userId) this.#entries.delete(key);
    }
  }

  /** Drops everything. */
  clear(): void {
    this.#entries.clear();
  }

  #keyOf({ tenantDomain, username, password }: PresentedCredential): string | undefined {
    if ([tenantDomain, username, password].some((part) => typeof part !== 'string' || part.includes('\0'))) return undefined;
    return createHmac('sha256', this.#secret).update(`${tenantDomain}\0${username}\0${password}`, 'utf8').digest('base64url');
  }
}

function versionOf(passwordHash: string): Buffer {
  return createHash('sha256').update(String(passwordHash), 'utf8').digest();
}
