/**
 * `/sobjects/...`: describe, create, retrieve, update and delete of the emulated objects. Users
 * cannot be deleted (405), as in Salesforce; PermissionSetAssignments are created and deleted.
 */
import express from 'express';
import type { Request, Response, Router } from 'express';
import { describeGlobal, describeObject, objectSummary, serializeRecord } from './describe';
import type { EmulatorState } from './emulator-state';
import { toId18 } from './ids';
import { context } from './request-context';
import { SalesforceApiError, apiError, dmlToApiError, notFound } from './salesforce-error';
import { findField, findSchema } from './schema';
import type { FieldDef, ObjectSchema } from './schema';
import { deleteAssignment, insertAssignment } from './entitlement-dml';
import { insertUser, updateUser, updateUserLogin } from './user-dml';
import type { DmlOutcome, Journal } from './user-dml';
import type { SObjectRecord } from './types';
import { coerceFields } from './validation';
import type { FieldValues } from './validation';

function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

function schemaOf(req: Request): ObjectSchema {
  const schema = findSchema(param(req, 'type'));
  if (!schema) throw notFound();
  return schema;
}

function version(res: Response): string {
  return context(res).apiVersion ?? '60.0';
}

function allowedMethods(schema: ObjectSchema): string {
  return ['GET', 'HEAD', ...(schema.updateable ? ['PATCH'] : []), ...(schema.deletable ? ['DELETE'] : [])].join(',');
}

function methodNotAllowed(req: Request, schema: ObjectSchema): SalesforceApiError {
  const allowed = allowedMethods(schema);
  return new SalesforceApiError(
    405,
    [{ errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${req.method}' not allowed. Allowed are ${allowed}` }],
    { Allow: allowed },
  );
}

/** The stored record for a URL id, or 404 as Salesforce answers for malformed and unknown ids. */
function findRecord(state: EmulatorState, schema: ObjectSchema, rawId: string): { id: string; record: SObjectRecord } {
  const id = toId18(rawId);
  if (!id) throw notFound(`Provided external ID field does not exist or is not accessible: ${rawId}`);
  const record = state.dataSource.get(schema.name, id);
  if (!record) throw notFound();
  return { id, record };
}

function requestedFields(req: Request, schema: ObjectSchema): FieldDef[] | undefined {
  const raw = req.query.fields;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  return raw.split(',').map((name) => {
    const field = findField(schema, name.trim());
    if (!field) throw apiError(400, 'INVALID_FIELD', `No such column '${name.trim()}' on entity '${schema.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
    return field;
  });
}

/** A JSON body is required for writes; a missing one is a parser error, as in Salesforce. */
export function requireBody(res: Response): unknown {
  const ctx = context(res);
  if (ctx.body === undefined) throw apiError(400, 'JSON_PARSER_ERROR', 'No content to map due to end-of-input');
  return ctx.body;
}

function throwOnFailure(outcome: DmlOutcome): string {
  if (!outcome.ok) throw dmlToApiError(outcome.error);
  return outcome.id;
}

/** The objects the API creates records of, and how. */
export const INSERTS: Readonly<Record<string, ((state: EmulatorState, values: FieldValues, journal?: Journal) => DmlOutcome) | undefined>> = {
  User: insertUser,
  PermissionSetAssignment: insertAssignment,
};

/** Router for `/services/data/vNN.N/sobjects`. */
export function sobjectRoutes(state: EmulatorState): Router {
  const router = express.Router();

  router.get('/', (_req: Request, res: Response) => {
    res.json(describeGlobal(version(res)));
  });

  router.get('/:type', (req: Request, res: Response) => {
    res.json(objectSummary(schemaOf(req), version(res)));
  });

  router.get('/:type/describe', (req: Request, res: Response) => {
    res.json(describeObject(schemaOf(req), version(res)));
  });

  router.post('/:type', (req: Request, res: Response) => {
    const schema = schemaOf(req);
    const insert = INSERTS[schema.name];
    if (!insert) throw apiError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${schema.label}`);
    const values = coerceFields(schema, requireBody(res));
    const id = throwOnFailure(insert(state, values));
    res.status(201).json({ id, success: true, errors: [] });
  });

  router.get('/:type/:id', (req: Request, res: Response) => {
    const schema = schemaOf(req);
    const { record } = findRecord(state, schema, param(req, 'id'));
    res.json(serializeRecord(schema, record, version(res), requestedFields(req, schema)));
  });

  router.patch('/:type/:id', (req: Request, res: Response) => {
    const schema = schemaOf(req);
    if (!schema.updateable) throw methodNotAllowed(req, schema);
    const { id } = findRecord(state, schema, param(req, 'id'));
    const values = coerceFields(schema, requireBody(res));
    const outcome = schema.name === 'User' ? updateUser(state, id, values) : updateUserLogin(state, id, values);
    throwOnFailure(outcome);
    res.status(204).end();
  });

  router.delete('/:type/:id', (req: Request, res: Response) => {
    const schema = schemaOf(req);
    if (!schema.deletable) throw methodNotAllowed(req, schema);
    const { id } = findRecord(state, schema, param(req, 'id'));
    throwOnFailure(deleteAssignment(state, id));
    res.status(204).end();
  });

  router.all('/:type/:id', (req: Request) => {
    throw methodNotAllowed(req, schemaOf(req));
  });

  return router;
}
