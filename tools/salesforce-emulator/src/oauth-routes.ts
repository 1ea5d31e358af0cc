/**
 * `/services/oauth2/token` and `/services/oauth2/revoke`: password, client-credentials and JWT bearer
 * grants with Salesforce's success and error bodies.
 */
import { createHmac } from 'node:crypto';
import express from 'express';
import type { Request, Response, Router } from 'express';
import type { EmulatorState } from './emulator-state';
import { verifyJwtAssertion } from './jwt-bearer';
import { context } from './request-context';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

type GrantVerdict = { ok: true } | { ok: false; error: string; description: string };

const oauthError = (error: string, description: string): GrantVerdict => ({ ok: false, error, description });

/** The instance URL clients should use: the listening URL, or what the client called. */
export function instanceUrl(state: EmulatorState, req: Request): string {
  return state.baseUrl || `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** Form fields (body) with query-string parameters as fallback; Salesforce accepts both. */
function tokenParams(req: Request, res: Response): Record<string, string> {
  const ctx = context(res);
  const form = ctx.isForm && typeof ctx.body === 'object' && ctx.body !== null ? (ctx.body as Record<string, string>) : {};
  return { ...ctx.query, ...form };
}

function checkClient(state: EmulatorState, params: Record<string, string>): GrantVerdict {
  if (params.client_id !== state.options.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
  if (params.client_secret !== state.options.clientSecret) return oauthError('invalid_client', 'invalid client credentials');
  return { ok: true };
}

function checkGrant(state: EmulatorState, req: Request, params: Record<string, string>): GrantVerdict {
  const { options } = state;
  switch (params.grant_type) {
    case 'password': {
      const client = checkClient(state, params);
      if (!client.ok) return client;
      const userOk = (params.username ?? '').toLowerCase() === options.username.toLowerCase();
      if (!userOk || params.password !== options.password) return oauthError('invalid_grant', 'authentication failure');
      return { ok: true };
    }
    case 'client_credentials':
      return checkClient(state, params);
    case JWT_GRANT: {
      if (!options.jwtPublicKeyPem) return oauthError('invalid_grant', 'invalid assertion');
      if (!params.assertion) return oauthError('invalid_grant', 'invalid assertion');
      return verifyJwtAssertion(params.assertion, {
        publicKeyPem: options.jwtPublicKeyPem,
        clientId: options.clientId,
        username: options.username,
        audiences: [instanceUrl(state, req), 'https://login.salesforce.com', 'https://test.salesforce.com'],
        nowMs: Date.now(),
      });
    }
    case 'refresh_token':
      return oauthError('invalid_grant', 'expired access/refresh token');
    case 'authorization_code':
      return oauthError('invalid_grant', 'invalid authorization code');
    default:
      return oauthError('unsupported_grant_type', 'grant type not supported');
  }
}

/** Router for `/services/oauth2`. */
export function oauthRoutes(state: EmulatorState): Router {
  const router = express.Router();

  router.post('/token', (req: Request, res: Response) => {
    const params = tokenParams(req, res);
    const grantType = params.grant_type || '(none)';
    const verdict = checkGrant(state, req, params);
    state.countTokenRequest(grantType, verdict.ok);
    res.setHeader('Cache-Control', 'no-cache,must-revalidate,max-age=0,no-store,private');
    if (!verdict.ok) {
      res.status(400).json({ error: verdict.error, error_description: verdict.description });
      return;
    }
    const token = state.issueToken(grantType);
    const base = instanceUrl(state, req);
    const id = `${base}/id/${state.orgId}/${state.apiUserId}`;
    const issuedAt = String(token.issuedAt);
    res.status(200).json({
      access_token: token.accessToken,
      instance_url: base,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      signature: createHmac('sha256', state.options.clientSecret).update(id + issuedAt).digest('base64'),
    });
  });

  router.post('/revoke', (req: Request, res: Response) => {
    const params = tokenParams(req, res);
    if (!params.token || !state.revokeToken(params.token)) {
      res.status(400).json({ error: 'unsupported_token_type', error_description: 'this token type is not supported' });
      return;
    }
    res.status(200).end();
  });

  return router;
}
