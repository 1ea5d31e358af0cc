export { facebookConnector } from './facebook-connector';
export type { FacebookConfig } from './facebook-connector';
