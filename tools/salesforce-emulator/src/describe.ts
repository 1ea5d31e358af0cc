/**
 * Describe and directory resources of the data API, built from the emulated schemas.
 */
import type { FieldDef, ObjectSchema } from './schema';
import { SCHEMAS } from './schema';
import type { SObjectRecord } from './types';

/** `/services/data/vNN.N/sobjects/{type}/{id}` */
export function recordUrl(version: string, objectName: string, id: string): string {
  return `/services/data/v${version}/sobjects/${objectName}/${id}`;
}

/** A record as the REST API returns it: `attributes` first, then the fields (all, or the requested ones). */
export function serializeRecord(schema: ObjectSchema, record: SObjectRecord, version: string, fields?: FieldDef[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: schema.name, url: recordUrl(version, schema.name, String(record.Id)) } };
  for (const field of fields ?? schema.fields) out[field.name] = record[field.name] ?? null;
  return out;
}

function basicInfo(schema: ObjectSchema, version: string): Record<string, unknown> {
  const base = `/services/data/v${version}/sobjects/${schema.name}`;
  return {
    name: schema.name,
    label: schema.label,
    labelPlural: schema.labelPlural,
    keyPrefix: schema.keyPrefix,
    custom: false,
    createable: schema.createable,
    updateable: schema.updateable,
    deletable: schema.deletable ?? false,
    queryable: true,
    retrieveable: true,
    searchable: schema.name === 'User',
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  };
}

function describeField(field: FieldDef): Record<string, unknown> {
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    length: field.length ?? (field.type === 'id' || field.type === 'reference' ? 18 : 0),
    nillable: field.nillable,
    createable: field.createable,
    updateable: field.updateable,
    defaultedOnCreate: field.defaultedOnCreate ?? field.type === 'id',
    unique: field.name === 'Username' || field.name === 'CommunityNickname',
    custom: false,
    referenceTo: field.referenceTo ? [field.referenceTo] : [],
    relationshipName: field.relationshipName ?? null,
    restrictedPicklist: field.picklist !== undefined,
    picklistValues: (field.picklist ?? []).map((value) => ({ active: true, defaultValue: false, label: value, value })),
  };
}

/** `GET /sobjects/{type}/describe` */
export function describeObject(schema: ObjectSchema, version: string): Record<string, unknown> {
  return { ...basicInfo(schema, version), fields: schema.fields.map(describeField) };
}

/** `GET /sobjects/{type}` */
export function objectSummary(schema: ObjectSchema, version: string): Record<string, unknown> {
  return { objectDescribe: basicInfo(schema, version), recentItems: [] };
}

/** `GET /sobjects` */
export function describeGlobal(version: string): Record<string, unknown> {
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: SCHEMAS.map((s) => basicInfo(s, version)) };
}

/** `GET /services/data/vNN.N` */
export function resourceDirectory(version: string): Record<string, string> {
  const base = `/services/data/v${version}`;
  return {
    sobjects: `${base}/sobjects`,
    query: `${base}/query`,
    queryAll: `${base}/queryAll`,
    limits: `${base}/limits`,
    composite: `${base}/composite`,
  };
}
