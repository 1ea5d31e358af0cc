import { attribute, complexAttribute } from './attribute-builder';
import type { SchemaDefinition } from './schema-types';
import { GROUP_SCHEMA } from './urns';

/**
 * The core Group schema, modelled on RFC 7643 8.7.1. Errata applied: `displayName` is required
 * (RFC 7643 4.2) and `members.display` exists (used by every RFC example); it is readOnly, since the
 * server fills it in with the member's name.
 */
export const GROUP_SCHEMA_DEFINITION: SchemaDefinition = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    // Erratum: RFC 7643 4.2 says REQUIRED; the 8.7.1 listing says required false.
    attribute('displayName', 'string', 'A human-readable name for the Group. REQUIRED.', { required: true }),
    complexAttribute(
      'members',
      'A list of members of the Group.',
      [
        attribute('value', 'string', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
        attribute('$ref', 'reference', 'The URI corresponding to a SCIM resource that is a member of this Group.', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
        attribute('type', 'string', 'A label indicating the type of resource, e.g., \'User\' or \'Group\'.', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
        // Erratum: members carry "display" in every RFC example (7643 8.4, 7644 3.5.2); 8.7.1 omits it.
        // readOnly: the server shows the member's own name; a client's value is ignored (RFC 7643 2.2).
        attribute('display', 'string', 'A human-readable name for the member, primarily used for display purposes.', { mutability: 'readOnly' }),
      ],
      { multiValued: true },
    ),
  ],
};
