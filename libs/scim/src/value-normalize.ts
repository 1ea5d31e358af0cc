import { echo } from '@provisioning/errors';
import { findSubAttribute } from './attribute-lookup';
import { findKey, isObject } from './json-values';
import { scimError } from './scim-errors';
import type { ScimErrorType } from './scim-errors';
import type { AttributeDefinition } from './schema-types';
import { dateTimeMillis, fold } from './value-compare';

/** Something accepted but worth telling the client or the log (e.g. a non-canonical `type`). */
export interface ValidationWarning {
  readonly path: string;
  readonly message: string;
}

/** How {@link normalizeValue} treats what the schema does not expect. */
export interface NormalizeOptions {
  /** `strip`: readOnly sub-attributes in input are ignored (RFC 7644 3.3); `keep`: left for a later check. */
  readonly readOnly: 'strip' | 'keep';
  /** The scimType thrown for an unknown sub-attribute. */
  readonly unknownAttribute: ScimErrorType;
  /** Collects warnings (non-canonical values). */
  readonly warnings: ValidationWarning[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A wrong value as an error message may show it: scalars as JSON (bounded by `echo`), containers by kind. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return 'an object';
  return echo(JSON.stringify(value));
}

function simpleValue(definition: AttributeDefinition, value: unknown, path: string, options: NormalizeOptions): unknown {
  const wrong = (): never => {
    throw scimError('invalidValue', `"${path}" must be ${definition.type === 'integer' ? 'an' : 'a'} ${definition.type}, not ${shown(value)}`);
  };
  switch (definition.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      // Compatibility: some clients (Azure AD among them) send "True"/"False".
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      return wrong();
    case 'integer':
      return Number.isInteger(value) ? value : wrong();
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? value : wrong();
    case 'dateTime':
      return dateTimeMillis(value) !== undefined ? value : wrong();
    case 'binary':
      return typeof value === 'string' && BASE64.test(value.replace(/\s+/g, '')) ? value : wrong();
    default: {
      if (typeof value !== 'string') return wrong();
      const canonical = definition.canonicalValues ?? [];
      if (canonical.length > 0 && !canonical.some((candidate) => fold(candidate, definition) === fold(value, definition))) {
        options.warnings.push({ path, message: `"${echo(value)}" is not one of the canonical values ${canonical.join(', ')}` });
      }
      return value;
    }
  }
}

function complexValue(definition: AttributeDefinition, value: Record<string, unknown>, path: string, options: NormalizeOptions): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const sub = findSubAttribute(definition, key);
    if (!sub) throw scimError(options.unknownAttribute, `"${path}" has no sub-attribute "${echo(key)}"`);
    if (findKey(out, sub.name) !== undefined) throw scimError('invalidSyntax', `"${path}.${sub.name}" is given twice (names are case-insensitive)`);
    // A readOnly sub-attribute of a writable attribute is the server's (manager.displayName): ignored.
    if (sub.mutability === 'readOnly' && definition.mutability !== 'readOnly' && options.readOnly === 'strip') continue;
    const normalized = normalizeValue(sub, item, `${path}.${sub.name}`, options);
    if (normalized !== undefined) out[sub.name] = normalized;
  }
  for (const sub of definition.subAttributes ?? []) {
    if (sub.required && out[sub.name] === undefined && Object.keys(out).length > 0) {
      throw scimError('invalidValue', `"${path}.${sub.name}" is required`);
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function singleValue(definition: AttributeDefinition, value: unknown, path: string, options: NormalizeOptions, inArray: boolean): unknown {
  if (value === undefined || value === null) return undefined;
  if (definition.type !== 'complex') return simpleValue(definition, value, path, options);
  if (isObject(value)) return complexValue(definition, value, path, options);
  // SCIM 1.1 shape: a plain value in a complex multi-valued attribute ("emails": ["a@b.com"]).
  if (inArray && findSubAttribute(definition, 'value') && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
    return complexValue(definition, { value }, path, options);
  }
  throw scimError('invalidValue', `"${path}" must be an object with the sub-attributes of "${definition.name}"`);
}

/**
 * Checks and normalises one attribute value against its definition: JSON types, dateTime format,
 * base64 for binary, canonical sub-attribute names, SCIM 1.1 plain strings in complex multi-valued
 * attributes (the first plain email becomes primary), at most one `primary: true`, and "unassigned"
 * (null, [], {}) as undefined. Throws `ValidationError` (invalidValue, or the configured scimType for
 * unknown sub-attributes).
 */
export function normalizeValue(definition: AttributeDefinition, value: unknown, path: string, options: NormalizeOptions): unknown {
  if (value === undefined || value === null) return undefined;
  if (!definition.multiValued) return singleValue(definition, value, path, options, false);
  if (!Array.isArray(value)) throw scimError('invalidValue', `"${path}" is multi-valued and must be an array`);
  const items = value
    .map((item, index) => singleValue(definition, item, `${path}[${index}]`, options, true))
    .filter((item) => item !== undefined);
  if (items.length === 0) return undefined;
  const primaries = items.filter((item) => isObject(item) && item.primary === true).length;
  if (primaries > 1) throw scimError('invalidValue', `"${path}" has ${primaries} values with "primary": true; at most one is allowed`);
  if (definition.name === 'emails' && primaries === 0 && typeof value[0] === 'string' && isObject(items[0])) {
    items[0] = { ...items[0], primary: true };
  }
  return items;
}
