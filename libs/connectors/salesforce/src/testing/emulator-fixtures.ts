import type { ClaimValue } from '@provisioning/connector-kit';
import { loopbackHttp } from '@provisioning/connector-kit/testing';
import type { RunningEmulator } from '@provisioning/salesforce-emulator';
import { SalesforceConnector } from '../salesforce-connector';
import { parseSalesforceConfig } from '../salesforce-config';

/** Test fixtures shared by this library's specs (not exported by the package). */
export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A complete connector configuration for the emulator's default org and API user. */
export function emulatorProperties(emu: RunningEmulator, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'sf-api-version': 'v60.0',
    'sf-domain-name': emu.url,
    'sf-clientid': 'emulator-client-id',
    'sf-client-secret': 'emulator-client-secret',
    'sf-username': 'admin@emulator.test',
    'sf-password': 'passwordTOKEN',
    'sf-token-endpoint': emu.tokenUrl,
    ...overrides,
  };
}

/** A connector configured for the emulator (IdP "Salesforce.com", 5 s deadline, loopback allowed). */
export function emulatorConnector(emu: RunningEmulator, overrides: Record<string, string> = {}): SalesforceConnector {
  return new SalesforceConnector(parseSalesforceConfig(emulatorProperties(emu, overrides)), {
    idpName: 'Salesforce.com',
    tenantDomain: 'carbon.super',
    logger: silentLogger,
    requestTimeoutMs: 5_000,
    http: loopbackHttp(),
  });
}

let counter = 0;

/** Remote attributes of a valid Salesforce User with a unique username (`<prefix><n>.<time>@example.com`). */
export function salesforceUser(prefix: string, overrides: Record<string, ClaimValue> = {}): Record<string, ClaimValue> & { Username: string } {
  counter += 1;
  const username = `${prefix}${counter}.${Date.now()}@example.com`;
  return {
    Username: username,
    Email: username,
    LastName: prefix.charAt(0).toUpperCase() + prefix.slice(1),
    Alias: prefix.slice(0, 5),
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    ProfileId: '00e2x000001AT3y',
    LanguageLocaleKey: 'en_US',
    ...overrides,
  };
}
