/**
 * `/composite/sobjects` (sObject Collections, API v42.0 and later): create, update or delete up to
 * 200 records in one call, answering a SaveResult per record in order; `allOrNone` rolls everything
 * back on any failure.
 */
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { EmulatorState } from './emulator-state';
import { toId18 } from './ids';
import { apiError, dmlError, notFound } from './salesforce-error';
import { findSchema } from './schema';
import type { ObjectSchema } from './schema';
import { deleteAssignment } from './entitlement-dml';
import { context } from './request-context';
import { INSERTS, requireBody } from './sobject-routes';
import type { DmlError, SaveResult } from './types';
import { Journal, updateUser, updateUserLogin } from './user-dml';
import type { DmlOutcome } from './user-dml';
import { coerceFields } from './validation';
import type { FieldValues } from './validation';

const MAX_RECORDS = 200;
/** sObject Collections exist from API v42.0; older versions answer 404 like any unknown resource. */
const COLLECTIONS_FROM_VERSION = 42;

const ROLLED_BACK: DmlError = dmlError(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
);

interface CollectionRequest {
  allOrNone: boolean;
  records: Array<Record<string, unknown>>;
}

function readCollection(body: unknown): CollectionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw apiError(400, 'JSON_PARSER_ERROR', 'Cannot deserialize instance of SObjectCollectionRequest from START_ARRAY token');
  }
  const { allOrNone, records } = body as Record<string, unknown>;
  if (!Array.isArray(records)) throw apiError(400, 'INVALID_FIELD', 'records: the records list is required');
  if (records.length > MAX_RECORDS) {
    throw apiError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
  }
  const typed = records.map((r: unknown) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw apiError(400, 'JSON_PARSER_ERROR', 'Cannot deserialize instance of SObject from non-object value');
    }
    return r as Record<string, unknown>;
  });
  if (allOrNone !== undefined && typeof allOrNone !== 'boolean') {
    throw apiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of boolean from VALUE_STRING value ${String(allOrNone)}`);
  }
  return { allOrNone: allOrNone === true, records: typed };
}

function recordSchema(record: Record<string, unknown>): ObjectSchema {
  const attributes = record.attributes;
  const type = typeof attributes === 'object' && attributes !== null ? (attributes as Record<string, unknown>).type : undefined;
  if (typeof type !== 'string') throw apiError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
  const schema = findSchema(type);
  if (!schema) throw apiError(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
  return schema;
}

/** Runs the per-record operations, then applies allOrNone semantics. */
function runAll(items: Array<() => DmlOutcome>, allOrNone: boolean, journal: Journal): SaveResult[] {
  const outcomes = items.map((run) => run());
  const failed = outcomes.some((o) => !o.ok);
  if (allOrNone && failed) {
    journal.rollback();
    return outcomes.map((o) => ({ success: false, errors: [o.ok ? ROLLED_BACK : o.error] }));
  }
  return outcomes.map((o) => (o.ok ? { id: o.id, success: true, errors: [] } : { success: false, errors: [o.error] }));
}

function failure(error: DmlError): () => DmlOutcome {
  return () => ({ ok: false, error });
}

function prepareUpdate(state: EmulatorState, record: Record<string, unknown>, journal: Journal): () => DmlOutcome {
  const schema = recordSchema(record);
  const { id: lowerId, Id: upperId, ...rest } = record;
  const values: FieldValues = coerceFields(schema, rest);
  const rawId = typeof lowerId === 'string' ? lowerId : typeof upperId === 'string' ? upperId : undefined;
  if (rawId === undefined) return failure(dmlError('MISSING_ARGUMENT', 'Id not specified in an update call', []));
  const id = toId18(rawId);
  if (!id) return failure(dmlError('MALFORMED_ID', `malformed id ${rawId}`, []));
  if (schema.name === 'User') return () => updateUser(state, id, values, journal);
  if (schema.name === 'UserLogin') return () => updateUserLogin(state, id, values, journal);
  return failure(dmlError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${schema.label}`, []));
}

/** Router for `/services/data/vNN.N/composite`. */
export function compositeRoutes(state: EmulatorState): Router {
  const router = express.Router();
  router.use('/sobjects', (_req: Request, res: Response, next: NextFunction) => {
    if (Number.parseFloat(context(res).apiVersion ?? '60.0') < COLLECTIONS_FROM_VERSION) throw notFound();
    next();
  });

  router.post('/sobjects', (_req: Request, res: Response) => {
    const { allOrNone, records } = readCollection(requireBody(res));
    const journal = new Journal();
    // Parse every record first: type and JSON errors reject the whole request before anything is applied.
    const items = records.map((record) => {
      const schema = recordSchema(record);
      const values = coerceFields(schema, record);
      const insert = INSERTS[schema.name];
      if (!insert) return failure(dmlError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${schema.label}`, []));
      return () => insert(state, values, journal);
    });
    res.status(200).json(runAll(items, allOrNone, journal));
  });

  router.patch('/sobjects', (_req: Request, res: Response) => {
    const { allOrNone, records } = readCollection(requireBody(res));
    const journal = new Journal();
    const items = records.map((record) => prepareUpdate(state, record, journal));
    res.status(200).json(runAll(items, allOrNone, journal));
  });

  router.delete('/sobjects', (req: Request, res: Response) => {
    const ids = typeof req.query.ids === 'string' ? req.query.ids.split(',').filter((s) => s !== '') : [];
    if (ids.length > MAX_RECORDS) {
      throw apiError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
    }
    const journal = new Journal();
    const items = ids.map((raw): (() => DmlOutcome) => {
      const id = toId18(raw);
      if (!id) return failure(dmlError('MALFORMED_ID', `malformed id ${raw}`));
      if (state.permissionSetAssignments.has(id)) return () => deleteAssignment(state, id, journal);
      const known = [state.users, state.userLogins, state.profiles, state.permissionSets, state.roles].some((table) => table.has(id));
      if (!known) return failure(dmlError('ENTITY_IS_DELETED', 'entity is deleted'));
      return failure(dmlError('INVALID_TYPE_FOR_OPERATION', 'entity type cannot be deleted'));
    });
    res.status(200).json(runAll(items, req.query.allOrNone === 'true', journal));
  });

  return router;
}
