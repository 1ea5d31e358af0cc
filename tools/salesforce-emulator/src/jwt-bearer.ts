/**
 * Verification of the JWT bearer grant's assertion (RS256), with Salesforce's error answers.
 */
import { X509Certificate, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** What the assertion must match. */
export interface JwtExpectations {
  publicKeyPem: string;
  clientId: string;
  username: string;
  /** Accepted `aud` values (login URLs). */
  audiences: string[];
  nowMs: number;
}

/** Outcome: ok, or the OAuth error to answer. */
export type JwtVerdict = { ok: true } | { ok: false; error: string; description: string };

function publicKey(pem: string): KeyObject {
  if (pem.includes('BEGIN CERTIFICATE')) return new X509Certificate(pem).publicKey;
  return createPublicKey(pem);
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const invalid = (description = 'invalid assertion'): JwtVerdict => ({ ok: false, error: 'invalid_grant', description });

/** Verifies signature and claims (iss = client id, sub = username, aud = a login URL, exp in the future). */
export function verifyJwtAssertion(assertion: string, expect: JwtExpectations): JwtVerdict {
  const parts = assertion.split('.');
  if (parts.length !== 3) return invalid();
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeJson(headerPart);
  const claims = decodeJson(payloadPart);
  if (!header || !claims || header.alg !== 'RS256') return invalid();
  let valid: boolean;
  try {
    valid = verify('RSA-SHA256', Buffer.from(`${headerPart}.${payloadPart}`), publicKey(expect.publicKeyPem), Buffer.from(signaturePart, 'base64url'));
  } catch {
    valid = false;
  }
  if (!valid) return invalid();
  if (claims.iss !== expect.clientId) return { ok: false, error: 'invalid_client_id', description: 'client identifier invalid' };
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const normalise = (u: unknown): string => (typeof u === 'string' ? u.replace(/\/+$/, '') : '');
  if (!audiences.some((a) => expect.audiences.map(normalise).includes(normalise(a)))) return invalid('audience is invalid');
  if (typeof claims.sub !== 'string' || claims.sub.toLowerCase() !== expect.username.toLowerCase()) {
    return invalid("user hasn't approved this consumer");
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= expect.nowMs) return invalid('expired authorization code');
  return { ok: true };
}
