import { names } from '@nx/devkit';

/** Every name the templates need, derived once from the connector type so they cannot disagree. */
export interface ConnectorNames {
  /** Connector type and file-name stem, e.g. `service-now`. */
  name: string;
  /** e.g. `ServiceNow`: class and type names. */
  className: string;
  /** e.g. `serviceNow`: the definition is `serviceNowConnector`. */
  propertyName: string;
  /** e.g. `SERVICE_NOW`: the type constant is `SERVICE_NOW_TYPE`. */
  constantName: string;
  displayName: string;
  /** WSO2's connector id: base64url (no padding) of the type. */
  connectorId: string;
  /** `libs/connectors/<name>` */
  projectRoot: string;
  /** `@provisioning/connector-<name>` */
  packageName: string;
}

const TYPE_PATTERN = /^[a-z][a-z0-9-]*$/;
/** Display names end up in TypeScript strings, TSDoc and Markdown: keep to characters safe in all three. */
const DISPLAY_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} .&()+/_-]*$/u;
/** Names that would collide with the kit or read badly as a connector type. */
const RESERVED = new Set(['kit', 'testing', 'connector', 'connectors']);

/**
 * Validates the type the same way the contract suite does (lower-case, stable) and derives the rest.
 * Fails early with the reason, rather than generating a library that then fails its own tests.
 */
export function connectorNames(type: string, displayName?: string): ConnectorNames {
  const name = type.trim();
  if (!TYPE_PATTERN.test(name) || name.endsWith('-') || name.includes('--')) {
    throw new Error(`Invalid connector type "${type}": use lower-case letters, digits and single dashes, starting with a letter (e.g. workday)`);
  }
  if (RESERVED.has(name)) throw new Error(`"${name}" is reserved; choose the remote system's name (e.g. workday)`);
  const derived = names(name);
  const shown = displayName?.trim() || name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
  if (!DISPLAY_NAME_PATTERN.test(shown)) {
    throw new Error(`Invalid display name "${displayName}": use letters, digits, spaces and . & ( ) + / _ -`);
  }
  return {
    name,
    className: derived.className,
    propertyName: derived.propertyName,
    constantName: derived.constantName,
    displayName: shown,
    connectorId: Buffer.from(name, 'utf8').toString('base64url'),
    projectRoot: `libs/connectors/${name}`,
    packageName: `@provisioning/connector-${name}`,
  };
}
