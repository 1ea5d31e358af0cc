import type { Request, Response } from 'express';
import { listResponse, projectAttributes } from '@provisioning/scim';
import type { ScimResource } from '@provisioning/scim';
import type { ScimQuery } from '../../scim/scim-query';
import { queryFromParams } from '../../scim/scim-query';
import type { ResourcePage } from '@provisioning/directory';

export const SCIM_JSON = 'application/scim+json';

/** Sends one resource with `attributes`/`excludedAttributes` applied, its ETag, and Location on 201. */
export function sendResource(req: Request, res: Response, status: number, resource: ScimResource, type: 'User' | 'Group'): void {
  const query = queryFromParams(req.query as Record<string, unknown>);
  const meta = resource.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) res.setHeader('ETag', meta.version);
  if (status === 201 && meta?.location) res.setHeader('Location', meta.location);
  res.status(status).type(SCIM_JSON).json(projectAttributes(resource, query, type));
}

/** Sends a ListResponse page, projected. */
export function sendList(res: Response, page: ResourcePage, query: ScimQuery, typeOf: (r: ScimResource) => 'User' | 'Group'): void {
  const resources = page.resources.map((r) => projectAttributes(r, query, typeOf(r)));
  res.type(SCIM_JSON).json(listResponse({ items: resources, totalResults: page.total, startIndex: page.startIndex, itemsPerPage: resources.length }));
}

/** RFC 7644 3.14: GET with If-None-Match equal to the current version answers 304. */
export function notModified(req: Request, res: Response, resource: ScimResource): boolean {
  const version = (resource.meta as { version?: string } | undefined)?.version;
  const header = req.get('If-None-Match');
  if (!version || !header) return false;
  // Weak comparison (RFC 7232 2.3.2): W/"2" and "2" name the same version.
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  if (header.split(',').some((t) => opaque(t) === opaque(version)) || header.trim() === '*') {
    res.status(304).setHeader('ETag', version).end();
    return true;
  }
  return false;
}
