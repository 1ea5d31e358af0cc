import { echo } from '@provisioning/errors';
import { attributeSlots, readSlot, writeSlot } from './attribute-slots';
import { cloneJson, deepEqual, isUnassigned } from './json-values';
import type { ResourceTypeDefinition } from './resource-types';
import { scimError } from './scim-errors';

/**
 * PUT rules for immutable attributes (RFC 7644 3.5.1): when the stored resource has a value, the
 * new one must match (else `mutability`); when the body omits it, the stored value is kept.
 * Returns the resource with omitted immutable values carried over.
 */
export function checkImmutable(
  resource: Readonly<Record<string, unknown>>,
  existing: Readonly<Record<string, unknown>>,
  type: ResourceTypeDefinition,
): Record<string, unknown> {
  const out = cloneJson(resource) as Record<string, unknown>;
  for (const slot of attributeSlots(type)) {
    if (slot.definition.mutability !== 'immutable') continue;
    const before = readSlot(existing, slot);
    if (isUnassigned(before)) continue;
    const after = readSlot(out, slot);
    if (after === undefined) writeSlot(out, slot, cloneJson(before));
    else if (!deepEqual(before, after)) {
      throw scimError('mutability', `"${slot.path}" is immutable: it is ${echo(JSON.stringify(before))} and cannot change`);
    }
  }
  return out;
}
