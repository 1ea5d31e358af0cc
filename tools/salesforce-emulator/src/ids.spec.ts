import { describe, expect, it } from 'vitest';
import { IdGenerator, idSuffix, toId18 } from './ids';

describe('ids', () => {
  it('computes the case-safe suffix', () => {
    expect(idSuffix('00e2x000001AT3y')).toBe('AAG');
    expect(toId18('001000000000000')).toBe('001000000000000AAA');
    expect(toId18('00e2x000001AT3y')).toBe('00e2x000001AT3yAAG');
  });

  it('accepts 18-character ids with a matching suffix in any case and rejects others', () => {
    expect(toId18('00e2x000001AT3yAAG')).toBe('00e2x000001AT3yAAG');
    expect(toId18('00e2x000001AT3yaag')).toBe('00e2x000001AT3yAAG');
    expect(toId18('00e2x000001AT3yAAA')).toBeUndefined();
    expect(toId18('short')).toBeUndefined();
    expect(toId18('00e2x000001AT3-')).toBeUndefined();
  });

  it('generates unique valid ids with the prefix', () => {
    const a = IdGenerator.next('005');
    const b = IdGenerator.next('005');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^005[A-Za-z0-9]{15}$/);
    expect(toId18(a.slice(0, 15))).toBe(a);
  });
});
