import type { Scim2Auth } from './scim2-config';

/**
 * The authentication header of one request. Built per request, at the moment of sending, so no
 * encoded credential sits in a field where logs or `inspect` could find it.
 */
export function authHeader(auth: Scim2Auth): [string, string] {
  switch (auth.mode) {
    case 'BASIC':
      return ['authorization', `Basic ${Buffer.from(`${auth.username}:${auth.password.reveal()}`, 'utf8').toString('base64')}`];
    case 'BEARER':
      return ['authorization', `Bearer ${auth.token.reveal()}`];
    case 'API_KEY':
      return [auth.header, auth.value.reveal()];
  }
}

/** The properties to check when the target refuses the credentials, for messages that say what to fix. */
export function credentialKeys(auth: Scim2Auth): string {
  switch (auth.mode) {
    case 'BASIC':
      return 'scim2-username and scim2-password';
    case 'BEARER':
      return 'scim2-access-token';
    case 'API_KEY':
      return 'scim2-api-key-header and scim2-api-key-value';
  }
}
