import { z } from 'zod';
import { ValidationError } from '@provisioning/errors';
import { claimUriFromId } from './claim-id';
import { LOCAL_CLAIMS, LOCAL_CLAIM_DIALECT } from './local-claims';

/**
 * An IdP's custom claim dialect (WSO2 `claims` of an identity provider): how its fields map to local
 * claims, and which fields are provisioned, with constant defaults for fields the user cannot fill.
 */
export interface IdpClaimConfig {
  /** The IdP claim that identifies the user remotely (e.g. Salesforce `Username`). */
  userIdClaim?: { uri: string };
  /** The IdP claim that carries roles, when the IdP has one. */
  roleClaim?: { uri: string };
  /** IdP claim -> local claim. Several IdP claims may share one local claim. */
  mappings: Array<{ idpClaim: string; localClaim: { uri: string } }>;
  /** IdP claims to provision (`claim.uri` names the IdP claim), each with an optional default. */
  provisioningClaims: Array<{ claim: { uri: string }; defaultValue?: string }>;
}

/** Options of {@link validateIdpClaimConfig}. */
export interface ValidateIdpClaimConfigOptions {
  /** Prefix of the paths named in errors, e.g. `claims` when validating an IdP body's `claims`. */
  readonly path?: string;
}

const requiredString = (what = 'a string') =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`) });
const nonEmptyString = requiredString('a non-empty string').trim().min(1, { error: 'must not be empty' });
const optionalObject = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v) => v ?? undefined);

const schema = z.object(
  {
    userIdClaim: optionalObject(z.object({ uri: nonEmptyString })),
    roleClaim: optionalObject(z.object({ uri: nonEmptyString })),
    mappings: z
      .array(
        z.object({
          idpClaim: nonEmptyString,
          localClaim: z.object(
            { uri: requiredString().trim().optional(), id: requiredString().trim().optional() },
            { error: 'must be an object with "uri"' },
          ),
        }),
        { error: 'must be an array' },
      )
      .nullish()
      .transform((v) => v ?? []),
    provisioningClaims: z
      .array(
        z.object({
          claim: z.object({ uri: nonEmptyString }, { error: 'must be an object with "uri"' }),
          defaultValue: requiredString()
            .nullish()
            .transform((v) => (v === null || v === undefined || v === '' ? undefined : v)),
        }),
        { error: 'must be an array' },
      )
      .nullish()
      .transform((v) => v ?? []),
  },
  { error: 'must be an object' },
);

interface Issue {
  readonly path: string;
  readonly message: string;
}

function formatPath(prefix: string | undefined, parts: ReadonlyArray<PropertyKey>): string {
  let out = prefix ?? '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * Checks an IdP claim configuration before it is stored, so provisioning never meets a mapping to a
 * claim that does not exist or a field it can never fill. Rejects: unknown local claims, duplicate
 * IdP claims (compared case-insensitively, as Salesforce field names are), duplicate provisioning
 * claims, and provisioning claims that are neither mapped nor given a default. A `localClaim` may be
 * given by `uri` or by WSO2 `id` (base64url of the URI). Throws one {@link ValidationError} whose
 * message names the first offending path; `details.issues` lists them all.
 *
 * @param knownLocalClaims the local claims that exist (defaults to the built-in local dialect).
 */
export function validateIdpClaimConfig(
  config: unknown,
  knownLocalClaims?: Iterable<string>,
  options: ValidateIdpClaimConfigOptions = {},
): IdpClaimConfig {
  const at = (parts: ReadonlyArray<PropertyKey>) => formatPath(options.path, parts);
  const parsed = schema.safeParse(config);
  if (!parsed.success) {
    throw invalid(parsed.error.issues.map((i) => ({ path: at(i.path), message: i.message })));
  }
  const known = new Set(knownLocalClaims ?? LOCAL_CLAIMS.map((c) => c.claimURI));
  const issues: Issue[] = [];
  const input = parsed.data;

  const mappings: IdpClaimConfig['mappings'] = [];
  const idpClaims = new Map<string, number>();
  input.mappings.forEach((m, i) => {
    const uri = resolveLocalClaim(m.localClaim, ['mappings', i, 'localClaim'], at, issues);
    if (uri !== undefined && !known.has(uri)) {
      const near = [...known].find((k) => k.toLowerCase() === uri.toLowerCase());
      issues.push({
        path: at(['mappings', i, 'localClaim', 'uri']),
        message: `"${uri}" is not a claim of the local dialect ${LOCAL_CLAIM_DIALECT}${near ? ` (did you mean "${near}"?)` : ''}`,
      });
    }
    const first = idpClaims.get(m.idpClaim.toLowerCase());
    if (first !== undefined) {
      issues.push({ path: at(['mappings', i, 'idpClaim']), message: `"${m.idpClaim}" is already mapped by ${at(['mappings', first, 'idpClaim'])}` });
    } else {
      idpClaims.set(m.idpClaim.toLowerCase(), i);
    }
    if (uri !== undefined) mappings.push({ idpClaim: m.idpClaim, localClaim: { uri } });
  });

  const mapped = new Set(input.mappings.map((m) => m.idpClaim));
  const seen = new Map<string, number>();
  input.provisioningClaims.forEach((p, i) => {
    const name = p.claim.uri;
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      issues.push({ path: at(['provisioningClaims', i, 'claim', 'uri']), message: `"${name}" is already listed at ${at(['provisioningClaims', first])}` });
    } else {
      seen.set(name.toLowerCase(), i);
    }
    if (!mapped.has(name) && p.defaultValue === undefined) {
      const near = [...mapped].find((c) => c.toLowerCase() === name.toLowerCase());
      issues.push({
        path: at(['provisioningClaims', i, 'claim', 'uri']),
        message: near
          ? `"${name}" differs only in letter case from the mapped IdP claim "${near}"; use the same spelling`
          : `"${name}" is not a mapped IdP claim and has no defaultValue, so it could never be filled`,
      });
    }
  });

  if (issues.length > 0) throw invalid(issues);
  return {
    ...(input.userIdClaim ? { userIdClaim: { uri: input.userIdClaim.uri } } : {}),
    ...(input.roleClaim ? { roleClaim: { uri: input.roleClaim.uri } } : {}),
    mappings,
    provisioningClaims: input.provisioningClaims.map((p) => ({
      claim: { uri: p.claim.uri },
      ...(p.defaultValue === undefined ? {} : { defaultValue: p.defaultValue }),
    })),
  };
}

function resolveLocalClaim(
  ref: { uri?: string; id?: string },
  parts: ReadonlyArray<PropertyKey>,
  at: (parts: ReadonlyArray<PropertyKey>) => string,
  issues: Issue[],
): string | undefined {
  const uri = ref.uri === '' ? undefined : ref.uri;
  const id = ref.id === '' ? undefined : ref.id;
  if (id === undefined) {
    if (uri === undefined) issues.push({ path: at([...parts, 'uri']), message: 'is required' });
    return uri;
  }
  let fromId: string;
  try {
    fromId = claimUriFromId(id);
  } catch (error) {
    issues.push({ path: at([...parts, 'id']), message: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
  if (uri !== undefined && uri !== fromId) {
    issues.push({ path: at([...parts, 'id']), message: `names "${fromId}" but uri is "${uri}"` });
    return undefined;
  }
  return fromId;
}

function invalid(issues: readonly Issue[]): ValidationError {
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new ValidationError(`Invalid IdP claim configuration: ${first.path} ${first.message}${more}`, {
    description: issues.map((i) => `${i.path} ${i.message}`).join('; '),
    details: { issues: issues.map((i) => ({ path: i.path, message: i.message })) },
  });
}
