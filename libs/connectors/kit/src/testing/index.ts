export { runConnectorContract } from './contract-suite';
export type { ContractHarness, ContractTarget } from './contract-suite';
export { sampleOperation } from './sample-operation';
