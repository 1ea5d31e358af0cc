import { NotFoundError } from '@provisioning/errors';
import type { ConnectorDefinition, ConnectorManifest } from '@provisioning/connector-kit';

/**
 * Indexes the connector definitions the host enabled, by type and by WSO2 connector id. The host fills
 * it from one explicit list; nothing is discovered at run time.
 */
export class ConnectorRegistry {
  readonly #byType = new Map<string, ConnectorDefinition>();
  readonly #byId = new Map<string, ConnectorDefinition>();

  constructor(definitions: readonly ConnectorDefinition[]) {
    for (const definition of definitions) {
      const { type, connectorId } = definition.manifest;
      if (this.#byType.has(type)) throw new Error(`connector type "${type}" is registered twice`);
      this.#byType.set(type, definition);
      this.#byId.set(connectorId, definition);
    }
  }

  manifests(): ConnectorManifest[] {
    return [...this.#byType.values()].map((d) => d.manifest);
  }

  /** By type (`salesforce`) or connector id (`c2FsZXNmb3JjZQ`). */
  find(typeOrId: string): ConnectorDefinition | undefined {
    return this.#byType.get(typeOrId) ?? this.#byId.get(typeOrId);
  }

  get(typeOrId: string): ConnectorDefinition {
    const found = this.find(typeOrId);
    if (!found) {
      throw new NotFoundError(`No outbound provisioning connector "${typeOrId}"`, {
        code: 'IDP-60003',
        description: `Known connectors: ${[...this.#byType.values()].map((d) => `${d.manifest.type} (${d.manifest.connectorId})`).join(', ')}`,
      });
    }
    return found;
  }
}
