import { describe, expect, it } from 'vitest';
import {
  SCIM2_CLAIM_MAPPINGS,
  SCIM2_DIALECT,
  SCIM2_ENTERPRISE_DIALECT,
  claimMappingsForDialect,
  findLocalClaim,
  listClaimDialects,
} from './index';

describe('claim dialects', () => {
  it('lists local, SCIM 2.0 core, User and enterprise with WSO2 ids', () => {
    expect(listClaimDialects()).toEqual([
      { id: 'local', dialectURI: 'http://wso2.org/claims' },
      { id: 'dXJuOmlldGY6cGFyYW1zOnNjaW06c2NoZW1hczpjb3JlOjIuMA', dialectURI: 'urn:ietf:params:scim:schemas:core:2.0' },
      { id: 'dXJuOmlldGY6cGFyYW1zOnNjaW06c2NoZW1hczpjb3JlOjIuMDpVc2Vy', dialectURI: SCIM2_DIALECT },
      {
        id: 'dXJuOmlldGY6cGFyYW1zOnNjaW06c2NoZW1hczpleHRlbnNpb246ZW50ZXJwcmlzZToyLjA6VXNlcg',
        dialectURI: SCIM2_ENTERPRISE_DIALECT,
      },
    ]);
  });

  it('maps every SCIM claim onto an existing local claim', () => {
    for (const m of SCIM2_CLAIM_MAPPINGS) {
      expect(findLocalClaim(m.mappedLocalClaim), m.claimURI).toBeDefined();
      expect(m.claimURI.startsWith(`${m.dialectURI}:`)).toBe(true);
    }
  });

  it('filters mappings by dialect', () => {
    const enterprise = claimMappingsForDialect(SCIM2_ENTERPRISE_DIALECT);
    expect(enterprise.map((m) => m.claimURI)).toContain(`${SCIM2_ENTERPRISE_DIALECT}:employeeNumber`);
    expect(enterprise.every((m) => m.dialectURI === SCIM2_ENTERPRISE_DIALECT)).toBe(true);
    expect(claimMappingsForDialect('http://wso2.org/claims')).toEqual([]);
  });
});
