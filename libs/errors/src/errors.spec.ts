import { describe, expect, it } from 'vitest';
import { UpstreamRejectedError, ValidationError, isProvisioningError, errorMessage } from './index';

describe('error taxonomy', () => {
  it('carries kind, code and cause', () => {
    const cause = new Error('root');
    const e = new ValidationError('bad', { code: 'X-1', cause, scimType: 'invalidValue' });
    expect(e.kind).toBe('validation');
    expect(e.code).toBe('X-1');
    expect(e.cause).toBe(cause);
    expect(e.name).toBe('ValidationError');
    expect(isProvisioningError(e)).toBe(true);
    expect(isProvisioningError(new Error('x'))).toBe(false);
  });

  it('keeps remote facts on upstream errors and uses the remote code as code', () => {
    const e = new UpstreamRejectedError('rejected', { status: 400, remoteCode: 'STRING_TOO_LONG', remoteMessage: 'Alias: too long' });
    expect(e.kind).toBe('upstream-rejected');
    expect(e.code).toBe('STRING_TOO_LONG');
    expect(e.status).toBe(400);
    expect(errorMessage(e)).toBe('rejected');
    expect(errorMessage('plain')).toBe('plain');
  });
});
