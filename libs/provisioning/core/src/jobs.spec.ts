import { describe, expect, it } from 'vitest';
import { readPayload, toJob } from './jobs';

const ROLE = 'http://wso2.org/claims/role';

describe('job payloads are parsed once, at one place', () => {
  it('reads lists as lists and keeps commas inside values', () => {
    const payload = readPayload(JSON.stringify({ claims: { [ROLE]: ['Sales, EMEA', 'staff'], 'http://wso2.org/claims/lastname': 'Smith, Jr.' }, changedClaims: [ROLE] }));
    expect(payload).toEqual({ claims: { [ROLE]: ['Sales, EMEA', 'staff'], 'http://wso2.org/claims/lastname': 'Smith, Jr.' }, changedClaims: [ROLE] });
  });

  it('delivers a payload queued by an earlier version (multi-valued claims comma-joined) with the same values', () => {
    const row = {
      id: 7, tenant: 't', entity_type: 'USER', entity_id: 'u', entity_name: 'kim', operation: 'update', idp_id: 'i', idp_name: 'I', connector_type: 'salesforce',
      payload: JSON.stringify({ claims: { [ROLE]: 'sales,staff', 'http://wso2.org/claims/lastname': 'Paul' }, changedClaims: [ROLE] }),
      state: 'pending', attempts: 0, next_attempt_at: 0, last_error: null, lease_owner: null, lease_expires_at: null, created_at: 0, updated_at: 0, chain_key: 'kim', coalesced_into: null,
    };
    const job = toJob(row as Parameters<typeof toJob>[0]);
    expect(job.payload.claims).toEqual({ [ROLE]: ['sales', 'staff'], 'http://wso2.org/claims/lastname': 'Paul' });
  });
});
