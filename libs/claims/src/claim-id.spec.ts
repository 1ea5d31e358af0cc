import { describe, expect, it } from 'vitest';
import { ValidationError } from '@provisioning/errors';
import { LOCAL_CLAIMS, claimIdOf, claimUriFromId } from './index';

describe('claim ids', () => {
  it.each([
    ['http://wso2.org/claims/username', 'aHR0cDovL3dzbzIub3JnL2NsYWltcy91c2VybmFtZQ'],
    ['http://wso2.org/claims/emailaddress', 'aHR0cDovL3dzbzIub3JnL2NsYWltcy9lbWFpbGFkZHJlc3M'],
    ['salesforce', 'c2FsZXNmb3JjZQ'],
  ])('encodes %s as %s (base64url, no padding)', (uri, id) => {
    expect(claimIdOf(uri)).toBe(id);
  });

  it('round-trips every local claim', () => {
    for (const { claimURI } of LOCAL_CLAIMS) {
      const id = claimIdOf(claimURI);
      expect(id).not.toMatch(/[=+/]/);
      expect(claimUriFromId(id)).toBe(claimURI);
    }
  });

  it.each([
    ['', 'empty'],
    ['aHR0cDovL3dzbzIub3JnL2NsYWltcy91c2VybmFtZQ==', 'base64url alphabet'],
    ['aHR0cDov+3dzbzIub3Jn', 'base64url alphabet'],
    ['aHR0c', 'length'],
    ['aGVsbG8', 'not a claim URI'],
    ['_w', 'canonical'],
    [claimIdOf('http://x/\u0001'), 'not a claim URI'],
  ])('rejects %j (%s)', (id, reason) => {
    let thrown: unknown;
    try {
      claimUriFromId(id);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).message).toContain(reason);
  });
});
