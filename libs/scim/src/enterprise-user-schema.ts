import { attribute, complexAttribute } from './attribute-builder';
import type { SchemaDefinition } from './schema-types';
import { ENTERPRISE_USER_SCHEMA } from './urns';

/** The enterprise User extension schema, modelled on RFC 7643 8.7.1. */
export const ENTERPRISE_USER_SCHEMA_DEFINITION: SchemaDefinition = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute('employeeNumber', 'string', 'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.'),
    attribute('costCenter', 'string', 'Identifies the name of a cost center.'),
    attribute('organization', 'string', 'Identifies the name of an organization.'),
    attribute('division', 'string', 'Identifies the name of a division.'),
    attribute('department', 'string', 'Identifies the name of a department.'),
    complexAttribute(
      'manager',
      'The User\'s manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the \'id\' attribute of another User.',
      [
        attribute('value', 'string', 'The id of the SCIM resource representing the User\'s manager.  REQUIRED.'),
        attribute('$ref', 'reference', 'The URI of the SCIM resource representing the User\'s manager.  REQUIRED.', { referenceTypes: ['User'] }),
        attribute('displayName', 'string', 'The displayName of the User\'s manager. OPTIONAL and READ-ONLY.', { mutability: 'readOnly' }),
      ],
    ),
  ],
};
