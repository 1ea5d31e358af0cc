import { EMAIL_ENCODINGS, LANGUAGES, LOCALES, TIME_ZONES } from './picklists';

/** Field data types the emulator knows. */
export type FieldType =
  | 'id'
  | 'reference'
  | 'string'
  | 'email'
  | 'phone'
  | 'textarea'
  | 'picklist'
  | 'boolean'
  | 'datetime';

/** Metadata of one field, used for validation, SOQL and describe. */
export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  length?: number;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  /** Must be present (non-null) on create. */
  required?: boolean;
  /** A value is supplied on create when absent. */
  defaultedOnCreate?: boolean;
  picklist?: readonly string[];
  referenceTo?: string;
  relationshipName?: string;
}

/** Metadata of one emulated sObject. */
export interface ObjectSchema {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  createable: boolean;
  updateable: boolean;
  /** Records can be deleted (DELETE /sobjects/{type}/{id}, Collections DELETE). */
  deletable?: boolean;
  fields: FieldDef[];
}

const text = (name: string, label: string, length: number, extra: Partial<FieldDef> = {}): FieldDef => ({
  name, label, type: 'string', length, createable: true, updateable: true, nillable: true, ...extra,
});
const flag = (name: string, label: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  name, label, type: 'boolean', createable: true, updateable: true, nillable: false, defaultedOnCreate: true, ...extra,
});
const readOnly = (name: string, label: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  name, label, type, createable: false, updateable: false, nillable: true, ...extra,
});
const pick = (name: string, label: string, values: readonly string[]): FieldDef => ({
  name, label, type: 'picklist', length: 40, createable: true, updateable: true, nillable: false, required: true, picklist: values,
});
const audit = (): FieldDef[] => [
  readOnly('CreatedDate', 'Created Date', 'datetime', { nillable: false }),
  readOnly('CreatedById', 'Created By ID', 'reference', { referenceTo: 'User', relationshipName: 'CreatedBy' }),
  readOnly('LastModifiedDate', 'Last Modified Date', 'datetime', { nillable: false }),
  readOnly('LastModifiedById', 'Last Modified By ID', 'reference', { referenceTo: 'User', relationshipName: 'LastModifiedBy' }),
  readOnly('SystemModstamp', 'System Modstamp', 'datetime', { nillable: false }),
];

/** The User object (the subset of fields provisioning uses). */
export const USER_SCHEMA: ObjectSchema = {
  name: 'User',
  label: 'User',
  labelPlural: 'Users',
  keyPrefix: '005',
  createable: true,
  updateable: true,
  fields: [
    readOnly('Id', 'User ID', 'id', { nillable: false }),
    text('Username', 'Username', 80, { nillable: false, required: true }),
    text('LastName', 'Last Name', 80, { nillable: false, required: true }),
    text('FirstName', 'First Name', 40),
    text('MiddleName', 'Middle Name', 40),
    readOnly('Name', 'Full Name', 'string', { length: 121, nillable: false }),
    text('CompanyName', 'Company Name', 80),
    text('Division', 'Division', 80),
    text('Department', 'Department', 80),
    text('Title', 'Title', 80),
    text('Street', 'Street', 255, { type: 'textarea' }),
    text('City', 'City', 40),
    text('State', 'State/Province', 80),
    text('PostalCode', 'Zip/Postal Code', 20),
    text('Country', 'Country', 80),
    text('Email', 'Email', 128, { type: 'email', nillable: false, required: true }),
    text('Phone', 'Phone', 40, { type: 'phone' }),
    text('Fax', 'Fax', 40, { type: 'phone' }),
    text('MobilePhone', 'Mobile', 40, { type: 'phone' }),
    text('Alias', 'Alias', 8, { nillable: false, required: true }),
    text('CommunityNickname', 'Nickname', 40, { nillable: false, defaultedOnCreate: true }),
    flag('IsActive', 'Active'),
    pick('TimeZoneSidKey', 'Time Zone', TIME_ZONES),
    pick('LocaleSidKey', 'Locale', LOCALES),
    flag('ReceivesInfoEmails', 'Info Emails'),
    pick('EmailEncodingKey', 'Email Encoding', EMAIL_ENCODINGS),
    {
      name: 'ProfileId', label: 'Profile ID', type: 'reference', createable: true, updateable: true,
      nillable: false, required: true, referenceTo: 'Profile', relationshipName: 'Profile',
    },
    readOnly('UserType', 'User Type', 'picklist', { length: 40 }),
    {
      name: 'UserRoleId', label: 'Role ID', type: 'reference', createable: true, updateable: true,
      nillable: true, referenceTo: 'UserRole', relationshipName: 'UserRole',
    },
    pick('LanguageLocaleKey', 'Language', LANGUAGES),
    text('EmployeeNumber', 'Employee Number', 20),
    {
      name: 'ManagerId', label: 'Manager ID', type: 'reference', createable: true, updateable: true,
      nillable: true, referenceTo: 'User', relationshipName: 'Manager',
    },
    text('FederationIdentifier', 'SAML Federation ID', 512),
    text('AboutMe', 'About Me', 1000, { type: 'textarea' }),
    flag('UserPermissionsMarketingUser', 'Marketing User'),
    flag('UserPermissionsOfflineUser', 'Offline User'),
    flag('UserPermissionsCallCenterAutoLogin', 'Auto-login To Call Center'),
    flag('UserPermissionsSupportUser', 'Service Cloud User'),
    flag('UserPermissionsKnowledgeUser', 'Knowledge User'),
    flag('UserPermissionsInteractionUser', 'Flow User'),
    flag('UserPermissionsSFContentUser', 'Salesforce CRM Content User'),
    readOnly('LastLoginDate', 'Last Login', 'datetime'),
    ...audit(),
  ],
};

