import { echo } from '@provisioning/errors';
import { findAttribute, findExtension } from './attribute-lookup';
import type { FilterPredicate } from './filter-compile';
import { deleteIgnoringCase, getIgnoringCase, isObject, setIgnoringCase } from './json-values';
import { parsePatchPath } from './patch-path';
import type { AttributeTarget, ExtensionTarget, PatchTarget } from './patch-path';
import type { PatchOperation, PatchOpName } from './patch-request';
import {
  containerFor,
  itemsOf,
  keepOnePrimary,
  normalizeItem,
  normalizeItems,
  removeMatching,
  sameItem,
  storeItems,
} from './patch-values';
import type { ResourceTypeDefinition } from './resource-types';
import { scimError } from './scim-errors';
import type { AttributeDefinition } from './schema-types';
import { normalizeValue } from './value-normalize';
import type { NormalizeOptions } from './value-normalize';

/** What every operation needs: the resource type and how values are normalised. */
export interface PatchContext {
  readonly type: ResourceTypeDefinition;
  readonly normalize: NormalizeOptions;
}

function label(op: PatchOpName, target: AttributeTarget): string {
  return `${op} ${target.resolved.path}${target.filter ? '[...]' : ''}${target.subAttribute ? `.${target.subAttribute.name}` : ''}`;
}

/** add / replace / remove of a whole attribute (no filter, no sub-attribute). */
function applyWhole(resource: Record<string, unknown>, op: PatchOpName, target: AttributeTarget, value: unknown, hasValue: boolean, context: PatchContext): void {
  const attribute = target.resolved.attribute;
  const path = target.resolved.path;
  const container = containerFor(resource, target.resolved, op !== 'remove');
  if (!container) return;
  if (op === 'remove') {
    if (hasValue && attribute.multiValued) storeItems(container, attribute, removeMatching(attribute, itemsOf(container, attribute), value));
    else deleteIgnoringCase(container, attribute.name);
    return;
  }
  if (attribute.multiValued) {
    const items = normalizeItems(attribute, value, path, context.normalize);
    if (op === 'replace') {
      storeItems(container, attribute, items);
      return;
    }
    const existing = itemsOf(container, attribute);
    const added: unknown[] = [];
    for (const item of items) {
      if (![...existing, ...added].some((present) => sameItem(attribute, present, item))) added.push(item);
    }
    if (added.length === 0) return; // Already there: no change (RFC 7644 3.5.2.1).
    const result = [...existing, ...added];
    keepOnePrimary(result, new Set(added));
    storeItems(container, attribute, result);
    return;
  }
  const normalized = normalizeValue(attribute, value, path, context.normalize);
  if (normalized === undefined) {
    if (op === 'add' && (value === null || value === undefined)) throw scimError('invalidValue', `"add ${path}" needs a non-null value`);
    if (op === 'replace' && (value === null || value === undefined)) deleteIgnoringCase(container, attribute.name);
    return;
  }
  const current = getIgnoringCase(container, attribute.name);
  // A complex attribute is merged: sub-attributes not in the value stay (RFC 7644 3.5.2.1 / 3.5.2.3).
  const merged = attribute.type === 'complex' && isObject(current) && isObject(normalized) ? { ...current, ...normalized } : normalized;
  setIgnoringCase(container, attribute.name, merged);
}

/** `name.familyName`, `emails.type`: a sub-attribute of a singular complex attribute, or of every value. */
function applySub(resource: Record<string, unknown>, op: PatchOpName, target: AttributeTarget, sub: AttributeDefinition, value: unknown, context: PatchContext): void {
  const { attribute } = target.resolved;
  const path = `${target.resolved.path}.${sub.name}`;
  const container = containerFor(resource, target.resolved, op !== 'remove');
  if (!container) return;
  const normalized = op === 'remove' ? undefined : normalizeValue(sub, value, path, context.normalize);
  if (op === 'add' && normalized === undefined) throw scimError('invalidValue', `"add ${path}" needs a non-null value`);
  const write = (item: Record<string, unknown>): void => {
    if (normalized === undefined) deleteIgnoringCase(item, sub.name);
    else setIgnoringCase(item, sub.name, normalized);
  };
  if (attribute.multiValued) {
    const items = itemsOf(container, attribute);
    if (op !== 'remove' && items.length === 0) throw scimError('noTarget', `"${path}": "${attribute.name}" has no value to set "${sub.name}" on`);
    items.filter(isObject).forEach(write);
    storeItems(container, attribute, items);
    return;
  }
  const current = getIgnoringCase(container, attribute.name);
  const parent = isObject(current) ? current : {};
  write(parent);
  if (Object.keys(parent).length === 0) deleteIgnoringCase(container, attribute.name);
  else setIgnoringCase(container, attribute.name, parent);
}

