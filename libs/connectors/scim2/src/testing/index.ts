/**
 * Test helpers of the SCIM 2.0 connector: an in-memory SCIM 2.0 service provider on loopback, usable
 * by any test that needs a SCIM target (this library's contract run, host end-to-end tests).
 */
export { startScimTarget, TARGET_USERNAME, TARGET_PASSWORD } from './scim-target';
export type { RunningScimTarget } from './scim-target';
export { ScimTargetState } from './scim-target-state';
export type { ScimTargetAuth, ScimTargetOptions, ScimFault, ScimFaultAction, RecordedRequest, Resource } from './scim-target-state';
