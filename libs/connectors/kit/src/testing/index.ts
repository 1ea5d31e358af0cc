/**
 * Test helpers for connector libraries: the shared contract suite every connector runs first, and
 * builders for the operations the engine sends. A separate entry so production code never imports vitest.
 */
export { runConnectorContract } from './contract-suite';
export type { ContractHarness, ContractTarget, ContractGroupTarget } from './contract-harness';
export { contractContext, loopbackHttp } from './contract-harness';
export { sampleOperation, sampleGroupOperation } from './sample-operation';
