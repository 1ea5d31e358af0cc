import { describe, expect, it } from 'vitest';
import { connectorNames } from './connector-names';

describe('connectorNames', () => {
  it('derives every name from the type', () => {
    expect(connectorNames('service-now')).toEqual({
      name: 'service-now',
      className: 'ServiceNow',
      propertyName: 'serviceNow',
      constantName: 'SERVICE_NOW',
      displayName: 'Service Now',
      connectorId: 'c2VydmljZS1ub3c',
      projectRoot: 'libs/connectors/service-now',
      packageName: '@provisioning/connector-service-now',
    });
    expect(connectorNames('scim2', 'SCIM 2.0').displayName).toBe('SCIM 2.0');
  });

  it('rejects types the contract suite would reject, and unsafe display names', () => {
    expect(() => connectorNames('Workday')).toThrow(/lower-case/);
    expect(() => connectorNames('work--day')).toThrow(/single dashes/);
    expect(() => connectorNames('kit')).toThrow(/reserved/);
    expect(() => connectorNames('workday', "Work'day`")).toThrow(/Invalid display name/);
  });
});
