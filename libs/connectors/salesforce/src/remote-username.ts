import { ValidationError } from '@provisioning/errors';

/** Facts a username pattern can use (WSO2's tokens). */
export interface UsernameFacts {
  /** {UN}: the local username, without tenant. */
  username: string;
  /** {UD}: the user-store domain. */
  userStoreDomain: string;
  /** {TD}: the tenant domain. */
  tenantDomain: string;
  /** {IDP}: the identity provider's name. */
  idpName: string;
}

export interface UsernameRule {
  pattern?: string;
  separator?: string;
  domain?: string;
}

const EMAIL = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const MAX_LENGTH = 80;

/** Characters Salesforce refuses in the local part become the separator; runs of it collapse. */
function sanitise(value: string, separator: string): string {
  const escaped = separator.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return value
    .replace(/[^A-Za-z0-9._%+'@-]/g, separator)
    .replace(new RegExp(`(${escaped})+`, 'g'), separator)
    .replace(new RegExp(`^(${escaped})|(${escaped})$`, 'g'), '');
}

/**
 * The Salesforce username for a user: `sf-prov-pattern` with {UN} {UD} {TD} {IDP} replaced (values
 * cleaned of spaces and other characters Salesforce refuses, WSO2 bug 10), then, with
 * `sf-prov-domainName`, `@domain` appended (an `@` already in the name becomes the separator). Without
 * a pattern the mapped Username is kept. The result must be email-shaped and at most 80 characters,
 * or a ValidationError explains which property to change.
 */
export function remoteUsername(mapped: string | undefined, facts: UsernameFacts, rule: UsernameRule): string {
  const separator = rule.separator ?? '.';
  let name: string;
  if (rule.pattern) {
    name = rule.pattern
      .replace(/\{UN\}/g, sanitise(facts.username, separator))
      .replace(/\{UD\}/g, sanitise(facts.userStoreDomain, separator))
      .replace(/\{TD\}/g, sanitise(facts.tenantDomain, separator))
      .replace(/\{IDP\}/g, sanitise(facts.idpName, separator));
    name = sanitise(name, separator);
  } else {
    name = (mapped ?? facts.username).trim();
  }
  if (rule.domain) {
    const local = sanitise(name.replace(/@/g, separator), separator);
    name = `${local}@${rule.domain}`;
  }
  if (!EMAIL.test(name)) {
    throw new ValidationError(
      `Salesforce username "${name}" is not email-shaped; set sf-prov-domainName (e.g. yourorg.example.com) or an sf-prov-pattern that yields an email address`,
    );
  }
  if (name.length > MAX_LENGTH) {
    throw new ValidationError(`Salesforce username "${name}" is longer than ${MAX_LENGTH} characters; shorten sf-prov-pattern or sf-prov-domainName`);
  }
  return name;
}
