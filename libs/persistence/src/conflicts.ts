import { ConflictError, isProvisioningError } from '@provisioning/errors';

/** A unique constraint refused a row (PostgreSQL 23505, SQLite's UNIQUE/PRIMARY KEY constraints). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * A write that lost a race and may simply be run again: an optimistic version check that found a
 * newer version (a {@link ConflictError} marked `concurrent`), or PostgreSQL's serialization failure
 * (40001) or deadlock (40P01). On SQLite writes are serialised and these never happen; on PostgreSQL
 * concurrent requests (or instances) writing the same rows do.
 */
export function isConcurrentConflict(error: unknown): boolean {
  if (isProvisioningError(error)) return error.kind === 'conflict' && error.details?.concurrent === true;
  const code = (error as { code?: string } | undefined)?.code;
  return code === '40001' || code === '40P01';
}

/** The conflict error a lost optimistic version check throws (retryable by {@link withConflictRetry}). */
export function concurrentChange(what: string, code?: string): ConflictError {
  return new ConflictError(`${what} was changed concurrently; retry`, { ...(code ? { code } : {}), details: { concurrent: true } });
}

/**
 * Runs a whole transaction again when it lost a race ({@link isConcurrentConflict}), a few times,
 * with a short random pause, so concurrent writers to the same rows both succeed instead of one
 * getting a 409 it can do nothing about.
 */
export async function withConflictRetry<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (!isConcurrentConflict(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
