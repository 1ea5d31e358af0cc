import { isProvisioningError } from '@provisioning/errors';
import { decideAfterFailure } from './retry-policy';
import type { ProvisioningSettings } from './settings';

/** How one delivery attempt went, before anything is decided. */
export type DeliveryAttempt =
  | { kind: 'delivered' }
  /** Not ready (its target is disabled, its members' creates are still queued): nothing was sent. */
  | { kind: 'blocked'; reason: 'target-disabled' | 'members-pending' }
  /** The deprovisioning guard stopped it: nothing was sent; an administrator decides. */
  | { kind: 'held' }
  | { kind: 'failed'; error: unknown };

/** What happens to the job next. */
export type DeliveryDecision =
  | { kind: 'done' }
  /** Failed transiently: try again at `at`; the attempt counts. */
  | { kind: 'retry'; at: number }
  /** The remote system throttled us: the job waits until `until` without spending an attempt, and the whole target pauses. */
  | { kind: 'pause'; until: number }
  /** Not ready: the job waits until `at` without spending an attempt. */
  | { kind: 'wait'; at: number }
  /** Failed for good (or out of attempts): kept as `failed` for an operator to fix and retry. */
  | { kind: 'dead-letter' }
  /** Held by the deprovisioning guard until an administrator approves or rejects it. */
  | { kind: 'hold' };

/**
 * The one policy deciding what an attempt means: delivery outcomes are data, not errors with special
 * codes. Throttling is not failure (the target pauses and the attempt is given back); being blocked
 * is not failure either; other failures retry with backoff while transient and attempts remain.
 */
export function decideDelivery(attempt: DeliveryAttempt, attempts: number, settings: ProvisioningSettings, now: number, random: () => number = Math.random): DeliveryDecision {
  if (attempt.kind === 'delivered') return { kind: 'done' };
  if (attempt.kind === 'held') return { kind: 'hold' };
  if (attempt.kind === 'blocked') return { kind: 'wait', at: now + Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 4) };
  const error = attempt.error;
  if (isProvisioningError(error) && error.kind === 'upstream-throttled') {
    const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs ?? 0;
    return { kind: 'pause', until: now + Math.max(retryAfter, settings.throttlePauseMs) };
  }
  const decision = decideAfterFailure(error, attempts, settings, random);
  return decision.retry ? { kind: 'retry', at: now + decision.delayMs } : { kind: 'dead-letter' };
}

/** The job state a decision leaves. */
export function stateAfter(decision: DeliveryDecision): 'succeeded' | 'retrying' | 'failed' | 'held' {
  return decision.kind === 'done' ? 'succeeded' : decision.kind === 'dead-letter' ? 'failed' : decision.kind === 'hold' ? 'held' : 'retrying';
}
