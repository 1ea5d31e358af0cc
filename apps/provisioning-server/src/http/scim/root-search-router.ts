import { Router } from 'express';
import { isProvisioningError } from '@provisioning/errors';
import { sortResources } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import type { GroupService } from '../../groups/group-service';
import { scimBase } from '../../scim/representation';
import { pageOf, queryFromSearchBody } from '../../scim/scim-query';
import type { UserService } from '../../users/user-service';
import { contextOf } from '../principal';
import { sendList } from './respond';

/**
 * Sorts Users and Groups together (RFC 7644 3.4.2.3 applies to the whole result). `sortBy` is
 * resolved against the User schema, else the Group schema (`members`); resources of the other type
 * have no value for it and go last (ascending) or first (descending), as unassigned values do.
 * Attributes both types have (id, externalId, displayName, meta.*) sort both.
 */
function sortAcrossTypes(resources: ScimResource[], sortBy: string | undefined, sortOrder: string | undefined): ScimResource[] {
  try {
    return sortResources(resources, sortBy, sortOrder, 'User');
  } catch (userError) {
    if (!isProvisioningError(userError) || userError.scimType !== 'invalidValue') throw userError;
    try {
      return sortResources(resources, sortBy, sortOrder, 'Group');
    } catch {
      throw userError;
    }
  }
}

/**
 * RFC 7644 3.4.3 POST /.search at the root: searches Users and Groups together. A filter naming an
 * attribute one resource type does not have simply matches none of that type.
 */
export function rootSearchRouter(users: UserService, groups: GroupService): Router {
  const router = Router();
  router.post('/.search', async (req, res) => {
    const query = queryFromSearchBody(req.body);
    const tenant = contextOf(req).tenant;
    const base = scimBase(req);
    // Each type unsorted and unpaged: sorting and paging apply to the merged result.
    const unsorted = { ...query, sortBy: undefined, sortOrder: undefined, startIndex: 1, count: Number.MAX_SAFE_INTEGER };
    const tolerant = async (run: () => Promise<{ resources: ScimResource[] }>, other: () => Promise<unknown>) => {
      try {
        return (await run()).resources;
      } catch (error) {
        // Only an attribute unknown to this type is tolerated, and only if the other type accepts the filter.
        if (isProvisioningError(error) && error.scimType === 'invalidFilter') {
          await other();
          return [];
        }
        throw error;
      }
    };
    const listUsers = () => users.list(tenant, unsorted, base);
    const listGroups = () => groups.list(tenant, unsorted, base);
    const resources = sortAcrossTypes([...(await tolerant(listUsers, listGroups)), ...(await tolerant(listGroups, listUsers))], query.sortBy, query.sortOrder);
    sendList(res, pageOf(resources, query), query, (r) =>
      (r.meta as { resourceType?: string } | undefined)?.resourceType === 'Group' ? 'Group' : 'User',
    );
  });
  return router;
}
