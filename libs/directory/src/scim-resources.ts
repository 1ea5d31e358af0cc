import type { ScimResource } from '@provisioning/scim';
import type { StoredGroup, StoredUser } from '@provisioning/user-store';
import { etagOf } from './etag';

/** A user's group memberships as SCIM shows them (`groups`, read-only). */
export type Membership = { id: string; displayName: string; type: 'direct' | 'indirect' };

/** RFC 7643 3.1 `meta`; `base` is the SCIM service's base URL the request came through. */
export function metaOf(resourceType: 'User' | 'Group', entity: { id: string; createdAt: number; updatedAt: number; version: number }, base: string) {
  return {
    resourceType,
    created: new Date(entity.createdAt).toISOString(),
    lastModified: new Date(entity.updatedAt).toISOString(),
    location: `${base}/${resourceType === 'User' ? 'Users' : 'Groups'}/${entity.id}`,
    version: etagOf(entity.version),
  };
}

/** The SCIM User: the stored resource, read-only `groups` from memberships, `meta`. */
export function userResource(user: StoredUser, groups: readonly Membership[], base: string): ScimResource {
  return {
    ...user.resource,
    id: user.id,
    ...(groups.length > 0 ? { groups: groups.map((g) => ({ value: g.id, display: g.displayName, type: g.type, $ref: `${base}/Groups/${g.id}` })) } : {}),
    meta: metaOf('User', user, base),
  } as ScimResource;
}

/**
 * The SCIM Group. Members come in one deterministic order (by id): the repository reads them back in
 * no particular order, so without it a write's response and the next GET of the same version listed
 * them differently. `names` gives members' display (usernames, nested groups' names).
 */
export function groupResource(group: StoredGroup, base: string, names?: ReadonlyMap<string, string>): ScimResource {
  const members = [...group.members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    ...group.resource,
    id: group.id,
    displayName: group.displayName,
    ...(members.length > 0
      ? {
          members: members.map((m) => ({
            value: m.id,
            type: m.type,
            $ref: `${base}/${m.type === 'User' ? 'Users' : 'Groups'}/${m.id}`,
            ...(names?.get(m.id) ? { display: names.get(m.id) } : {}),
          })),
        }
      : {}),
    meta: metaOf('Group', group, base),
  } as ScimResource;
}
