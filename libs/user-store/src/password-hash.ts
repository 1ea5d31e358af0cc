import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@provisioning/errors';

/** scrypt cost: N = 2^ln, block size r, parallelism p. */
export interface ScryptParams {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/**
 * Today's cost: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds), OWASP's scrypt baseline.
 * Stored hashes carry their own parameters, so this can be raised later; {@link needsRehash}
 * then reports old hashes for re-hashing at the next successful login.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = Object.freeze({ ln: 15, r: 8, p: 1 });

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Refuse parameters that would need more memory than this (a corrupt or hostile stored hash). */
const MAX_MEMORY = 256 * 1024 * 1024;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{22,})$/;

interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function paramsProblem({ ln, r, p }: ScryptParams): string | undefined {
  if (![ln, r, p].every(Number.isInteger)) return 'ln, r and p must be integers';
  if (ln < 1 || ln > 24 || r < 1 || r > 64 || p < 1 || p > 16) return 'ln, r or p out of range';
  if (128 * 2 ** ln * r > MAX_MEMORY) return `needs more than ${MAX_MEMORY / 1024 / 1024} MiB`;
  return undefined;
}

function parse(stored: string): ParsedHash | undefined {
  const m = typeof stored === 'string' ? PHC.exec(stored) : null;
  if (!m) return undefined;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (paramsProblem(params) !== undefined) return undefined;
  const salt = Buffer.from(m[4], 'base64');
  const hash = Buffer.from(m[5], 'base64');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined;
  return { params, salt, hash };
}

function derive(plain: string, salt: Buffer, { ln, r, p }: ScryptParams, keyLength: number): Promise<Buffer> {
  const N = 2 ** ln;
  // OpenSSL needs 128*r*(N+p) bytes plus a little; the default maxmem (32 MiB) is too small for N=2^15, r=8.
  const maxmem = 128 * r * (N + p) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(plain, 'utf8'), salt, keyLength, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');

/**
 * Hashes a password with scrypt (memory-hard, so stolen hashes are expensive to attack on GPUs)
 * and a fresh 16-byte salt, as a PHC-style string: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`
 * (unpadded base64). Only this string is ever stored.
 */
export async function hashPassword(plain: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  if (typeof plain !== 'string') throw new ValidationError('The password must be a string');
  const problem = paramsProblem(params);
  if (problem !== undefined) throw new ValidationError(`Invalid scrypt parameters: ${problem}`, { details: { ...params } });
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(plain, salt, params, KEY_BYTES);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/**
 * Checks a password against a stored hash, with the parameters the hash was made with, comparing
 * in constant time. A malformed stored value never verifies (returns false).
 */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === undefined || typeof plain !== 'string') return false;
  const candidate = await derive(plain, parsed.salt, parsed.params, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * True when a stored hash is weaker than `target` (or unreadable), so the caller re-hashes the
 * password it has just verified.
 */
export function needsRehash(stored: string, target: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parse(stored);
  if (parsed === undefined) return true;
  const { ln, r, p } = parsed.params;
  return ln < target.ln || r < target.r || p < target.p || parsed.salt.length < SALT_BYTES || parsed.hash.length < KEY_BYTES;
}
