import { echo } from '@provisioning/errors';
import { member, parseBulkOperation, rejectedStep } from './bulk-operation';
import type { BulkLimits, BulkStep } from './bulk-operation';
import { orderBulk } from './bulk-order';
import { isObject } from './json-values';
import { scimError } from './scim-errors';
import { BULK_REQUEST_SCHEMA } from './urns';

/** The operations in execution order, and the client's `failOnErrors`. */
export interface BulkPlan {
  readonly failOnErrors?: number;
  readonly steps: readonly BulkStep[];
}

function tooLarge(message: string, limit: 'maxOperations' | 'maxPayloadSize', max: number, actual: number): never {
  // RFC 7644 3.7.4: 413 Payload Too Large naming the limit; the host maps details.status.
  throw scimError('tooMany', message, { status: 413, limit, max, actual });
}

function checkRequest(body: unknown, limits: BulkLimits, payloadSize: number | undefined): { operations: unknown[]; failOnErrors?: number } {
  if (!isObject(body)) throw scimError('invalidSyntax', 'The bulk request body must be a BulkRequest JSON object');
  const size = payloadSize ?? new TextEncoder().encode(JSON.stringify(body)).length;
  if (size > limits.maxPayloadSize) {
    tooLarge(`The size of the bulk operation exceeds the maxPayloadSize (${limits.maxPayloadSize})`, 'maxPayloadSize', limits.maxPayloadSize, size);
  }
  const schemas = member(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((urn) => typeof urn === 'string' && urn.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase())) {
    throw scimError('invalidSyntax', `"schemas" must be ["${BULK_REQUEST_SCHEMA}"]`);
  }
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) throw scimError('invalidSyntax', '"Operations" must be a non-empty array');
  if (operations.length > limits.maxOperations) {
    tooLarge(`The number of operations (${operations.length}) exceeds the maxOperations (${limits.maxOperations})`, 'maxOperations', limits.maxOperations, operations.length);
  }
  const failOnErrors = member(body, 'failOnErrors');
  if (failOnErrors !== undefined && (!Number.isInteger(failOnErrors) || (failOnErrors as number) < 1)) {
    throw scimError('invalidValue', '"failOnErrors" must be a positive integer');
  }
  const seen = new Set<string>();
  for (const operation of operations) {
    const bulkId = isObject(operation) ? member(operation, 'bulkId') : undefined;
    if (typeof bulkId !== 'string') continue;
    if (seen.has(bulkId)) throw scimError('invalidValue', `bulkId "${echo(bulkId)}" is used by more than one operation; bulkIds must be unique`);
    seen.add(bulkId);
  }
  return { operations, ...(typeof failOnErrors === 'number' ? { failOnErrors } : {}) };
}

/**
 * Validates a BulkRequest (RFC 7644 3.7) and plans its execution. Request-level problems throw:
 * `invalidSyntax` (schemas, Operations), `invalidValue` (failOnErrors, duplicate bulkIds) and, for
 * more than `maxOperations` operations or a payload above `maxPayloadSize` (measured from `payloadSize`
 * bytes when given, else from the JSON), `ValidationError` scimType `tooMany` with
 * `details.status` 413 (RFC 7644 3.7.4). Operation-level problems (method, path, bulkId, data,
 * version, references to bulkIds no operation defines, circular references) do not fail the
 * request: the operation becomes a `rejected` step carrying its error, as the RFC reports errors per
 * operation. Steps come in execution order: an operation after those whose bulkIds it references.
 */
export function planBulk(body: unknown, limits: BulkLimits, payloadSize?: number): BulkPlan {
  const { operations, failOnErrors } = checkRequest(body, limits, payloadSize);
  const parsed: BulkStep[] = operations.map((raw, index) => {
    try {
      return parseBulkOperation(raw, index);
    } catch (error) {
      return rejectedStep(raw, index, error);
    }
  });
  const definedBy = new Map<string, number>();
  operations.forEach((raw, index) => {
    const bulkId = isObject(raw) ? member(raw, 'bulkId') : undefined;
    const method = isObject(raw) ? member(raw, 'method') : undefined;
    if (typeof bulkId === 'string' && typeof method === 'string' && method.toUpperCase() === 'POST') definedBy.set(bulkId, index);
  });
  const steps: BulkStep[] = parsed.map((step) => {
    if (step.kind === 'rejected') return step;
    const undefinedRefs = step.references.filter((bulkId) => !definedBy.has(bulkId));
    if (undefinedRefs.length === 0) return step;
    const error = scimError('invalidValue', `Operations[${step.index}] references ${echo(undefinedRefs.map((id) => `bulkId:${id}`).join(', '))}, which no POST in this request defines`, {
      bulkIds: undefinedRefs,
    });
    return { kind: 'rejected', index: step.index, method: step.method, bulkId: step.bulkId, path: step.path, error };
  });
  const nodes = steps.map((step) => ({
    index: step.index,
    dependsOn: step.kind === 'operation' ? step.references.map((bulkId) => definedBy.get(bulkId)!) : [],
  }));
  const { order, blocked } = orderBulk(nodes, (index) => {
    const step = steps[index];
    return step?.bulkId;
  });
  const result: BulkStep[] = order.map((index) => steps[index]!);
  for (const [index, error] of [...blocked].sort(([a], [b]) => a - b)) {
    const step = steps[index]!;
    result.push({ kind: 'rejected', index, method: step.method, bulkId: step.bulkId, path: step.path, error });
  }
  return { ...(failOnErrors === undefined ? {} : { failOnErrors }), steps: result };
}
