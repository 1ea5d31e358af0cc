import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from '@provisioning/errors';
import type { CredentialCache, UserRepository, UserStorePolicy } from '@provisioning/user-store';
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '@provisioning/user-store';
import type { TenantService } from '@provisioning/directory';
import type { LoginThrottle } from './login-throttle';
import { ADMIN_ROLE, contextOf, setContext } from './principal';

export interface AuthDependencies {
  users: UserRepository;
  policy: UserStorePolicy;
  cache: CredentialCache;
  tenants: TenantService;
  throttle: LoginThrottle;
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}

/** Resolves the tenant of a request: `/t/{tenant}/...` or the super tenant. Unknown tenants are 404. */
export function tenantResolver(deps: AuthDependencies) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    try {
      const fromPath = typeof req.params.tenant === 'string' ? req.params.tenant.toLowerCase() : undefined;
      const tenant = fromPath ?? deps.policy.superTenantDomain;
      // Unknown tenants answer like wrong credentials: whether a tenant exists is not disclosed.
      if (!(await deps.tenants.exists(tenant))) throw new UnauthenticatedError('Invalid credentials');
      setContext(req, { tenant });
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * HTTP Basic against the user store. A verified credential is remembered briefly (keyed by an HMAC of
 * it, never the password), so the memory-hard hash is not recomputed on every request.
 */
export function authenticate(deps: AuthDependencies) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    try {
      const ctx = contextOf(req);
      const header = req.headers.authorization ?? '';
      const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
      if (!match) throw new UnauthenticatedError('Authentication required: use HTTP Basic with a user-store user');
      const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new UnauthenticatedError('Malformed Basic credentials');
      const login = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      let qualified;
      try {
        qualified = deps.policy.parseQualifiedUsername(login, ctx.tenant);
      } catch {
        throw new UnauthenticatedError('Invalid credentials');
      }
      if (qualified.tenantDomain !== ctx.tenant) throw new UnauthenticatedError('Invalid credentials');
      // Per name and client address: guessing from one place is slowed down, while nobody can lock a
      // user (the super admin included) out from somewhere else.
      const throttleKey = `${ctx.tenant}\0${qualified.username.toLowerCase().slice(0, 256)}\0${req.ip ?? ''}`;
      deps.throttle.attempt(throttleKey);
      const refuse = (): never => {
        throw new UnauthenticatedError('Invalid credentials');
      };
      const user = await deps.users.findByUsername(ctx.tenant, qualified.username);
      if (!user || !user.passwordHash) {
        // Same cost as a real check, so response times do not tell which usernames exist.
        await verifyPassword(password, await dummyHash());
        refuse();
        return;
      }
      if ((user.resource as { active?: unknown }).active === false) {
        // A deactivated user keeps their data but signs in no more (and cannot reactivate themselves).
        await verifyPassword(password, user.passwordHash);
        refuse();
      }
      const presented = { tenantDomain: ctx.tenant, username: qualified.username, password };
      const stored = { userId: user.id, passwordHash: user.passwordHash };
      if (!deps.cache.lookup(presented, stored)) {
        if (!(await verifyPassword(password, user.passwordHash))) refuse();
        deps.cache.remember(presented, stored);
      }
      deps.throttle.succeeded(throttleKey);
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
