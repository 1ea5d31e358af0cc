export { googleConnector } from './google-connector';
export type { GoogleConfig } from './google-connector';
