/**
 * Helpers shared by the emulator's own integration specs.
 */
import jsforce from 'jsforce';
import type { Connection } from 'jsforce';
import type { RunningEmulator } from '../server';

/** What jsforce throws for REST and OAuth errors (its error classes are not exported). */
export interface JsforceError extends Error {
  errorCode?: string;
  data?: { message?: string; errorCode?: string; fields?: string[] };
}

/** A complete, valid User body; override what the test cares about. */
export function userBody(username: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Username: username,
    LastName: 'Tester',
    FirstName: 'Tess',
    Email: username,
    Alias: 'ttest',
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    ProfileId: '00e2x000001AT3y',
    LanguageLocaleKey: 'en_US',
    ...overrides,
  };
}

/** A jsforce connection configured with the emulator's OAuth client, not yet logged in. */
export function connectionFor(emu: RunningEmulator, version = '60.0'): Connection {
  return new jsforce.Connection({
    loginUrl: emu.url,
    version,
    oauth2: { clientId: emu.state.options.clientId, clientSecret: emu.state.options.clientSecret, loginUrl: emu.url },
  });
}

/** A connection logged in with the username-password flow. */
export async function loggedIn(emu: RunningEmulator, version = '60.0'): Promise<Connection> {
  const conn = connectionFor(emu, version);
  await conn.login(emu.state.options.username, emu.state.options.password);
  return conn;
}

/** Awaits a promise that must reject and returns the error. */
export async function rejection(promise: PromiseLike<unknown>): Promise<JsforceError> {
  try {
    await promise;
  } catch (err) {
    return err as JsforceError;
  }
  throw new Error('expected the promise to reject');
}

/** Obtains a token directly (without jsforce) for raw HTTP tests. */
export async function rawToken(emu: RunningEmulator): Promise<string> {
  const { clientId, clientSecret, username, password } = emu.state.options;
  const res = await fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: clientId, client_secret: clientSecret, username, password }),
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}
