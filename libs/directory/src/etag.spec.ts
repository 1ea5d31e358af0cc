import { describe, expect, it } from 'vitest';
import { checkPrecondition, etagOf } from './etag';

describe('ETags', () => {
  it('are weak and compare weakly', () => {
    expect(etagOf(3)).toBe('W/"3"');
    expect(() => checkPrecondition(3, 'W/"3"', 'User 1')).not.toThrow();
    expect(() => checkPrecondition(3, '"3"', 'User 1')).not.toThrow();
    expect(() => checkPrecondition(3, 'W/"2", W/"3"', 'User 1')).not.toThrow();
    expect(() => checkPrecondition(3, '*', 'User 1')).not.toThrow();
    expect(() => checkPrecondition(3, undefined, 'User 1')).not.toThrow();
  });

  it('answer 412 for a stale version', () => {
    expect(() => checkPrecondition(4, 'W/"3"', 'User 1')).toThrow(/User 1 has changed \(current version W\/"4"\)/);
  });
});
