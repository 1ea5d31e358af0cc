import { describe, expect, it } from 'vitest';
import { runConnectorContract } from '@provisioning/connector-kit/testing';
import { googleConnector } from './index';

runConnectorContract(googleConnector, {
  validProperties: () => ({
    google_prov_domain_name: 'example.com',
    google_prov_service_acc_email: 'svc@example.iam.gserviceaccount.com',
    google_prov_admin_email: 'admin@example.com',
    google_prov_private_key: '-----BEGIN PRIVATE KEY-----google-secret-----END PRIVATE KEY-----',
  }),
});

describe('google stub configuration', () => {
  it('names the bad key and the reason', () => {
    expect(() =>
      googleConnector.parseConfig({
        google_prov_domain_name: 'not a domain',
        google_prov_service_acc_email: 'svc@example.com',
        google_prov_admin_email: 'admin',
        google_prov_private_key: 'k',
      }),
    ).toThrow(/google_prov_domain_name: must be a domain name.*google_prov_admin_email: must be an email address/);
  });
});
