/**
 * `/query` and `/queryAll`: SOQL with paging through `nextRecordsUrl` locators.
 */
import express from 'express';
import type { Request, Response, Router } from 'express';
import { recordUrl } from './describe';
import type { EmulatorState } from './emulator-state';
import { context } from './request-context';
import { apiError } from './salesforce-error';
import { SoqlSyntaxError, parseSoql } from './soql';
import { executeSoql } from './soql-executor';
import type { QueryRecord } from './soql-executor';

const MIN_BATCH = 200;
const MAX_BATCH = 2000;

/** The page size: `Sforce-Query-Options: batchSize=N` (200..2000) or the configured default. */
function batchSize(state: EmulatorState, req: Request): number {
  const header = req.get('sforce-query-options') ?? '';
  const match = /batchSize\s*=\s*(\d+)/i.exec(header);
  if (match) {
    const requested = Number(match[1]);
    return Math.min(MAX_BATCH, Math.max(MIN_BATCH, requested));
  }
  return state.options.queryBatchSize;
}

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: QueryRecord[];
}

function page(records: QueryRecord[], size: number, offset: number, cursorId: string, version: string, endpoint: string): QueryPage {
  const end = offset + size;
  const result: QueryPage = { totalSize: records.length, done: end >= records.length, records: records.slice(offset, end) };
  if (!result.done) result.nextRecordsUrl = `/services/data/v${version}/${endpoint}/${cursorId}-${end}`;
  return result;
}

/** Router for `/services/data/vNN.N/query` and `/queryAll` (the emulator has no deleted records). */
export function queryRoutes(state: EmulatorState, endpoint: 'query' | 'queryAll'): Router {
  const router = express.Router();

  router.get('/', (req: Request, res: Response) => {
    const version = context(res).apiVersion ?? '60.0';
    const q = req.query.q;
    if (typeof q !== 'string' || q.trim() === '') throw apiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    let outcome;
    try {
      outcome = executeSoql(parseSoql(q), state.dataSource, (type, id) => recordUrl(version, type, id));
    } catch (err) {
      if (err instanceof SoqlSyntaxError) throw apiError(400, err.errorCode, err.message);
      throw err;
    }
    const size = batchSize(state, req);
    if (outcome.records.length <= size) {
      res.json({ totalSize: outcome.totalSize, done: true, records: outcome.records });
      return;
    }
    const cursorId = state.saveCursor(outcome.records, size);
    res.json(page(outcome.records, size, 0, cursorId, version, endpoint));
  });

  router.get('/:locator', (req: Request, res: Response) => {
    const version = context(res).apiVersion ?? '60.0';
    const locator = String(req.params.locator);
    const match = /^([A-Za-z0-9]{15,18})-(\d+)$/.exec(locator);
    const cursor = match ? state.cursor(match[1]) : undefined;
    if (!match || !cursor || Number(match[2]) > cursor.records.length) {
      throw apiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    res.json(page(cursor.records, cursor.batchSize, Number(match[2]), match[1], version, endpoint));
  });

  return router;
}
