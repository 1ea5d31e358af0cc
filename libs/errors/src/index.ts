export {
  ProvisioningError,
  ValidationError,
  NotFoundError,
  ConflictError,
  UnauthenticatedError,
  ForbiddenError,
  PreconditionFailedError,
  NotSupportedError,
  UpstreamUnavailableError,
  UpstreamThrottledError,
  UpstreamRejectedError,
  isProvisioningError,
  errorMessage,
} from './errors';
export type { ErrorKind, ProvisioningErrorOptions, UpstreamFacts, UpstreamErrorOptions } from './errors';
