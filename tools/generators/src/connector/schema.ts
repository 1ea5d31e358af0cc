/** Options of the `connector` generator; mirrors schema.json, which Nx validates before calling. */
export interface ConnectorGeneratorSchema {
  /** Connector type, e.g. `workday`: lower-case letters, digits, dashes. */
  name: string;
  displayName?: string;
  skipRegister?: boolean;
  skipInstall?: boolean;
}
