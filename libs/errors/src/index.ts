export {
  ProvisioningError,
  ValidationError,
  NotFoundError,
  ConflictError,
  UnauthenticatedError,
  ForbiddenError,
  PreconditionFailedError,
  RateLimitedError,
  NotSupportedError,
  UpstreamUnavailableError,
  UpstreamThrottledError,
  UpstreamRejectedError,
  isProvisioningError,
  errorMessage,
} from './errors';
export type { ErrorKind, ProvisioningErrorOptions, UpstreamFacts, UpstreamErrorOptions } from './errors';
export { echo, ECHO_LIMIT } from './echo';
