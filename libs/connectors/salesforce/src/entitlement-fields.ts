import type { CallOptions, OutboundAttribute, ProvisioningOperation } from '@provisioning/connector-kit';
import type { SalesforceEntitlements } from './entitlements';
import { fieldText } from './user-record';

/**
 * The field an IdP maps to give a user a role in the org's role hierarchy, by the role's
 * DeveloperName (usually through role mappings naming this field). The connector writes it as
 * `UserRoleId` and lists it back as the DeveloperName, so runs compare and repair it.
 */
export const ROLE_FIELD = 'UserRole';

/**
 * The field an IdP maps to give a user permission sets, by their API names (role mappings naming
 * this field). Not a User field: the connector converges the user's PermissionSetAssignment records
 * after writing the user, removing only sets the mappings manage (`managedValues`), and lists the
 * assignments back under this name.
 */
export const PERMISSION_SETS_FIELD = 'PermissionSets';

/** The permission sets an operation asks for: the complete desired list, and the sets it may remove. */
export interface DesiredPermissionSets {
  names: string[];
  managed: string[];
}

/** An operation as the User record is written: role by id, no permission sets (converged separately). */
export interface PreparedOperation {
  operation: ProvisioningOperation;
  /** Present when the operation carries `PermissionSets` (a create, or an update whose roles changed). */
  permissionSets?: DesiredPermissionSets;
}

/**
 * Turns `UserRole` into `UserRoleId` (an empty entitlement list clears the role; a blank value is
 * left out) and takes `PermissionSets` out, checking that every named set exists (a permanent,
 * named error before anything is written otherwise).
 */
export async function prepareOperation(operation: ProvisioningOperation, entitlements: SalesforceEntitlements, options: CallOptions): Promise<PreparedOperation> {
  const touches = (list: readonly OutboundAttribute[]) => list.some((a) => a.name === ROLE_FIELD || a.name === PERMISSION_SETS_FIELD);
  if (operation.kind === 'deprovision' || (!touches(operation.attributes) && !touches(operation.allAttributes))) return { operation };
  const convert = async (attributes: readonly OutboundAttribute[]): Promise<OutboundAttribute[]> => {
    const out: OutboundAttribute[] = [];
    for (const attribute of attributes) {
      if (attribute.name === PERMISSION_SETS_FIELD) continue;
      if (attribute.name !== ROLE_FIELD) {
        out.push(attribute);
        continue;
      }
      const cleared = Array.isArray(attribute.value) && attribute.value.length === 0;
      const name = fieldText(attribute).trim();
      if (name !== '') out.push({ name: 'UserRoleId', value: await entitlements.resolveRole(name, options), source: attribute.source });
      else if (cleared) out.push({ name: 'UserRoleId', value: '', source: attribute.source });
    }
    return out;
  };
  // What the operation asks for: a create (or a link) the whole list, an update only a changed one.
  const sets = (operation.kind === 'create' ? operation.allAttributes : operation.attributes).find((a) => a.name === PERMISSION_SETS_FIELD);
  let permissionSets: DesiredPermissionSets | undefined;
  if (sets) {
    const names = [...new Set((typeof sets.value === 'string' ? sets.value.split(',') : sets.value).map((n) => n.trim()).filter((n) => n !== ''))];
    await entitlements.resolvePermissionSets(names, options);
    permissionSets = { names, managed: [...(sets.managedValues ?? [])] };
  }
  return {
    operation: { ...operation, attributes: await convert(operation.attributes), allAttributes: await convert(operation.allAttributes) },
    ...(permissionSets ? { permissionSets } : {}),
  };
}
