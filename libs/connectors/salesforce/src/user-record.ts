import type { OutboundAttribute } from '@provisioning/connector-kit';

/** User fields Salesforce types as booleans. Any `UserPermissions*` and `UserPreferences*` field is one too. */
const BOOLEAN_FIELDS = new Set(['IsActive', 'ReceivesAdminInfoEmails', 'ReceivesInfoEmails', 'ForecastEnabled']);
export const REQUIRED_FIELDS = ['Username', 'LastName', 'Email', 'Alias', 'TimeZoneSidKey', 'LocaleSidKey', 'EmailEncodingKey', 'ProfileId', 'LanguageLocaleKey'];

export function isBooleanField(name: string): boolean {
  return BOOLEAN_FIELDS.has(name) || name.startsWith('UserPermissions') || name.startsWith('UserPreferences');
}

/**
 * The one text a Salesforce field receives for an attribute: User fields hold one value, so a
 * multi-valued claim sends its first value to `ProfileId` and `UserRole` (a user with several roles
 * mapped to profiles or roles: the first in mapping order) and its values joined with "," elsewhere
 * (as WSO2 did).
 */
export function fieldText(attribute: Pick<OutboundAttribute, 'name' | 'value'>): string {
  const { name, value } = attribute;
  if (typeof value === 'string') return value;
  return ONE_OF_SEVERAL.has(name) ? (value[0] ?? '') : value.join(',');
}

/** Fields that take one of a user's several mapped roles: the profile and the role (`UserRole`, by DeveloperName). */
const ONE_OF_SEVERAL = new Set(['ProfileId', 'UserRole']);

/**
 * Turns outbound attributes into a Salesforce User record: "true"/"false" become JSON booleans for
 * boolean fields. A value that is not a boolean is passed through unchanged (Salesforce rejects it with
 * its own error) and reported by `describeProblems`.
 */
export function toUserRecord(attributes: readonly OutboundAttribute[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const attribute of attributes) {
    const text = fieldText(attribute);
    const lowered = text.trim().toLowerCase();
    record[attribute.name] = isBooleanField(attribute.name) && (lowered === 'true' || lowered === 'false') ? lowered === 'true' : text;
  }
  return record;
}

/** Problems visible before sending: mismatched types, missing required fields, values Salesforce will refuse. */
export function describeProblems(attributes: readonly OutboundAttribute[], forCreate: boolean): string[] {
  const warnings: string[] = [];
  const byName = new Map(attributes.map((a) => [a.name, a] as const));
  const text = (name: string) => {
    const attribute = byName.get(name);
    return attribute === undefined ? undefined : fieldText(attribute);
  };
  for (const a of attributes) {
    const lowered = fieldText(a).trim().toLowerCase();
    if (isBooleanField(a.name) && lowered !== 'true' && lowered !== 'false') {
      const from = a.source === 'user' ? `the user's ${a.localClaim ?? 'claim'}` : 'the provisioning default';
      warnings.push(`${a.name} is a boolean field but ${from} gives "${fieldText(a)}"; Salesforce will reject it (map it to another claim or remove the user's value)`);
    }
  }
  for (const name of ONE_OF_SEVERAL) {
    const several = byName.get(name);
    if (several && typeof several.value !== 'string' && several.value.length > 1) {
      warnings.push(`${name} has several values (${several.value.map((v) => `"${v}"`).join(', ')}); only the first is sent (order the IdP's role mappings by priority)`);
    }
  }
  const alias = text('Alias');
  if (alias !== undefined && alias.length > 8) warnings.push(`Alias "${alias}" is longer than 8 characters; Salesforce will reject it (STRING_TOO_LONG)`);
  const username = text('Username');
  if (username !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(username)) {
    warnings.push(`Username "${username}" is not email-shaped; Salesforce will reject it`);
  }
  if (forCreate) {
    const missing = REQUIRED_FIELDS.filter((f) => !byName.has(f));
    if (missing.length > 0) warnings.push(`required fields missing: ${missing.join(', ')} (map them to claims or give provisioning defaults)`);
  }
  return warnings;
}

/** Escapes a value for a single-quoted SOQL string literal. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
