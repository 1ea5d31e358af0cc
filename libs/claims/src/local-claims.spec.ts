import { describe, expect, it } from 'vitest';
import { LOCAL_CLAIMS, LOCAL_CLAIM_DIALECT, findLocalClaim, localClaimUri } from './index';
import { GUIDE_SALESFORCE_CLAIM_CONFIG } from './testing';

describe('local claim dialect', () => {
  it('has every local claim the Salesforce guide maps, and username', () => {
    const needed = [...GUIDE_SALESFORCE_CLAIM_CONFIG.mappings.map((m) => m.localClaim.uri), 'http://wso2.org/claims/username'];
    expect(needed).toHaveLength(13);
    for (const uri of needed) expect(findLocalClaim(uri), uri).toBeDefined();
  });

  it.each([
    ['username', 'uid'],
    ['givenname', 'givenName'],
    ['lastname', 'sn'],
    ['fullname', 'cn'],
    ['emailaddress', 'mail'],
    ['otherphone', 'homePhone'],
    ['dob', 'dateOfBirth'],
    ['primaryChallengeQuestion', 'primaryChallengeQuestion'],
    ['role', 'roles'],
    ['telephone', 'telephoneNumber'],
    ['mobile', 'mobile'],
    ['country', 'country'],
  ])('maps %s to WSO2 default attribute %s', (name, attribute) => {
    expect(findLocalClaim(`${LOCAL_CLAIM_DIALECT}/${name}`)?.mappedAttribute).toBe(attribute);
  });

  it('has unique URIs, all inside the local dialect', () => {
    const uris = LOCAL_CLAIMS.map((c) => c.claimURI);
    expect(new Set(uris).size).toBe(uris.length);
    for (const uri of uris) expect(uri.startsWith(`${LOCAL_CLAIM_DIALECT}/`)).toBe(true);
  });

  it('is case-sensitive and answers undefined for unknown claims', () => {
    expect(findLocalClaim('http://wso2.org/claims/GivenName')).toBeUndefined();
    expect(findLocalClaim('http://wso2.org/claims/nope')).toBeUndefined();
  });

  it('builds typed URIs', () => {
    expect(localClaimUri('emailaddress')).toBe('http://wso2.org/claims/emailaddress');
    expect(findLocalClaim(localClaimUri('role'))?.multiValued).toBe(true);
    expect(findLocalClaim(localClaimUri('userid'))?.readOnly).toBe(true);
  });
});
