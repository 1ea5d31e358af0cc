import { describe, expect, it } from 'vitest';
import { remoteUsername } from './remote-username';

const facts = { username: 'kim@wso2.com', userStoreDomain: 'PRIMARY', tenantDomain: 'carbon.super', idpName: 'Salesforce.com' };

describe('remote username', () => {
  it.each([
    ['no pattern keeps the mapped Username', 'kim@wso2.com', {}, 'kim@wso2.com'],
    ['domain only', 'kim@wso2.com', { domain: 'acme.example.com' }, 'kim.wso2.com@acme.example.com'],
    ['pattern with tokens and domain', undefined, { pattern: '{UN}.{TD}', domain: 'acme.example.com' }, 'kim.wso2.com.carbon.super@acme.example.com'],
    ['IdP name with spaces never leaks a space', undefined, { pattern: '{IDP}_{UN}', separator: '_', domain: 'acme.io' }, 'Salesforce.com_kim_wso2.com@acme.io'],
    ['pattern that is already an email', undefined, { pattern: '{UN}' }, 'kim@wso2.com'],
  ])('%s', (_name, mapped, rule, expected) => {
    expect(remoteUsername(mapped, facts, rule)).toBe(expected);
  });

  it('cleans spaces from an IdP name (WSO2 bug 10)', () => {
    const name = remoteUsername(undefined, { ...facts, idpName: 'My Sales Org' }, { pattern: '{IDP}-{UN}', separator: '-', domain: 'acme.io' });
    expect(name).toBe('My-Sales-Org-kim-wso2.com@acme.io');
    expect(name).not.toMatch(/\s/);
  });

  it('explains how to fix a username that is not email-shaped or too long', () => {
    expect(() => remoteUsername('kim', facts, {})).toThrow(/sf-prov-domainName/);
    expect(() => remoteUsername(undefined, facts, { pattern: '{UN}{TD}{IDP}{UN}{TD}{IDP}{UN}', domain: 'a-very-long-provisioning-domain.example.com' })).toThrow(/longer than 80/);
  });
});
