import { ValidationError } from '@provisioning/errors';
import { parse } from 'scim2-parse-filter';
import { describe, expect, it, vi } from 'vitest';
import { parseFilter } from './index';

vi.mock('scim2-parse-filter', () => ({ parse: vi.fn() }));

function messageOf(text: string): string {
  try {
    parseFilter(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).scimType).toBe('invalidFilter');
    return (error as ValidationError).message;
  }
  throw new Error('expected parseFilter to throw');
}

describe('parseFilter never passes an engine message through (issue 10)', () => {
  it.each([
    ['RangeError', new RangeError('Maximum call stack size exceeded')],
    ['TypeError', new TypeError("Cannot read properties of undefined (reading 'literal')")],
    ['SyntaxError', new SyntaxError('Unexpected token u in JSON at position 0')],
  ])('a %s from the parser becomes a generic "Invalid filter"', (_name, error) => {
    vi.mocked(parse).mockImplementation(() => {
      throw error;
    });
    const message = messageOf('userName eq "a"');
    expect(message).toBe('Invalid filter "userName eq "a""');
    expect(message).not.toContain(error.message);
  });

  it("keeps the parser's own description of a syntax error (a plain Error), bounded", () => {
    vi.mocked(parse).mockImplementation(() => {
      throw new Error(`unexpected token ${'x'.repeat(5000)}`);
    });
    const message = messageOf('userName eq "a"');
    expect(message).toMatch(/^Invalid filter "userName eq "a"": unexpected token x+… \(5017 characters\)$/);
  });

  it('refuses an AST the parser should never produce, without an engine message', () => {
    vi.mocked(parse).mockReturnValue({ op: 'and', filters: null } as never);
    expect(messageOf('userName eq "a"')).toBe('Invalid filter "userName eq "a"": "and" needs two operands');
  });
});
