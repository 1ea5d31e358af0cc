import { ValidationError } from '@provisioning/errors';

/**
 * Default username rule: 3 to 255 characters without whitespace. WSO2's default is `^[\S]{3,30}$`;
 * identity providers and SCIM test suites send longer userNames (36-character ids, long email
 * addresses), which WSO2's rule refuses.
 */
export const DEFAULT_USERNAME_REGEX = '^[\\S]{3,255}$';
/**
 * Default password rule: 5 to 256 characters, spaces allowed (passphrases), no control characters
 * (refused whatever the rule). WSO2's default is `^[\S]{5,30}$`.
 */
export const DEFAULT_PASSWORD_REGEX = '^[^\\p{Cc}]{5,256}$';

/** Where the username and password rules came from, so every message can name the key to change. */
export interface UserStoreRegexes {
  readonly usernameRegex: string;
  readonly usernameRegexKey: string;
  readonly passwordRegex: string;
  readonly passwordRegexKey: string;
}

/**
 * Picks the username and password rules from a deployment.toml `[user_store]` table the way WSO2
 * does: the `*_java_script_regex` key first (its syntax is ours), then `*_java_regex`, then WSO2's
 * defaults. A non-string value is rejected naming its key.
 */
export function resolveUserStoreRegexes(userStore: Readonly<Record<string, unknown>> = {}, section = 'user_store'): UserStoreRegexes {
  const pick = (kind: 'username' | 'password', fallback: string) => {
    for (const name of [`${kind}_java_script_regex`, `${kind}_java_regex`]) {
      const value = userStore[name];
      if (value === undefined) continue;
      const key = `${section}.${name}`;
      if (typeof value !== 'string') {
        throw new ValidationError(`Invalid ${key} = ${JSON.stringify(value)}: must be a string`, { details: { key } });
      }
      return { source: value, key };
    }
    return { source: fallback, key: `${section}.${kind}_java_script_regex` };
  };
  const username = pick('username', DEFAULT_USERNAME_REGEX);
  const password = pick('password', DEFAULT_PASSWORD_REGEX);
  return { usernameRegex: username.source, usernameRegexKey: username.key, passwordRegex: password.source, passwordRegexKey: password.key };
}

/**
 * Compiles a user-store rule. Like Java's `Matcher.matches()` (what WSO2 uses), the whole value
 * must match, so the pattern is anchored. Unicode mode is tried first (`\p{L}` works); patterns
 * only valid in legacy mode (Java-style `\@`) fall back to it. A syntax error stops start-up with
 * a {@link ValidationError} naming the key, the value and the reason.
 */
export function compileUserStoreRegex(key: string, source: string): RegExp {
  if (typeof source !== 'string' || source === '') {
    throw new ValidationError(`Invalid ${key} = ${JSON.stringify(source)}: must be a non-empty regular expression`, {
      details: { key, value: source, reason: 'empty' },
    });
  }
  let flags: string | undefined;
  let reason = '';
  for (const candidate of ['u', '']) {
    try {
      new RegExp(source, candidate);
      flags = candidate;
      break;
    } catch (error) {
      reason = syntaxReason(error);
    }
  }
  if (flags === undefined) {
    const hint = /_java_regex$/.test(key)
      ? ` Java-only syntax (possessive quantifiers, inline flags such as (?i)) is not supported: set ${key.replace(/_java_regex$/, '_java_script_regex')} to a JavaScript regular expression.`
      : '';
    throw new ValidationError(`Invalid regular expression in ${key} = '${source}': ${reason}.${hint}`, {
      details: { key, value: source, reason },
    });
  }
  return new RegExp(`^(?:${source})$`, flags);
}

function syntaxReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // V8: "Invalid regular expression: /<source>/<flags>: <reason>"
  const match = /^Invalid regular expression: \/[\s\S]*\/[a-z]*: ([^:]+)$/.exec(message);
  return match ? match[1] : message;
}

/**
 * Explains why a username (at start-up: the super admin's) does not match the username rule, or
 * returns undefined when it matches. Recognises the mistake in WSO2's email-username guide: `\\.`
 * written inside TOML single quotes is kept verbatim, so it means "a backslash, then any character"
 * and rejects every email address. The explanation names the key and the likely fix.
 */
export function diagnoseUsernameRegex(key: string, source: string, sampleUsername: string): string | undefined {
  let regex: RegExp;
  try {
    regex = compileUserStoreRegex(key, source);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (regex.test(sampleUsername)) return undefined;

  const head = `The username "${sampleUsername}" does not match ${key} = '${source}'.`;
  const collapsed = source.replace(/\\\\/g, '\\');
  const collapsedMatches = collapsed !== source && safeTest(key, collapsed, sampleUsername);
  if (source.includes('\\\\.') || collapsedMatches) {
    const fixes = [
      ...(/['\n]/.test(collapsed) ? [] : [`${key} = '${collapsed}'`]),
      `${key} = "${collapsed.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
    ];
    return (
      `${head} The regex contains two backslashes in a row ("\\\\"). In a TOML literal string ('single quotes') ` +
      `backslashes are kept as written, so "\\\\." means "a backslash followed by any character" instead of "a dot", ` +
      `and the rule rejects every email address (this is the mistake in WSO2's email-username guide). ` +
      `Likely fix: write one backslash inside single quotes, or two inside double quotes: ${fixes.join('  or  ')}` +
      (collapsedMatches ? ' (either one accepts this username).' : '.')
    );
  }
  return `${head} The whole username must match the rule. Change ${key} so that it accepts this username, or use a username that matches it.`;
}

function safeTest(key: string, source: string, value: string): boolean {
  try {
    return compileUserStoreRegex(key, source).test(value);
  } catch {
    return false;
  }
}
