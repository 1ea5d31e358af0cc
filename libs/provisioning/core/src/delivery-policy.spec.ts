import { describe, expect, it } from 'vitest';
import { UpstreamRejectedError, UpstreamThrottledError, UpstreamUnavailableError } from '@provisioning/errors';
import { decideDelivery, stateAfter } from './delivery-policy';
import { DEFAULT_PROVISIONING_SETTINGS } from './settings';

const settings = { ...DEFAULT_PROVISIONING_SETTINGS, initialBackoffMs: 1000, maxBackoffMs: 60_000, maxAttempts: 3, throttlePauseMs: 30_000 };
const NOW = 1_000_000;
const half = () => 0.5;

describe('decideDelivery', () => {
  it('is done when the remote confirmed', () => {
    expect(decideDelivery({ kind: 'delivered' }, 1, settings, NOW)).toEqual({ kind: 'done' });
    expect(stateAfter({ kind: 'done' })).toBe('succeeded');
  });

  it('waits without spending an attempt when blocked (target disabled, members pending)', () => {
    expect(decideDelivery({ kind: 'blocked', reason: 'members-pending' }, 3, settings, NOW)).toEqual({ kind: 'wait', at: NOW + 4000 });
    expect(decideDelivery({ kind: 'blocked', reason: 'target-disabled' }, 9, settings, NOW).kind).toBe('wait');
  });

  it('holds what the deprovisioning guard stopped, giving its attempt back', () => {
    expect(decideDelivery({ kind: 'held' }, 1, settings, NOW)).toEqual({ kind: 'hold' });
    expect(stateAfter({ kind: 'hold' })).toBe('held');
  });

  it('pauses the target when throttled, for the longer of Retry-After and the configured pause', () => {
    expect(decideDelivery({ kind: 'failed', error: new UpstreamThrottledError('limit') }, 3, settings, NOW)).toEqual({ kind: 'pause', until: NOW + 30_000 });
    expect(decideDelivery({ kind: 'failed', error: new UpstreamThrottledError('limit', { retryAfterMs: 90_000 }) }, 3, settings, NOW)).toEqual({ kind: 'pause', until: NOW + 90_000 });
  });

  it('retries transient failures with backoff while attempts remain, then dead-letters', () => {
    const transient = { kind: 'failed' as const, error: new UpstreamUnavailableError('503') };
    expect(decideDelivery(transient, 1, settings, NOW, half)).toEqual({ kind: 'retry', at: NOW + 750 });
    expect(decideDelivery(transient, 2, settings, NOW, half)).toEqual({ kind: 'retry', at: NOW + 1500 });
    expect(decideDelivery(transient, 3, settings, NOW, half)).toEqual({ kind: 'dead-letter' });
    expect(stateAfter({ kind: 'retry', at: 1 })).toBe('retrying');
  });

  it('dead-letters a rejection at once', () => {
    expect(decideDelivery({ kind: 'failed', error: new UpstreamRejectedError('REQUIRED_FIELD_MISSING') }, 1, settings, NOW)).toEqual({ kind: 'dead-letter' });
    expect(stateAfter({ kind: 'dead-letter' })).toBe('failed');
  });
});
