import type { Request } from 'express';

/** Who is calling: resolved by the authentication middleware. */
export interface Principal {
  userId: string;
  username: string;
  tenant: string;
  roles: readonly string[];
}

export { ADMIN_ROLE } from '@provisioning/directory';

/** Request-scoped facts; set by middleware, read by routes. */
export interface RequestContext {
  tenant: string;
  /** Whether the tenant exists (an unknown one fails authentication like wrong credentials). */
  tenantKnown: boolean;
  principal?: Principal;
}

export function contextOf(req: Request): RequestContext {
  const ctx = (req as Request & { provisioning?: RequestContext }).provisioning;
  if (!ctx) throw new Error('request context missing: tenant middleware not installed');
  return ctx;
}

export function setContext(req: Request, ctx: RequestContext): void {
  (req as Request & { provisioning?: RequestContext }).provisioning = ctx;
}
