/**
 * Salesforce record ids: 15-character case-sensitive ids and their 18-character case-safe form.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_15 = /^[a-zA-Z0-9]{15}$/;
const ID_18 = /^[a-zA-Z0-9]{18}$/;

/** The three check characters that turn a 15-character id into its 18-character form. */
export function idSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charCodeAt(chunk * 5 + i);
      if (ch >= 65 && ch <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/**
 * Normalises a 15- or 18-character id to 18 characters; undefined when it is not a well-formed id
 * (wrong length or characters, or an 18-character id whose check characters do not match).
 */
export function toId18(id: string): string | undefined {
  if (ID_15.test(id)) return id + idSuffix(id);
  if (ID_18.test(id)) {
    const head = id.slice(0, 15);
    const suffix = idSuffix(head);
    return suffix === id.slice(15).toUpperCase() ? head + suffix : undefined;
  }
  return undefined;
}

/** True for a well-formed 15- or 18-character id. */
export function isValidId(id: string): boolean {
  return toId18(id) !== undefined;
}

/** Key prefixes of the emulated objects. */
export const KEY_PREFIX = {
  User: '005',
  UserLogin: '060',
  Profile: '00e',
  PermissionSet: '0PS',
  PermissionSetAssignment: '0Pa',
  UserRole: '00E',
  Organization: '00D',
  QueryLocator: '01g',
} as const;

/** Generates unique ids per prefix; the counter is process-wide so ids never repeat after a reset. */
export class IdGenerator {
  private static counter = Math.floor(Math.random() * 1_000_000) * 1000;

  /** A new 18-character id with the given 3-character key prefix. */
  static next(prefix: string): string {
    IdGenerator.counter += 1;
    let n = IdGenerator.counter;
    let body = '';
    while (n > 0) {
      body = BASE62[n % 62] + body;
      n = Math.floor(n / 62);
    }
    const id15 = `${prefix}Em${body.padStart(10, '0')}`;
    return id15 + idSuffix(id15);
  }
}
