import type { Request } from 'express';

/** The base URL of the SCIM service a request came through (`/scim2`, `/wso2/scim2`, `/t/x/scim2`). */
export function scimBase(req: Request): string {
  const path = req.originalUrl.split('?')[0] ?? '';
  const match = /^(.*?\/scim2)(\/|$)/.exec(path);
  return `${req.protocol}://${req.get('host')}${match ? match[1] : ''}`;
}

/** Weak ETag of a stored version. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/** RFC 7643 3.1 `meta`. */
export function metaOf(resourceType: 'User' | 'Group', entity: { id: string; createdAt: number; updatedAt: number; version: number }, base: string) {
  return {
    resourceType,
    created: new Date(entity.createdAt).toISOString(),
    lastModified: new Date(entity.updatedAt).toISOString(),
    location: `${base}/${resourceType === 'User' ? 'Users' : 'Groups'}/${entity.id}`,
    version: etagOf(entity.version),
  };
}
