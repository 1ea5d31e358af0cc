/** C0 controls, DEL and C1 controls (Unicode category Cc). */
const CONTROL = /\p{Cc}/u;

/**
 * Whether a credential or a name contains a control character. Such credentials are refused
 * everywhere, whatever the configured rules: `password + "\0"` would otherwise sign in as `password`
 * (scrypt's HMAC pads keys with zeros), and control characters in names end up in logs and terminals.
 */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}
