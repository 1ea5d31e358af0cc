import type { CallOptions, ConnectorLogger } from '@provisioning/connector-kit';
import type { Scim2Client } from './scim2-client';

/** What the connector needs to know about the target (RFC 7643 5, ServiceProviderConfig). */
export interface ServiceProviderFeatures {
  patch: boolean;
  filter: boolean;
  maxResults?: number;
  etag: boolean;
  /**
   * RFC 7644 3.7 Bulk, present when the target declares `bulk.supported: true`, with its limits
   * (`maxOperations` per request, `maxPayloadSize` in bytes) when it states them.
   */
  bulk?: { maxOperations?: number; maxPayloadSize?: number };
  authenticationSchemes: string[];
  /** `assumed` when the target serves no ServiceProviderConfig: then nothing optional is relied on. */
  source: 'target' | 'assumed';
}

/** Without a ServiceProviderConfig, rely on nothing RFC 7644 makes optional: PUT instead of PATCH, no filters. */
const ASSUMED: ServiceProviderFeatures = { patch: false, filter: false, etag: false, authenticationSchemes: [], source: 'assumed' };

function supported(body: Record<string, unknown>, feature: string): boolean {
  const value = body[feature];
  return typeof value === 'object' && value !== null && (value as { supported?: unknown }).supported === true;
}

/** A positive whole number the target states (some send numbers as strings); undefined otherwise. */
function limit(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Bulk as the target declares it: supported, and not with `maxOperations: 0` (which some targets
 * send next to `supported: true` when Bulk is switched off).
 */
function bulkOf(b: Record<string, unknown>): ServiceProviderFeatures['bulk'] {
  if (!supported(b, 'bulk')) return undefined;
  const bulk = b.bulk as { maxOperations?: unknown; maxPayloadSize?: unknown };
  if (bulk.maxOperations === 0 || bulk.maxOperations === '0') return undefined;
  const maxOperations = limit(bulk.maxOperations);
  const maxPayloadSize = limit(bulk.maxPayloadSize);
  return { ...(maxOperations ? { maxOperations } : {}), ...(maxPayloadSize ? { maxPayloadSize } : {}) };
}

/** Reads the features from a ServiceProviderConfig body; anything not declared `supported: true` is off. */
export function featuresOf(body: unknown): ServiceProviderFeatures {
  if (typeof body !== 'object' || body === null) return ASSUMED;
  const b = body as Record<string, unknown>;
  const maxResults = limit((b.filter as { maxResults?: unknown } | undefined)?.maxResults);
  const bulk = bulkOf(b);
  const schemes = Array.isArray(b.authenticationSchemes) ? b.authenticationSchemes : [];
  return {
    patch: supported(b, 'patch'),
    filter: supported(b, 'filter'),
    ...(maxResults ? { maxResults } : {}),
    etag: supported(b, 'etag'),
    ...(bulk ? { bulk } : {}),
    authenticationSchemes: schemes.flatMap((s: unknown) => {
      const name = (s as { name?: unknown; type?: unknown } | null)?.name ?? (s as { type?: unknown } | null)?.type;
      return typeof name === 'string' ? [name] : [];
    }),
    source: 'target',
  };
}

/**
 * Reads the target's ServiceProviderConfig once per connector instance (a configuration change makes
 * a new instance) and shares the answer, so PATCH-or-PUT and filter-or-not cost one request in total.
 * A failed read is not cached: the next operation tries again.
 */
export class ServiceProviderConfigCache {
  #features: Promise<ServiceProviderFeatures> | undefined;

  constructor(
    private readonly client: Scim2Client,
    private readonly url: string,
    private readonly logger: ConnectorLogger,
  ) {}

  get(options: CallOptions = {}): Promise<ServiceProviderFeatures> {
    if (!this.#features) {
      this.#features = this.load(options).catch((error: unknown) => {
        this.#features = undefined;
        throw error;
      });
    }
    return this.#features;
  }

  /** The features if already known, without a request (for preview). */
  async peek(): Promise<ServiceProviderFeatures | undefined> {
    return this.#features?.catch(() => undefined);
  }

  private async load(options: CallOptions): Promise<ServiceProviderFeatures> {
    const response = await this.client.send({ method: 'GET', url: this.url, accept: [404, 501] }, options);
    if (response.status === 404 || response.status === 501) {
      this.logger.warn({ url: this.url, status: response.status }, 'the SCIM target serves no ServiceProviderConfig; using PUT and no filters');
      return ASSUMED;
    }
    return featuresOf(response.body);
  }
}
