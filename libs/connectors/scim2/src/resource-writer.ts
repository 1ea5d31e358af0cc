import type { CallOptions } from '@provisioning/connector-kit';
import type { Scim2Client } from './scim2-client';
import type { ServiceProviderFeatures } from './service-provider-config';

type Json = Record<string, unknown>;

/** One change to an existing resource, in both forms a target may need. */
export interface ResourceChange {
  /** The RFC 7644 PATCH body, for targets that support PATCH. */
  patch: Json;
  /** The same change applied to the current resource, for targets that only support PUT. */
  apply(current: Json): Json;
}

/**
 * Changes an existing user or group: PATCH when the target's ServiceProviderConfig says it supports
 * it, else GET + PUT of the whole resource (with If-Match when the target does ETags, so a concurrent
 * change is not overwritten silently). Returns false when the resource does not exist and
 * `missingOk` is set; a 404 is otherwise an error like any other.
 */
export async function writeResource(
  client: Scim2Client,
  features: ServiceProviderFeatures,
  url: string,
  change: ResourceChange,
  options: CallOptions,
  missingOk = false,
): Promise<boolean> {
  const accept = missingOk ? [404] : [];
  if (features.patch) {
    const response = await client.send({ method: 'PATCH', url, body: change.patch, accept }, options);
    return response.status !== 404;
  }
  const current = await client.send({ method: 'GET', url, accept }, options);
  if (current.status === 404) return false;
  const body = (typeof current.body === 'object' && current.body !== null ? current.body : {}) as Json;
  const meta = body.meta as { version?: unknown } | undefined;
  const version = typeof meta?.version === 'string' ? meta.version : (current.headers.get('etag') ?? undefined);
  const headers = features.etag && version ? { 'if-match': version } : undefined;
  await client.send({ method: 'PUT', url, body: change.apply(body), ...(headers ? { headers } : {}) }, options);
  return true;
}

/** Quotes a value for a SCIM filter string literal (RFC 7644 3.4.2.2, JSON string rules). */
export function filterString(value: string): string {
  return JSON.stringify(value);
}

/** The id of a created or found resource, when the body carries one. */
export function idOf(body: unknown): string | undefined {
  const id = (body as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Answers to a search that mean "cannot search here" rather than "broken": a target that rejects the
 * filter (400/501) or forbids listing (403) is treated as having no match, and the create goes ahead
 * (a real problem then surfaces on the create itself, with its own status).
 */
export const SEARCH_REFUSED: readonly number[] = [400, 403, 501];

/** The resources of a list response whose `attribute` equals `value` (case-insensitively, as SCIM compares them). */
export function matching(body: unknown, attribute: string, value: string): Json[] {
  const resources = (body as { Resources?: unknown } | null | undefined)?.Resources;
  if (!Array.isArray(resources)) return [];
  return resources.filter(
    (r: unknown): r is Json => typeof r === 'object' && r !== null && typeof (r as Json)[attribute] === 'string' && ((r as Json)[attribute] as string).toLowerCase() === value.toLowerCase(),
  );
}
