import type { ProvisioningError } from '@provisioning/errors';
import { isProvisioningError } from '@provisioning/errors';
import type { ProvisioningSettings } from './settings';

export type FailureDecision = { retry: true; delayMs: number } | { retry: false };

/** Whether a failure can heal by itself (network, 5xx, limits) or needs a person (validation, rejection). */
export function isTransient(error: unknown): boolean {
  if (!isProvisioningError(error)) return true; // unexpected errors: retry, they are logged with a stack
  const kind = (error as ProvisioningError).kind;
  return kind === 'upstream-unavailable' || kind === 'upstream-throttled';
}

/**
 * Exponential backoff with full jitter, honouring a remote Retry-After; dead-letters after maxAttempts.
 * `attempts` counts the attempt that just failed.
 */
export function decideAfterFailure(error: unknown, attempts: number, settings: ProvisioningSettings, random = Math.random): FailureDecision {
  if (!isTransient(error) || attempts >= settings.maxAttempts) return { retry: false };
  const ceiling = Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs ?? 0;
  return { retry: true, delayMs: Math.max(jittered, retryAfter) };
}
