/**
 * Inserts and deletes of PermissionSetAssignment records with the org-level rules: both references
 * exist, the assignee is active, one assignment per user and permission set, and a profile's own
 * permission set is assigned (and unassigned) only through the user's ProfileId.
 */
import { salesforceTimestamp } from './emulator-state';
import type { EmulatorState, PermissionSetAssignmentRecord } from './emulator-state';
import { IdGenerator, KEY_PREFIX } from './ids';
import { dmlError } from './salesforce-error';
import { PERMISSION_SET_ASSIGNMENT_SCHEMA } from './schema';
import { checkReferences } from './user-dml';
import type { DmlOutcome, Journal, ReferenceRule } from './user-dml';
import { validateRecord } from './validation';
import type { FieldValues } from './validation';

const ASSIGNMENT_REFERENCES: readonly ReferenceRule[] = [
  { field: 'AssigneeId', label: 'Assignee ID', prefix: KEY_PREFIX.User, exists: (state, id) => state.users.has(id) },
  { field: 'PermissionSetId', label: 'Permission Set ID', prefix: KEY_PREFIX.PermissionSet, exists: (state, id) => state.permissionSets.has(id) },
];

const fail = (statusCode: string, message: string, fields: string[] = []): DmlOutcome => ({ ok: false, error: dmlError(statusCode, message, fields) });

/** Assigns a permission set to a user (`AssigneeId`, `PermissionSetId`). */
export function insertAssignment(state: EmulatorState, values: FieldValues, journal?: Journal): DmlOutcome {
  if (values.has('Id')) return fail('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
  const error = validateRecord(PERMISSION_SET_ASSIGNMENT_SCHEMA, values, 'create') ?? checkReferences(state, values, ASSIGNMENT_REFERENCES);
  if (error) return { ok: false, error };
  const assigneeId = String(values.get('AssigneeId'));
  const permissionSetId = String(values.get('PermissionSetId'));
  const user = state.users.get(assigneeId)!;
  const permissionSet = state.permissionSets.get(permissionSetId)!;
  if (permissionSet.IsOwnedByProfile) {
    return fail('INVALID_CROSS_REFERENCE_KEY', `Permission set ${permissionSet.Name} is owned by a profile; set the user's ProfileId instead`, ['PermissionSetId']);
  }
  if (!user.IsActive) return fail('INACTIVE_OWNER_OR_USER', `operation performed with inactive user [${assigneeId}] as assignee of permission set`, ['AssigneeId']);
  if (state.assignmentFor(assigneeId, permissionSetId)) {
    return fail('DUPLICATE_VALUE', `Duplicate PermissionSetAssignment. Assignee: ${assigneeId}; Permission Set: ${permissionSetId}`);
  }
  const record: PermissionSetAssignmentRecord = {
    Id: IdGenerator.next(KEY_PREFIX.PermissionSetAssignment),
    AssigneeId: assigneeId,
    PermissionSetId: permissionSetId,
    SystemModstamp: salesforceTimestamp(),
  };
  state.putAssignment(record);
  journal?.record(() => state.removeAssignment(record.Id));
  return { ok: true, id: record.Id };
}

/** Deletes an assignment (by 18-character id); a profile's own permission set cannot be unassigned. */
export function deleteAssignment(state: EmulatorState, id: string, journal?: Journal): DmlOutcome {
  const existing = state.permissionSetAssignments.get(id);
  if (!existing) return fail('ENTITY_IS_DELETED', 'entity is deleted');
  const permissionSet = state.permissionSets.get(existing.PermissionSetId);
  if (permissionSet?.IsOwnedByProfile) {
    return fail('DELETE_FAILED', `Permission set ${permissionSet.Name} is owned by the user's profile; change the user's ProfileId to remove it`);
  }
  state.removeAssignment(id);
  journal?.record(() => state.putAssignment(existing));
  return { ok: true, id };
}