/** UserLogin: one per user; only `IsFrozen` can be changed. */
export const USER_LOGIN_SCHEMA: ObjectSchema = {
  name: 'UserLogin',
  label: 'User Login',
  labelPlural: 'User Logins',
  keyPrefix: '060',
  createable: false,
  updateable: true,
  fields: [
    readOnly('Id', 'User Login ID', 'id', { nillable: false }),
    readOnly('UserId', 'User ID', 'reference', { referenceTo: 'User', relationshipName: 'User' }),
    flag('IsFrozen', 'Is Frozen', { createable: false }),
    readOnly('IsPasswordLocked', 'Is Password Locked', 'boolean', { nillable: false }),
    readOnly('LastModifiedDate', 'Last Modified Date', 'datetime', { nillable: false }),
    readOnly('LastModifiedById', 'Last Modified By ID', 'reference', { referenceTo: 'User', relationshipName: 'LastModifiedBy' }),
  ],
};

/** Profile: read-only in the emulator, configured through the options. */
export const PROFILE_SCHEMA: ObjectSchema = {
  name: 'Profile',
  label: 'Profile',
  labelPlural: 'Profiles',
  keyPrefix: '00e',
  createable: false,
  updateable: false,
  fields: [
    readOnly('Id', 'Profile ID', 'id', { nillable: false }),
    readOnly('Name', 'Name', 'string', { length: 255, nillable: false }),
    readOnly('UserType', 'User Type', 'picklist', { length: 40 }),
    readOnly('Description', 'Description', 'string', { length: 255 }),
  ],
};

/**
 * PermissionSet: read-only through the data API here (seeded from the options, added through the
 * control API). Each profile owns one (`IsOwnedByProfile`, `ProfileId`), as in a real org.
 */
export const PERMISSION_SET_SCHEMA: ObjectSchema = {
  name: 'PermissionSet',
  label: 'Permission Set',
  labelPlural: 'Permission Sets',
  keyPrefix: '0PS',
  createable: false,
  updateable: false,
  fields: [
    readOnly('Id', 'Permission Set ID', 'id', { nillable: false }),
    readOnly('Name', 'Name', 'string', { length: 80, nillable: false }),
    readOnly('Label', 'Label', 'string', { length: 80, nillable: false }),
    readOnly('Description', 'Description', 'string', { length: 255 }),
    readOnly('IsOwnedByProfile', 'Is Owned By Profile', 'boolean', { nillable: false }),
    readOnly('IsCustom', 'Is Custom', 'boolean', { nillable: false }),
    readOnly('ProfileId', 'Profile ID', 'reference', { referenceTo: 'Profile', relationshipName: 'Profile' }),
    readOnly('NamespacePrefix', 'Namespace Prefix', 'string', { length: 15 }),
    ...audit(),
  ],
};

