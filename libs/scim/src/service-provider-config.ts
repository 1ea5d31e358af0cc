import { SERVICE_PROVIDER_CONFIG_SCHEMA } from './urns';

/** An authentication scheme entry of the ServiceProviderConfig (RFC 7643 5). */
export interface AuthenticationScheme {
  readonly type: string;
  readonly name: string;
  readonly description: string;
  readonly specUri?: string;
  readonly documentationUri?: string;
  readonly primary?: boolean;
}

/** What the server supports; everything the RFC asks for is explicit. */
export interface ServiceProviderConfigOptions {
  /** The SCIM base URL (e.g. `https://host/scim2`), for `meta.location`. */
  readonly baseUrl: string;
  readonly bulk: { readonly supported?: boolean; readonly maxOperations: number; readonly maxPayloadSize: number };
  /** The most resources a filtered query returns. */
  readonly filterMaxResults: number;
  readonly etagSupported: boolean;
  /** Default true. */
  readonly patchSupported?: boolean;
  /** Default true. */
  readonly sortSupported?: boolean;
  /** Default true: a password can be set through PUT and PATCH. */
  readonly changePasswordSupported?: boolean;
  readonly documentationUri?: string;
  /** Default: HTTP Basic, the scheme this server implements. */
  readonly authenticationSchemes?: readonly AuthenticationScheme[];
}

/** HTTP Basic as an RFC 7643 5 authentication scheme. */
export const HTTP_BASIC_SCHEME: AuthenticationScheme = {
  type: 'httpbasic',
  name: 'HTTP Basic',
  description: 'Authentication scheme using the HTTP Basic Standard',
  specUri: 'https://www.rfc-editor.org/info/rfc7617',
  primary: true,
};

/** Removes trailing slashes from a base URL. */
export function trimBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** The `/ServiceProviderConfig` resource (RFC 7643 5, shaped like the 8.5 example). */
export function serviceProviderConfig(options: ServiceProviderConfigOptions): Record<string, unknown> {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    ...(options.documentationUri ? { documentationUri: options.documentationUri } : {}),
    patch: { supported: options.patchSupported ?? true },
    bulk: {
      supported: options.bulk.supported ?? true,
      maxOperations: options.bulk.maxOperations,
      maxPayloadSize: options.bulk.maxPayloadSize,
    },
    filter: { supported: true, maxResults: options.filterMaxResults },
    changePassword: { supported: options.changePasswordSupported ?? true },
    sort: { supported: options.sortSupported ?? true },
    etag: { supported: options.etagSupported },
    authenticationSchemes: (options.authenticationSchemes ?? [HTTP_BASIC_SCHEME]).map((scheme) => ({ ...scheme })),
    meta: { resourceType: 'ServiceProviderConfig', location: `${trimBaseUrl(options.baseUrl)}/ServiceProviderConfig` },
  };
}
