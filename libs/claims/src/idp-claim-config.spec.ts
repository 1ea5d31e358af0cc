import { describe, expect, it } from 'vitest';
import { ValidationError } from '@provisioning/errors';
import { claimIdOf, validateIdpClaimConfig } from './index';
import { GUIDE_SALESFORCE_CLAIM_CONFIG } from './testing';

const C = 'http://wso2.org/claims/';

function failure(config: unknown, known?: Iterable<string>, path?: string): ValidationError {
  try {
    validateIdpClaimConfig(config, known, { path });
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('validateIdpClaimConfig', () => {
  it("accepts the guide's twelve-row configuration unchanged", () => {
    expect(validateIdpClaimConfig(GUIDE_SALESFORCE_CLAIM_CONFIG)).toEqual(GUIDE_SALESFORCE_CLAIM_CONFIG);
  });

  it('normalises: trims names, drops empty defaults and nulls, resolves WSO2 claim ids, strips unknown keys', () => {
    const result = validateIdpClaimConfig({
      userIdClaim: null,
      mappings: [
        { idpClaim: ' LastName ', localClaim: { id: claimIdOf(`${C}lastname`), displayName: 'Last Name' } },
        { idpClaim: 'Email', localClaim: { uri: `${C}emailaddress`, id: claimIdOf(`${C}emailaddress`) } },
      ],
      provisioningClaims: [{ claim: { uri: 'LastName' }, defaultValue: '' }, { claim: { uri: 'Alias' }, defaultValue: 'Samuel' }],
      extra: true,
    });
    expect(result).toEqual({
      mappings: [
        { idpClaim: 'LastName', localClaim: { uri: `${C}lastname` } },
        { idpClaim: 'Email', localClaim: { uri: `${C}emailaddress` } },
      ],
      provisioningClaims: [{ claim: { uri: 'LastName' } }, { claim: { uri: 'Alias' }, defaultValue: 'Samuel' }],
    });
  });

  it('treats missing arrays as empty', () => {
    expect(validateIdpClaimConfig({})).toEqual({ mappings: [], provisioningClaims: [] });
  });

  it.each([
    ['not an object', 'nope', '(root) must be an object'],
    ['mappings not an array', { mappings: {} }, 'mappings must be an array'],
    ['missing idpClaim', { mappings: [{ localClaim: { uri: `${C}lastname` } }] }, 'mappings[0].idpClaim is required'],
    ['blank idpClaim', { mappings: [{ idpClaim: '  ', localClaim: { uri: `${C}lastname` } }] }, 'mappings[0].idpClaim must not be empty'],
    ['missing local claim uri', { mappings: [{ idpClaim: 'X', localClaim: {} }] }, 'mappings[0].localClaim.uri is required'],
    ['numeric local claim uri', { mappings: [{ idpClaim: 'X', localClaim: { uri: 7 } }] }, 'mappings[0].localClaim.uri must be a string'],
    ['unknown local claim', { mappings: [{ idpClaim: 'X', localClaim: { uri: `${C}nope` } }] }, `mappings[0].localClaim.uri "${C}nope" is not a claim of the local dialect`],
    ['wrong letter case', { mappings: [{ idpClaim: 'X', localClaim: { uri: `${C}GivenName` } }] }, `(did you mean "${C}givenname"?)`],
    ['garbage claim id', { mappings: [{ idpClaim: 'X', localClaim: { id: '!!' } }] }, 'mappings[0].localClaim.id Invalid claim id "!!"'],
    ['id and uri disagree', { mappings: [{ idpClaim: 'X', localClaim: { uri: `${C}mobile`, id: claimIdOf(`${C}country`) } }] }, `mappings[0].localClaim.id names "${C}country" but uri is "${C}mobile"`],
    [
      'duplicate idpClaim (case-insensitive)',
      { mappings: [{ idpClaim: 'Email', localClaim: { uri: `${C}emailaddress` } }, { idpClaim: 'EMAIL', localClaim: { uri: `${C}emails.work` } }] },
      'mappings[1].idpClaim "EMAIL" is already mapped by mappings[0].idpClaim',
    ],
    [
      'unmapped provisioning claim without default',
      { mappings: [], provisioningClaims: [{ claim: { uri: 'Alias' } }] },
      'provisioningClaims[0].claim.uri "Alias" is not a mapped IdP claim and has no defaultValue',
    ],
    [
      'provisioning claim spelled differently from its mapping',
      { mappings: [{ idpClaim: 'Alias', localClaim: { uri: `${C}givenname` } }], provisioningClaims: [{ claim: { uri: 'alias' } }] },
      'differs only in letter case from the mapped IdP claim "Alias"',
    ],
    [
      'duplicate provisioning claim',
      { provisioningClaims: [{ claim: { uri: 'A' }, defaultValue: 'x' }, { claim: { uri: 'A' }, defaultValue: 'y' }] },
      'provisioningClaims[1].claim.uri "A" is already listed at provisioningClaims[0]',
    ],
    ['non-string default', { provisioningClaims: [{ claim: { uri: 'A' }, defaultValue: false }] }, 'provisioningClaims[0].defaultValue must be a string'],
  ])('rejects %s', (_label, config, message) => {
    const error = failure(config);
    expect(error.kind).toBe('validation');
    expect(error.message).toContain(message);
  });

  it('names every problem, prefixes paths, and honours a custom set of local claims', () => {
    const error = failure(
      { mappings: [{ idpClaim: 'A', localClaim: { uri: 'urn:custom:claim' } }, { idpClaim: 'B', localClaim: { uri: `${C}lastname` } }], provisioningClaims: [{ claim: { uri: 'C' } }] },
      ['urn:custom:claim'],
      'claims',
    );
    expect(error.message).toBe(`Invalid IdP claim configuration: claims.mappings[1].localClaim.uri "${C}lastname" is not a claim of the local dialect http://wso2.org/claims (and 1 more problem)`);
    expect(error.details?.issues).toEqual([
      { path: 'claims.mappings[1].localClaim.uri', message: `"${C}lastname" is not a claim of the local dialect http://wso2.org/claims` },
      { path: 'claims.provisioningClaims[0].claim.uri', message: '"C" is not a mapped IdP claim and has no defaultValue, so it could never be filled' },
    ]);
  });
});
