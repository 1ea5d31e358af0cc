import { describe, expect, it } from 'vitest';
import { echo } from './echo';

describe('echo', () => {
  it('keeps short values as they are', () => {
    expect(echo('kim@wso2.com')).toBe('kim@wso2.com');
  });

  it('cuts long values and says how long they were', () => {
    const shown = echo('x'.repeat(1_500_000));
    expect(shown.length).toBeLessThan(240);
    expect(shown).toContain('1500000 characters');
  });

  it('shows control characters as escapes', () => {
    expect(echo('pass\u0000word\n')).toBe('pass\\u0000word\\u000a');
  });
});
