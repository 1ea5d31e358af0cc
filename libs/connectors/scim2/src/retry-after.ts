/**
 * Milliseconds a `Retry-After` header asks us to wait (RFC 9110 10.2.3: delay-seconds or an HTTP
 * date), or undefined when absent or unreadable. Passed on as `retryAfterMs` so the engine waits as long
 * as the target asked instead of its own backoff.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
