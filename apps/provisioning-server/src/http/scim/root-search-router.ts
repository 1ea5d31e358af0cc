import { Router } from 'express';
import { isProvisioningError } from '@provisioning/errors';
import { sortResources } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import { boundedCount, boundedStart, pageOf } from '@provisioning/directory';
import { scimBase } from '../../scim/representation';
import { queryFromSearchBody } from '../../scim/scim-query';
import type { GroupServices, UserServices } from '../app';
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
export function rootSearchRouter({ queries: users }: UserServices, { queries: groups }: GroupServices): Router {
  const router = Router();
  router.post('/.search', async (req, res) => {
    const query = queryFromSearchBody(req.body);
    const tenant = contextOf(req).tenant;
    const base = scimBase(req);
    // Each type sorted alike and cut after the last item the merged page can need: an item of either
    // type beyond that cannot land on the page. The totals are each type's full count.
    const needed = boundedStart(query.startIndex) - 1 + boundedCount(query.count);
    const head = { ...query, startIndex: 1, count: needed };
    const tolerant = async (run: () => Promise<{ total: number; resources: ScimResource[] }>, other: () => Promise<unknown>) => {
      try {
        return await run();
      } catch (error) {
        // Only an attribute unknown to this type is tolerated, and only if the other type accepts the filter.
        if (isProvisioningError(error) && error.scimType === 'invalidFilter') {
          await other();
          return { total: 0, resources: [] };
        }
        throw error;
      }
    };
    // A sort attribute one type does not have leaves that type unsorted (they sort as unassigned).
    const sortedIfKnown = async (list: (q: typeof head) => Promise<{ total: number; resources: ScimResource[] }>) => {
      try {
        return await list(head);
      } catch (error) {
        if (query.sortBy && isProvisioningError(error) && error.scimType === 'invalidValue') return list({ ...head, sortBy: undefined, sortOrder: undefined });
        throw error;
      }
    };
    const listUsers = () => sortedIfKnown((q) => users.list(tenant, q, base, needed));
    const listGroups = () => sortedIfKnown((q) => groups.list(tenant, q, base, needed));
    const found = [await tolerant(listUsers, listGroups), await tolerant(listGroups, listUsers)];
    const merged = sortAcrossTypes(found.flatMap((f) => f.resources), query.sortBy, query.sortOrder);
    const page = pageOf(merged, query);
    sendList(res, { ...page, total: found[0]!.total + found[1]!.total }, query, (r) =>
      (r.meta as { resourceType?: string } | undefined)?.resourceType === 'Group' ? 'Group' : 'User',
    );
  });
  return router;
}
