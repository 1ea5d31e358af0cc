import type { Request } from 'express';

/** The base URL of the SCIM service a request came through (`/scim2`, `/wso2/scim2`, `/t/x/scim2`). */
export function scimBase(req: Request): string {
  const path = req.originalUrl.split('?')[0] ?? '';
  const match = /^(.*?\/scim2)(\/|$)/.exec(path);
  return `${req.protocol}://${req.get('host')}${match ? match[1] : ''}`;
}