/** `members[value eq "x"]`, `addresses[type eq "work"].streetAddress`. */
function applyFiltered(
  resource: Record<string, unknown>,
  op: PatchOpName,
  target: AttributeTarget,
  filter: FilterPredicate,
  value: unknown,
  context: PatchContext,
): void {
  const { attribute } = target.resolved;
  const sub = target.subAttribute;
  const path = label(op, target);
  const container = containerFor(resource, target.resolved, op !== 'remove');
  if (!container) return;
  const items = itemsOf(container, attribute);
  const matched = new Set(items.filter((item) => isObject(item) && filter(item)));
  if (op === 'remove') {
    // No match: nothing to remove, and success (RFC 7644 3.5.2.2, "If the user was not a member...").
    if (sub) matched.forEach((item) => isObject(item) && deleteIgnoringCase(item, sub.name));
    storeItems(container, attribute, sub ? items : items.filter((item) => !matched.has(item)));
    return;
  }
  if (matched.size === 0) {
    if (op === 'replace' || !target.pinned) throw scimError('noTarget', `"${path}": the filter matches no value (RFC 7644 3.5.2.3)`);
    // add with an eq filter that matches nothing creates the value the filter describes.
    if (!sub && !isObject(value)) throw scimError('invalidValue', `"${path}" takes an object`);
    const created = normalizeItem(attribute, sub ? { ...target.pinned, [sub.name]: value } : { ...target.pinned, ...(value as Record<string, unknown>) }, path, context.normalize);
    items.push(created);
    keepOnePrimary(items, new Set([created]));
    storeItems(container, attribute, items);
    return;
  }
  if (sub) {
    const normalized = normalizeValue(sub, value, `${target.resolved.path}.${sub.name}`, context.normalize);
    if (op === 'add' && normalized === undefined) throw scimError('invalidValue', `"${path}" needs a non-null value`);
    matched.forEach((item) => {
      if (!isObject(item)) return;
      if (normalized === undefined) deleteIgnoringCase(item, sub.name);
      else setIgnoringCase(item, sub.name, normalized);
    });
    keepOnePrimary(items, matched);
    storeItems(container, attribute, items);
    return;
  }
  const replacement = normalizeItem(attribute, value, path, context.normalize);
  const written = new Set<unknown>();
  const result = items.map((item) => {
    if (!matched.has(item) || !isObject(item)) return item;
    // replace: the matching values are replaced (RFC 7644 3.5.2.3); add: merged.
    const next = op === 'replace' ? { ...replacement } : { ...item, ...replacement };
    written.add(next);
    return next;
  });
  keepOnePrimary(result, written);
  storeItems(container, attribute, result);
}

function applyExtension(resource: Record<string, unknown>, op: PatchOpName, target: ExtensionTarget, value: unknown, context: PatchContext): void {
  const urn = target.extension.schema.id;
  if (op === 'remove' || (op === 'replace' && value === null)) {
    deleteIgnoringCase(resource, urn);
    return;
  }
  if (!isObject(value)) throw scimError('invalidValue', `"${op} ${urn}" takes an object with the extension's attributes`);
  for (const [name, item] of Object.entries(value)) {
    const resolved = findAttribute(context.type, `${urn}:${name}`);
    if (!resolved || resolved.subAttribute) throw scimError('invalidSyntax', `${urn} has no attribute "${echo(name)}"`);
    applyTarget(resource, op, { kind: 'attribute', resolved }, item, true, context);
  }
}

/**
 * A readOnly sub-attribute of every value of a writable multi-valued attribute (`members.display`,
 * `members[value eq "x"].display`): the server's, so a client's value is ignored (RFC 7643 2.2), as
 * it is inside a value. (Singular ones, like manager.displayName, are checked as slots: mutability.)
 */
function ignoredReadOnly(target: AttributeTarget, context: PatchContext): boolean {
  const sub = target.subAttribute;
  const { attribute } = target.resolved;
  return context.normalize.readOnly === 'strip' && attribute.multiValued && attribute.mutability !== 'readOnly' && sub?.mutability === 'readOnly';
}

function applyTarget(resource: Record<string, unknown>, op: PatchOpName, target: PatchTarget, value: unknown, hasValue: boolean, context: PatchContext): void {
  if (target.kind === 'attribute' && ignoredReadOnly(target, context)) return;
  if (target.kind === 'extension') applyExtension(resource, op, target, value, context);
  else if (target.filter) applyFiltered(resource, op, target, target.filter, value, context);
  else if (target.subAttribute) applySub(resource, op, target, target.subAttribute, value, context);
  else applyWhole(resource, op, target, value, hasValue, context);
}

/**
 * Applies one validated operation to `resource` in place (the caller works on a copy). Without a
 * path the value's members are applied one by one as if each key were a path (`meta` and
 * `schemas` there are ignored: meta is the server's, schemas is derived from the content); a key
 * naming no attribute is `invalidSyntax`.
 */
export function applyOperation(resource: Record<string, unknown>, operation: PatchOperation, context: PatchContext): void {
  const hasValue = Object.hasOwn(operation, 'value');
  if (operation.path !== undefined) {
    applyTarget(resource, operation.op, parsePatchPath(operation.path, context.type), operation.value, hasValue, context);
    return;
  }
  if (!isObject(operation.value)) throw scimError('invalidValue', `Operations[${operation.index}]: without "path", "value" must be an object of attributes`);
  for (const [key, item] of Object.entries(operation.value)) {
    const lower = key.toLowerCase();
    if (lower === 'meta' || lower === 'schemas') continue;
    // A key naming no attribute is a value that does not conform to the schema (invalidSyntax, as on
    // POST/PUT); a key with a value filter is a path and keeps invalidPath for its problems.
    if (!key.includes('[') && !findExtension(context.type, key) && !findAttribute(context.type, key)) {
      throw scimError('invalidSyntax', `Operations[${operation.index}]: unknown attribute "${echo(key)}" in "value"`);
    }
    applyTarget(resource, operation.op, parsePatchPath(key, context.type), item, true, context);
  }
}
