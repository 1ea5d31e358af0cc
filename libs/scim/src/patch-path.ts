import { echo, isProvisioningError } from '@provisioning/errors';
import { findAttribute, findExtension, findSubAttribute } from './attribute-lookup';
import type { ResolvedAttribute } from './attribute-lookup';
import { compileValueFilter } from './filter-compile';
import type { FilterPredicate } from './filter-compile';
import { parseFilter } from './filter-parse';
import type { Filter } from './filter-types';
import type { ResourceTypeDefinition, SchemaExtension } from './resource-types';
import { scimError } from './scim-errors';
import type { AttributeDefinition } from './schema-types';

/** A PATCH path naming a whole extension object (`urn:...:enterprise:2.0:User`). */
export interface ExtensionTarget {
  readonly kind: 'extension';
  readonly extension: SchemaExtension;
}

/** A PATCH path naming an attribute, optionally a value filter and a sub-attribute (RFC 7644 3.5.2). */
export interface AttributeTarget {
  readonly kind: 'attribute';
  /** The top-level attribute (with its schema / extension). */
  readonly resolved: ResolvedAttribute;
  /** `emails[type eq "work"]`: which values of a multi-valued attribute are targeted. */
  readonly filter?: FilterPredicate;
  /** For `add` with a filter that matches nothing: sub-attribute values an `eq` filter pins down. */
  readonly pinned?: Readonly<Record<string, unknown>>;
  readonly subAttribute?: AttributeDefinition;
}

/** What a PATCH path designates. */
export type PatchTarget = ExtensionTarget | AttributeTarget;

function invalidPath(path: string, reason: string, cause?: unknown): never {
  throw scimError('invalidPath', `Invalid path "${echo(path)}": ${reason}`, undefined, cause);
}

/** Index of the `]` closing the `[` at `open`, skipping quoted strings. */
function closingBracket(text: string, open: number): number {
  let quoted = false;
  for (let i = open + 1; i < text.length; i += 1) {
    const char = text[i];
    if (quoted && char === '\\') i += 1;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && char === ']') return i;
  }
  return -1;
}

/** `type eq "work" and primary eq true` -> `{type: "work", primary: true}`; undefined for other filters. */
function pinnedValues(filter: Filter, parent: AttributeDefinition): Record<string, unknown> | undefined {
  if (filter.op === 'and') {
    const parts = filter.filters.map((part) => pinnedValues(part, parent));
    return parts.every((part) => part !== undefined) ? Object.assign({}, ...parts) : undefined;
  }
  if (filter.op !== 'eq' || filter.compValue === null) return undefined;
  const sub = findSubAttribute(parent, filter.attrPath);
  return sub ? { [sub.name]: filter.compValue } : undefined;
}

function attributeTarget(path: string, type: ResourceTypeDefinition): AttributeTarget {
  const resolved = findAttribute(type, path);
  if (!resolved) invalidPath(path, `no such attribute on ${type.name}`);
  const topPath = resolved.extension ? `${resolved.schema}:${resolved.attribute.name}` : resolved.attribute.name;
  const top: ResolvedAttribute = { ...resolved, subAttribute: undefined, definition: resolved.attribute, path: topPath };
  return { kind: 'attribute', resolved: top, subAttribute: resolved.subAttribute };
}

function valuePathTarget(path: string, open: number, type: ResourceTypeDefinition): AttributeTarget {
  const close = closingBracket(path, open);
  if (close < 0) invalidPath(path, 'missing "]"');
  const rest = path.slice(close + 1);
  if (rest !== '' && !/^\.[A-Za-z$][\w$-]*$/.test(rest)) invalidPath(path, `unexpected "${echo(rest)}" after "]"`);
  const resolved = findAttribute(type, path.slice(0, open));
  if (!resolved || resolved.subAttribute) invalidPath(path, `"${echo(path.slice(0, open))}" is not an attribute of ${type.name}`);
  const attribute = resolved.attribute;
  if (attribute.type !== 'complex' || !attribute.multiValued) invalidPath(path, `a value filter needs a complex multi-valued attribute; "${attribute.name}" is not one`);
  let filter: Filter;
  let predicate: FilterPredicate;
  try {
    filter = parseFilter(path.slice(open + 1, close));
    predicate = compileValueFilter(filter, attribute, resolved.path);
  } catch (error) {
    return invalidPath(path, isProvisioningError(error) ? error.message : 'bad value filter', error);
  }
  const subAttribute = rest === '' ? undefined : findSubAttribute(attribute, rest.slice(1));
  if (rest !== '' && !subAttribute) invalidPath(path, `"${attribute.name}" has no sub-attribute "${echo(rest.slice(1))}"`);
  return { kind: 'attribute', resolved, filter: predicate, pinned: pinnedValues(filter, attribute), subAttribute };
}

/**
 * Parses a PATCH path (RFC 7644 3.5.2: `attrPath / valuePath [subAttr]`), case-insensitively and
 * with schema URN prefixes: `members`, `name.familyName`, `addresses[type eq "work"]`,
 * `emails[type eq "work"].value`, `urn:...:enterprise:2.0:User:manager.value`, or an extension URN.
 * Unknown attributes and malformed paths or filters throw `ValidationError` scimType `invalidPath`.
 */
export function parsePatchPath(path: string, type: ResourceTypeDefinition): PatchTarget {
  const open = path.indexOf('[');
  if (open >= 0) return valuePathTarget(path, open, type);
  const extension = findExtension(type, path);
  if (extension) return { kind: 'extension', extension };
  return attributeTarget(path, type);
}
