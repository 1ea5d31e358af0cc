import { describe, expect, it } from 'vitest';
import { runConnectorContract } from '@provisioning/connector-kit/testing';
import { facebookConnector } from './index';

runConnectorContract(facebookConnector, {
  validProperties: () => ({ 'fb-app-id': '1234567890', 'fb-app-secret': 'facebook-app-secret-value' }),
});

describe('facebook stub configuration', () => {
  it('names the bad key and the reason', () => {
    expect(() => facebookConnector.parseConfig({ 'fb-app-id': 'abc', 'fb-app-secret': 's', 'fb-api-version': '19' })).toThrow(
      /fb-app-id: must be the numeric app id.*fb-api-version: must look like v19.0/,
    );
  });
});
