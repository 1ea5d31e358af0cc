/**
 * Outbound connections: the egress policy (which hosts connectors may reach, checked when a
 * configuration is saved and on every connection) and the HTTP client that enforces it. Connectors
 * receive an {@link OutboundHttp} through their context; nothing else in a connector opens sockets.
 */
export { EgressPolicy, EgressRefusedError } from './egress-policy';
export type { EgressPolicyOptions, ResolvedAddress, Resolver } from './egress-policy';
export { createOutboundHttp, OutboundHttpError } from './outbound-http';
export type { OutboundHttp, OutboundHttpOptions, OutboundRequest, OutboundResponse, OutboundFailure } from './outbound-http';
export { parseAllowedHost } from './allowed-hosts';
export type { AllowedHost } from './allowed-hosts';
export { nonPublicReason } from './address-class';
