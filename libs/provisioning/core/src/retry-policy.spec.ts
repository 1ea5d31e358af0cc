import { describe, expect, it } from 'vitest';
import { UpstreamRejectedError, UpstreamThrottledError, UpstreamUnavailableError, ValidationError } from '@provisioning/errors';
import { decideAfterFailure, isTransient } from './retry-policy';
import { DEFAULT_PROVISIONING_SETTINGS } from './settings';

const settings = { ...DEFAULT_PROVISIONING_SETTINGS, maxAttempts: 5, initialBackoffMs: 1000, maxBackoffMs: 10_000 };

describe('retry policy', () => {
  it.each([
    [new UpstreamUnavailableError('503'), true],
    [new UpstreamThrottledError('limit'), true],
    [new UpstreamRejectedError('bad profile'), false],
    [new ValidationError('no username'), false],
    [new Error('bug'), true],
  ])('classifies %s as transient=%s', (error, transient) => {
    expect(isTransient(error)).toBe(transient);
  });

  it('backs off exponentially with jitter inside [ceiling/2, ceiling], capped', () => {
    const low = () => 0;
    const high = () => 1;
    expect(decideAfterFailure(new UpstreamUnavailableError('x'), 1, settings, low)).toEqual({ retry: true, delayMs: 500 });
    expect(decideAfterFailure(new UpstreamUnavailableError('x'), 1, settings, high)).toEqual({ retry: true, delayMs: 1000 });
    expect(decideAfterFailure(new UpstreamUnavailableError('x'), 3, settings, high)).toEqual({ retry: true, delayMs: 4000 });
    expect(decideAfterFailure(new UpstreamUnavailableError('x'), 4, settings, high)).toEqual({ retry: true, delayMs: 8000 });
  });

  it('honours Retry-After and dead-letters after the last attempt or a permanent error', () => {
    expect(decideAfterFailure(new UpstreamThrottledError('x', { retryAfterMs: 30_000 }), 1, settings, () => 0)).toEqual({ retry: true, delayMs: 30_000 });
    expect(decideAfterFailure(new UpstreamUnavailableError('x'), 5, settings)).toEqual({ retry: false });
    expect(decideAfterFailure(new UpstreamRejectedError('x'), 1, settings)).toEqual({ retry: false });
  });
});
