/** How much of a client-supplied value an error message or a log line may repeat. */
export const ECHO_LIMIT = 200;

/**
 * A client-supplied value as an error message or a log line may quote it: at most {@link ECHO_LIMIT}
 * characters (then `…` and the full length), control characters shown as `\uXXXX`, so a 1.5 MB
 * userName or a NUL byte never travels back whole into a response, a log or a terminal.
 */
export function echo(value: unknown, limit = ECHO_LIMIT): string {
  const text = typeof value === 'string' ? value : String(value);
  const head = text.length > limit ? text.slice(0, limit) : text;
  // eslint-disable-next-line no-control-regex
  const visible = head.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > limit ? `${visible}… (${text.length} characters)` : visible;
}