/** PermissionSetAssignment: a user's assignment to a permission set; created and deleted, never updated. */
export const PERMISSION_SET_ASSIGNMENT_SCHEMA: ObjectSchema = {
  name: 'PermissionSetAssignment',
  label: 'Permission Set Assignment',
  labelPlural: 'Permission Set Assignments',
  keyPrefix: '0Pa',
  createable: true,
  updateable: false,
  deletable: true,
  fields: [
    readOnly('Id', 'Permission Set Assignment ID', 'id', { nillable: false }),
    {
      name: 'AssigneeId', label: 'Assignee ID', type: 'reference', createable: true, updateable: false,
      nillable: false, required: true, referenceTo: 'User', relationshipName: 'Assignee',
    },
    {
      name: 'PermissionSetId', label: 'Permission Set ID', type: 'reference', createable: true, updateable: false,
      nillable: false, required: true, referenceTo: 'PermissionSet', relationshipName: 'PermissionSet',
    },
    readOnly('SystemModstamp', 'System Modstamp', 'datetime', { nillable: false }),
  ],
};

/** UserRole: read-only through the data API here (seeded from the options, added through the control API). */
export const USER_ROLE_SCHEMA: ObjectSchema = {
  name: 'UserRole',
  label: 'Role',
  labelPlural: 'Roles',
  keyPrefix: '00E',
  createable: false,
  updateable: false,
  fields: [
    readOnly('Id', 'Role ID', 'id', { nillable: false }),
    readOnly('Name', 'Name', 'string', { length: 80, nillable: false }),
    readOnly('DeveloperName', 'Developer Name', 'string', { length: 80 }),
    readOnly('ParentRoleId', 'Parent Role ID', 'reference', { referenceTo: 'UserRole', relationshipName: 'ParentRole' }),
    readOnly('RollupDescription', 'Description', 'string', { length: 80 }),
    readOnly('LastModifiedDate', 'Last Modified Date', 'datetime', { nillable: false }),
    readOnly('SystemModstamp', 'System Modstamp', 'datetime', { nillable: false }),
  ],
};

/** All emulated objects. */
export const SCHEMAS: readonly ObjectSchema[] = [
  USER_SCHEMA,
  USER_LOGIN_SCHEMA,
  PROFILE_SCHEMA,
  PERMISSION_SET_SCHEMA,
  PERMISSION_SET_ASSIGNMENT_SCHEMA,
  USER_ROLE_SCHEMA,
];

/** Looks an object up by name, case-insensitively (Salesforce URLs and SOQL are case-insensitive). */
export function findSchema(name: string): ObjectSchema | undefined {
  const lower = name.toLowerCase();
  return SCHEMAS.find((s) => s.name.toLowerCase() === lower);
}

const fieldIndexes = new WeakMap<ObjectSchema, Map<string, FieldDef>>();

/** Looks a field up by name, case-insensitively (an index per schema: validation calls this per field and check). */
export function findField(schema: ObjectSchema, name: string): FieldDef | undefined {
  let index = fieldIndexes.get(schema);
  if (!index) {
    index = new Map(schema.fields.map((f) => [f.name.toLowerCase(), f] as const));
    fieldIndexes.set(schema, index);
  }
  return index.get(name.toLowerCase());
}

/** Looks a relationship (e.g. `Profile` on User) up by name, case-insensitively. */
export function findRelationship(schema: ObjectSchema, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return schema.fields.find((f) => f.relationshipName?.toLowerCase() === lower);
}

/** True for field types holding text. */
export function isTextType(type: FieldType): boolean {
  return type === 'string' || type === 'email' || type === 'phone' || type === 'textarea' || type === 'picklist';
}
