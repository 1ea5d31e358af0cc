import { toId18 } from './ids';
import { findField, findRelationship, findSchema, isTextType } from './schema';
import type { FieldDef, ObjectSchema } from './schema';
import { SoqlSyntaxError, formatQueryError, likeToRegExp } from './soql';
import type { SoqlCondition, SoqlQuery, SoqlValue } from './soql';
import type { FieldValue, SObjectRecord } from './types';

/** Where the executor reads records from. */
export interface QueryDataSource {
  /** All records of an object, in creation order. */
  records(objectName: string): Iterable<SObjectRecord>;
  /** One record by 18-character id. */
  get(objectName: string, id: string): SObjectRecord | undefined;
  /**
   * The records whose reference `field` holds one of `ids` (18 characters), when the source indexes
   * that field; undefined otherwise (the executor then scans {@link records}).
   */
  lookup?(objectName: string, field: string, ids: readonly string[]): Iterable<SObjectRecord> | undefined;
}

/** A record as the REST API returns it from a query. */
export type QueryRecord = Record<string, unknown>;

/** Rows of an executed query, before paging. */
export interface QueryOutcome {
  /** Matching rows after OFFSET/LIMIT (for COUNT(), the count). */
  totalSize: number;
  records: QueryRecord[];
}

/** Builds `/services/data/vNN.N/sobjects/{type}/{id}` for record attributes. */
export type RecordUrlBuilder = (objectName: string, id: string) => string;

const MAX_OFFSET = 2000;

interface ResolvedField {
  /** The field holding the value (on the related object for relationship paths). */
  field: FieldDef;
  /** For `Relationship.Field` paths: the reference field on the queried object and the target schema. */
  via?: { reference: FieldDef; target: ObjectSchema };
}

/**
 * Runs a parsed query. Throws {@link SoqlSyntaxError} with INVALID_TYPE, INVALID_FIELD,
 * INVALID_QUERY_FILTER_OPERATOR or NUMBER_OUTSIDE_VALID_RANGE for semantic errors, as Salesforce does.
 */
