/** What the directory needs from the deployment configuration. */
export interface DirectorySettings {
  /** `[super_admin] username`: reserved, never renamed, deleted or deactivated through SCIM. */
  superAdminUsername: string;
}

export const DIRECTORY_SETTINGS = Symbol.for('provisioning.directory.Settings') as symbol & { __type?: DirectorySettings };
