import { echo } from '@provisioning/errors';
import { attributeSlots, readSlot } from './attribute-slots';
import { deepEqual, isUnassigned } from './json-values';
import type { PatchOperation } from './patch-request';
import type { ResourceTypeDefinition } from './resource-types';
import { scimError } from './scim-errors';

/**
 * Compares the resource before and after one PATCH operation (RFC 7644 3.5.2, 3.5.2.2):
 * - a readOnly attribute (id, meta, groups, manager.displayName) must not change;
 * - an immutable attribute may be added when it had no value, never changed;
 * - a required attribute (userName, displayName) must not be removed.
 * Violations throw `ValidationError` scimType `mutability`. Comparing results rather than paths
 * means an operation that writes the value a readOnly attribute already has is accepted.
 */
export function checkPatchMutability(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  type: ResourceTypeDefinition,
  operation: PatchOperation,
): void {
  const where = `Operations[${operation.index}] (${operation.op}${operation.path === undefined ? '' : ` ${echo(operation.path)}`})`;
  for (const slot of attributeSlots(type)) {
    const { mutability, required } = slot.definition;
    if (mutability !== 'readOnly' && mutability !== 'immutable' && !required) continue;
    const old = readSlot(before, slot);
    const now = readSlot(after, slot);
    if (deepEqual(old, now) || (isUnassigned(old) && isUnassigned(now))) continue;
    // A sub-attribute disappears with its parent; that is a change of the parent, checked on its own slot.
    if (slot.subAttribute && isUnassigned(readSlot(after, { ...slot, subAttribute: undefined, definition: slot.attribute }))) continue;
    if (mutability === 'readOnly') throw scimError('mutability', `${where}: "${slot.path}" is readOnly`);
    if (mutability === 'immutable' && !isUnassigned(old)) throw scimError('mutability', `${where}: "${slot.path}" is immutable and already has a value`);
    if (required && isUnassigned(now)) throw scimError('mutability', `${where}: "${slot.path}" is required and cannot be removed`);
  }
}