export function executeSoql(query: SoqlQuery, source: QueryDataSource, recordUrl: RecordUrlBuilder): QueryOutcome {
  const schema = findSchema(query.object);
  if (!schema) {
    throw new SoqlSyntaxError(
      formatQueryError(
        query.text,
        query.objectPosition,
        `sObject type '${query.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      ),
      'INVALID_TYPE',
    );
  }
  if (query.offset !== undefined && query.offset > MAX_OFFSET) {
    throw new SoqlSyntaxError(`Maximum SOQL offset allowed is ${MAX_OFFSET}`, 'NUMBER_OUTSIDE_VALID_RANGE');
  }
  const ctx = new ExecutionContext(query, schema, source);
  const selected = query.fields?.map((f) => ({ resolved: ctx.resolve(f.name, f.position), name: f.name }));
  const predicate = query.where ? ctx.compile(query.where) : () => true;
  const orderBy = query.orderBy.map((o) => ({ ...o, resolved: ctx.resolve(o.field, o.position) }));

  let rows = [...(indexedCandidates(query.where, schema, source) ?? source.records(schema.name))].filter(predicate);
  if (orderBy.length > 0) {
    rows = rows
      .map((record, index) => ({ record, index }))
      .sort((a, b) => {
        for (const o of orderBy) {
          const result = compareForSort(ctx.valueOf(a.record, o.resolved), ctx.valueOf(b.record, o.resolved), o.resolved.field, o.nulls);
          if (result !== 0) return o.direction === 'DESC' && !isNullOrdering(result) ? -result : stripNullFlag(result);
        }
        return a.index - b.index;
      })
      .map((r) => r.record);
  }
  const offset = query.offset ?? 0;
  rows = rows.slice(offset, query.limit === undefined ? undefined : offset + query.limit);

  if (!selected) return { totalSize: rows.length, records: [] };
  return {
    totalSize: rows.length,
    records: rows.map((record) => project(record, schema, selected, ctx, recordUrl)),
  };
}

/**
 * Candidate rows from the source's index when the WHERE clause (or one operand of its top-level AND)
 * is `field = 'id'` or `field IN ('id', ...)` on a field the source indexes; the predicate still
 * decides. Undefined when nothing narrows the scan.
 */
function indexedCandidates(where: SoqlCondition | undefined, schema: ObjectSchema, source: QueryDataSource): Iterable<SObjectRecord> | undefined {
  if (!where || !source.lookup) return undefined;
  for (const condition of where.kind === 'and' ? where.operands : [where]) {
    if (condition.kind !== 'in' && condition.kind !== 'comparison') continue;
    const values = condition.kind === 'in' ? (condition.negated ? undefined : condition.values) : condition.op === '=' ? [condition.value] : undefined;
    if (!values || condition.field.includes('.')) continue;
    const field = findField(schema, condition.field);
    if (!field || (field.type !== 'reference' && field.type !== 'id')) continue;
    const ids = values.map((v) => (v.kind === 'string' ? toId18(v.value) : undefined));
    if (ids.some((id) => id === undefined)) continue; // the predicate reports the bad literal
    const found = source.lookup(schema.name, field.name, ids as string[]);
    if (found) return found;
  }
  return undefined;
}

/* Null ordering must not be flipped by DESC: encode null comparisons as +-2 and others as +-1. */
function isNullOrdering(result: number): boolean {
  return Math.abs(result) === 2;
}
function stripNullFlag(result: number): number {
  return Math.sign(result);
}

function compareForSort(a: FieldValue, b: FieldValue, field: FieldDef, nulls: 'FIRST' | 'LAST'): number {
  if (a === null && b === null) return 0;
  if (a === null) return nulls === 'FIRST' ? -2 : 2;
  if (b === null) return nulls === 'FIRST' ? 2 : -2;
  return Math.sign(compareNonNull(a, b, field));
}

function compareNonNull(a: string | number | boolean, b: string | number | boolean, field: FieldDef): number {
  if (field.type === 'datetime') return parseSalesforceDate(String(a)) - parseSalesforceDate(String(b));
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (field.type === 'id' || field.type === 'reference') return a < b ? -1 : a > b ? 1 : 0;
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Parses Salesforce's `2024-01-31T12:00:00.000+0000` (and ISO) timestamps to epoch milliseconds. */
export function parseSalesforceDate(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

function project(
  record: SObjectRecord,
  schema: ObjectSchema,
  selected: Array<{ resolved: ResolvedField; name: string }>,
  ctx: ExecutionContext,
  recordUrl: RecordUrlBuilder,
): QueryRecord {
  const out: QueryRecord = { attributes: { type: schema.name, url: recordUrl(schema.name, String(record.Id)) } };
  for (const { resolved } of selected) {
    if (!resolved.via) {
      out[resolved.field.name] = record[resolved.field.name] ?? null;
      continue;
    }
    const { reference, target } = resolved.via;
    const relName = reference.relationshipName ?? reference.name;
    const refId = record[reference.name];
    const related = typeof refId === 'string' ? ctx.source.get(target.name, refId) : undefined;
    if (!related) {
      out[relName] = null;
      continue;
    }
    const existing = out[relName];
    const nested: QueryRecord =
      existing && typeof existing === 'object'
        ? (existing as QueryRecord)
        : { attributes: { type: target.name, url: recordUrl(target.name, String(related.Id)) } };
    nested[resolved.field.name] = related[resolved.field.name] ?? null;
    out[relName] = nested;
  }
  return out;
}

class ExecutionContext {
  constructor(
    private readonly query: SoqlQuery,
    private readonly schema: ObjectSchema,
    readonly source: QueryDataSource,
  ) {}

  resolve(path: string, position: number): ResolvedField {
    const parts = path.split('.');
    if (parts.length === 1) {
      const field = findField(this.schema, path);
      if (!field) throw this.invalidField(position, `No such column '${path}' on entity '${this.schema.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
      return { field };
    }
    const reference = parts.length === 2 ? findRelationship(this.schema, parts[0]) : undefined;
    const target = reference?.referenceTo ? findSchema(reference.referenceTo) : undefined;
    if (!reference || !target) {
      throw this.invalidField(position, `Didn't understand relationship '${parts.slice(0, -1).join('.')}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    const field = findField(target, parts[1]);
    if (!field) throw this.invalidField(position, `No such column '${parts[1]}' on entity '${target.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
    return { field, via: { reference, target } };
  }

  valueOf(record: SObjectRecord, resolved: ResolvedField): FieldValue {
    if (!resolved.via) return record[resolved.field.name] ?? null;
    const refId = record[resolved.via.reference.name];
    if (typeof refId !== 'string') return null;
    return this.source.get(resolved.via.target.name, refId)?.[resolved.field.name] ?? null;
  }

  compile(condition: SoqlCondition): (record: SObjectRecord) => boolean {
    switch (condition.kind) {
      case 'and': {
        const parts = condition.operands.map((c) => this.compile(c));
        return (r) => parts.every((p) => p(r));
      }
      case 'or': {
        const parts = condition.operands.map((c) => this.compile(c));
        return (r) => parts.some((p) => p(r));
      }
      case 'not': {
        const inner = this.compile(condition.operand);
        return (r) => !inner(r);
      }
      case 'comparison': {
        const resolved = this.resolve(condition.field, condition.position);
        const literal = this.literal(resolved.field, condition.value, condition.position);
        const { op } = condition;
        if (op !== '=' && op !== '!=' && resolved.field.type === 'boolean') {
          throw this.filterError(condition.position, `invalid operator on boolean field: ${resolved.field.name}`);
        }
        return (r) => compareWith(this.valueOf(r, resolved), op, literal, resolved.field);
      }
      case 'in': {
        const resolved = this.resolve(condition.field, condition.position);
        const literals = condition.values.map((v) => this.literal(resolved.field, v, condition.position));
        const isMember = membership(literals, resolved.field);
        return (r) => {
          const found = isMember(this.valueOf(r, resolved));
          return condition.negated ? !found : found;
        };
      }
      case 'like': {
        const resolved = this.resolve(condition.field, condition.position);
        if (!isTextType(resolved.field.type) || condition.pattern.kind !== 'string') {
          throw this.filterError(condition.position, `invalid operator on ${resolved.field.type} field: LIKE`);
        }
        const regex = likeToRegExp(condition.pattern.raw);
        return (r) => {
          const value = this.valueOf(r, resolved);
          return typeof value === 'string' && regex.test(value);
        };
      }
    }
  }

  /** Checks a literal's type against the field and converts it to a comparable value. */
  private literal(field: FieldDef, value: SoqlValue, position: number): FieldValue {
    if (value.kind === 'null') return null;
    const name = field.name;
    switch (field.type) {
      case 'boolean':
        if (value.kind !== 'boolean') throw this.filterError(position, `value of filter criterion for field '${name}' must be of type boolean and should not be enclosed in quotes`);
        return value.value;
      case 'datetime':
        if (value.kind !== 'datetime') throw this.filterError(position, `value of filter criterion for field '${name}' must be of type dateTime and should not be enclosed in quotes`);
        return value.value;
      case 'id':
      case 'reference': {
        if (value.kind !== 'string') throw this.filterError(position, `value of filter criterion for field '${name}' must be of type id and should be enclosed in quotes`);
        const id = toId18(value.value);
        if (!id) throw this.filterError(position, `invalid ID field: ${value.value}`);
        return id;
      }
      default:
        if (value.kind !== 'string') throw this.filterError(position, `value of filter criterion for field '${name}' must be of type string and should be enclosed in quotes`);
        return value.value;
    }
  }

  private invalidField(position: number, detail: string): SoqlSyntaxError {
    return new SoqlSyntaxError(formatQueryError(this.query.text, position, detail), 'INVALID_FIELD');
  }

  private filterError(position: number, detail: string): SoqlSyntaxError {
    return new SoqlSyntaxError(formatQueryError(this.query.text, position, detail), 'INVALID_QUERY_FILTER_OPERATOR');
  }
}

/**
 * `value IN (literals)` as a set lookup (a 200-id IN over 100k rows must not be 20M comparisons), with
 * the same equality as {@link compareWith}: ids exact, other text case-insensitive.
 */
function membership(literals: FieldValue[], field: FieldDef): (value: FieldValue) => boolean {
  if (field.type === 'datetime' || field.type === 'boolean') {
    return (value) => literals.some((l) => compareWith(value, '=', l, field));
  }
  const exact = field.type === 'id' || field.type === 'reference';
  const key = (v: string | number | boolean): string => (exact ? String(v) : String(v).toLowerCase());
  const withNull = literals.includes(null);
  const keys = new Set(literals.flatMap((l) => (l === null ? [] : [key(l)])));
  return (value) => (value === null ? withNull : keys.has(key(value)));
}

function compareWith(value: FieldValue, op: string, literal: FieldValue, field: FieldDef): boolean {
  if (literal === null) {
    if (op === '=') return value === null;
    if (op === '!=') return value !== null;
    return false;
  }
  if (value === null) return op === '!=';
  const c = compareNonNull(value, literal, field);
  switch (op) {
    case '=': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    default: return c >= 0;
  }
}
