import { ValidationError } from '@provisioning/errors';
import type { CallOptions, OutboundAttribute, ProvisioningOperation } from '@provisioning/connector-kit';
import type { SalesforceSession } from './salesforce-session';
import { fieldText } from './user-record';

/**
 * The field an IdP maps to give a user a role in the org's role hierarchy, by the role's
 * DeveloperName (role mappings: local role -> DeveloperName). The connector writes it as
 * `UserRoleId` and lists it back as the DeveloperName, so runs compare and repair it.
 */
export const ROLE_FIELD = 'UserRole';

const NEXT_RECORDS = /^\/services\/data\/v\d+\.\d+\/query\/[A-Za-z0-9-]+$/;

interface RolePage {
  done: boolean;
  records: Array<{ Id: string; DeveloperName: string }>;
  nextRecordsUrl?: string;
}

/** The org's roles by DeveloperName and by id, read once and again when a name is not found. */
export class RoleDirectory {
  #byName: Map<string, { id: string; developerName: string }> | undefined;
  #byId = new Map<string, string>();

  constructor(private readonly session: SalesforceSession) {}

  /** The id of the role with this DeveloperName (case-insensitive); a clear error when there is none. */
  async idOf(developerName: string, options: CallOptions): Promise<string> {
    const key = developerName.toLowerCase();
    if (!this.#byName?.has(key)) await this.load(options);
    const found = this.#byName!.get(key);
    if (!found) {
      throw new ValidationError(`Salesforce has no role with the DeveloperName "${developerName}" (${ROLE_FIELD}): create the role in Salesforce or correct the identity provider's role mappings`);
    }
    return found.id;
  }

  /** The DeveloperName of a role id (18 characters, as Salesforce answers), if the org has it. */
  async nameOf(id: string, options: CallOptions): Promise<string | undefined> {
    if (!this.#byId.has(id)) await this.load(options);
    return this.#byId.get(id);
  }

  /** The org's spelling of a DeveloperName, when the roles were read already (descriptions are synchronous). */
  canonical(developerName: string): string {
    return this.#byName?.get(developerName.toLowerCase())?.developerName ?? developerName;
  }

  /** The operation with its `UserRole` attributes turned into `UserRoleId` (unchanged when it has none). */
  async resolve(operation: ProvisioningOperation, options: CallOptions): Promise<ProvisioningOperation> {
    if (!operation.allAttributes.some(isRole) && !operation.attributes.some(isRole)) return operation;
    const convert = async (attributes: readonly OutboundAttribute[]): Promise<OutboundAttribute[]> => {
      const out: OutboundAttribute[] = [];
      for (const attribute of attributes) {
        if (!isRole(attribute)) out.push(attribute);
        else {
          const name = fieldText(attribute).trim();
          if (name !== '') out.push({ ...attribute, name: 'UserRoleId', value: await this.idOf(name, options) });
        }
      }
      return out;
    };
    return { ...operation, attributes: await convert(operation.attributes), allAttributes: await convert(operation.allAttributes) };
  }

  private async load(options: CallOptions): Promise<void> {
    const byName = new Map<string, { id: string; developerName: string }>();
    const byId = new Map<string, string>();
    let path: string | undefined = `/query?q=${encodeURIComponent('SELECT Id, DeveloperName FROM UserRole')}`;
    while (path) {
      const page: RolePage = await this.session.call<RolePage>({ method: 'GET', path }, options);
      for (const role of page.records) {
        byName.set(role.DeveloperName.toLowerCase(), { id: role.Id, developerName: role.DeveloperName });
        byId.set(role.Id, role.DeveloperName);
      }
      path = !page.done && page.nextRecordsUrl && NEXT_RECORDS.test(page.nextRecordsUrl) ? page.nextRecordsUrl.replace(/^\/services\/data\/v\d+\.\d+/, '') : undefined;
    }
    this.#byName = byName;
    this.#byId = byId;
  }
}

const isRole = (attribute: OutboundAttribute) => attribute.name === ROLE_FIELD;
