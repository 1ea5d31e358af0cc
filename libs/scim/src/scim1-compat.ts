import { findKey, isObject } from './json-values';
import { scimError } from './scim-errors';
import { ENTERPRISE_USER_SCHEMA, SCIM1_CORE_SCHEMA, SCIM1_ENTERPRISE_SCHEMA, USER_SCHEMA } from './urns';

/**
 * Rewrites a SCIM 1.x body to SCIM 2.0 names (the WSO2 guide sends SCIM 1.0 to the 2.0 endpoint):
 * `urn:scim:schemas:core:1.0` (the 1.x core schema of every resource) becomes the resource type's
 * core URN; for Users also the enterprise URN and key, and the 1.1 `manager.managerId` (now
 * `manager.value`). Anything else is returned unchanged.
 */
export function rewriteScim1(body: Readonly<Record<string, unknown>>, coreSchema: string): Record<string, unknown> {
  const rewrites: Readonly<Record<string, string>> = {
    [SCIM1_CORE_SCHEMA.toLowerCase()]: coreSchema,
    ...(coreSchema === USER_SCHEMA ? { [SCIM1_ENTERPRISE_SCHEMA.toLowerCase()]: ENTERPRISE_USER_SCHEMA } : {}),
  };
  const out: Record<string, unknown> = { ...body };
  const schemasKey = findKey(out, 'schemas');
  if (schemasKey && Array.isArray(out[schemasKey])) {
    const rewritten = (out[schemasKey] as unknown[]).map((urn) => (typeof urn === 'string' ? (rewrites[urn.toLowerCase()] ?? urn) : urn));
    out[schemasKey] = [...new Set(rewritten)];
  }
  const oldKey = coreSchema === USER_SCHEMA ? findKey(out, SCIM1_ENTERPRISE_SCHEMA) : undefined;
  if (oldKey !== undefined) {
    if (findKey(out, ENTERPRISE_USER_SCHEMA) !== undefined) {
      throw scimError('invalidSyntax', `Both "${SCIM1_ENTERPRISE_SCHEMA}" and "${ENTERPRISE_USER_SCHEMA}" are given`);
    }
    let extension = out[oldKey];
    delete out[oldKey];
    if (isObject(extension)) {
      const managerKey = findKey(extension, 'manager');
      const manager = managerKey === undefined ? undefined : extension[managerKey];
      if (managerKey !== undefined && isObject(manager)) {
        const idKey = findKey(manager, 'managerId');
        if (idKey !== undefined && findKey(manager, 'value') === undefined) {
          const { [idKey]: id, ...rest } = manager;
          extension = { ...extension, [managerKey]: { value: id, ...rest } };
        }
      }
    }
    out[ENTERPRISE_USER_SCHEMA] = extension;
  }
  return out;
}
