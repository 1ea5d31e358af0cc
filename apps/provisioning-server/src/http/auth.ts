import type { NextFunction, Request, Response } from 'express';
import type { TenantService } from '@provisioning/directory';
import { ForbiddenError, UnauthenticatedError } from '@provisioning/errors';
import type { Authenticator, UserStorePolicy } from '@provisioning/user-store';
import { ADMIN_ROLE, contextOf, setContext } from './principal';

export interface AuthDependencies {
  authenticator: Authenticator;
  policy: UserStorePolicy;
  tenants: TenantService;
}

/**
 * Resolves the tenant of a request: `/t/{tenant}/...` or the super tenant. Whether it exists is not
 * told here: an unknown tenant is answered by authentication exactly like wrong credentials (same
 * message, same time), so tenant names cannot be probed.
 */
export function tenantResolver(deps: AuthDependencies) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    try {
      const fromPath = typeof req.params.tenant === 'string' ? req.params.tenant.toLowerCase() : undefined;
      const tenant = fromPath ?? deps.policy.superTenantDomain;
      setContext(req, { tenant, tenantKnown: await deps.tenants.exists(tenant) });
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** `user:password` of an HTTP Basic header, or undefined when there is none (or it is not one). */
function basicCredentials(header: string | undefined): { login: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP Basic against the user store, before any request body is read (an unauthenticated client
 * never gets a body parsed). The {@link Authenticator} decides: remembered credentials, throttling,
 * budgets for unknown names, bounded verifications.
 */
export function authenticate(deps: AuthDependencies) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    try {
      const ctx = contextOf(req);
      const credentials = basicCredentials(req.headers.authorization);
      if (!credentials) throw new UnauthenticatedError('Authentication required: use HTTP Basic with a user-store user');
      const user = await deps.authenticator.signIn({
        tenant: ctx.tenant,
        tenantKnown: ctx.tenantKnown,
        login: credentials.login,
        password: credentials.password,
        clientAddress: req.socket.remoteAddress ?? '',
      });
      ctx.principal = { userId: user.id, username: user.username, tenant: ctx.tenant, roles: user.roles };
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** Only callers holding `role` pass. */
export function requireRole(role = ADMIN_ROLE) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const principal = contextOf(req).principal;
    if (!principal) return next(new UnauthenticatedError());
    if (!principal.roles.includes(role)) return next(new ForbiddenError(`User ${principal.username} lacks the ${role} role needed here`));
    next();
  };
}
