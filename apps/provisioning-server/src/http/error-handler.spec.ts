import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@provisioning/errors';
import { createLogger } from '../logging';
import { errorHandler, MAX_MESSAGE_LENGTH, notFoundHandler } from './error-handler';

/** A client-supplied text far longer than any message may repeat, with control characters. */
const LONG = `bad\u0000\u001b[2J${'z'.repeat(10_000)}`;

/** An app whose routes throw the given errors, under /scim2 (SCIM bodies) and /api (WSO2 bodies). */
function appThrowing(error: () => unknown): { app: express.Express; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = express();
  app.all(['/scim2/thing', '/api/thing'], () => {
    throw error();
  });
  app.use(notFoundHandler());
  app.use(errorHandler(createLogger('info', sink)));
  return { app, lines };
}

/** A library error with a 4xx status, as body-parser makes them. */
const libraryError = (status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(`library says ${LONG}`), { status, statusCode: status, expose: true, ...extra });

describe('errorHandler (issue 10)', () => {
  it.each([
    [400, 'Request body could not be read'],
    [413, 'Request body is larger than the limit'],
    [415, 'Request body encoding or character set is not supported'],
    [429, 'Request refused: Too Many Requests'],
  ])('answers a library %i with a fixed message, never the library\'s', async (status, message) => {
    const { app } = appThrowing(() => libraryError(status));
    const scim = await request(app).post('/scim2/thing');
    expect(scim.status).toBe(status);
    expect(scim.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail: message });
    const wso2 = await request(app).post('/api/thing');
    expect(wso2.status).toBe(status);
    expect(wso2.body).toMatchObject({ code: `HTTP-${status}`, message, description: message });
  });

  it('names the byte limit of a 413 when the library gives it', async () => {
    const { app } = appThrowing(() => libraryError(413, { limit: 2_097_152, type: 'entity.too.large' }));
    expect((await request(app).post('/scim2/thing')).body.detail).toBe('Request body is larger than the limit (2097152 bytes)');
  });

  it('logs the library\'s own message bounded, and the fixed one as detail', async () => {
    const { app, lines } = appThrowing(() => libraryError(400, { type: 'request.aborted' }));
    await request(app).post('/api/thing');
    const line = lines.find((l) => l.status === 400)!;
    expect(line.msg).toBe('request rejected');
    expect(line.detail).toBe('Request body could not be read');
    expect(line.type).toBe('request.aborted');
    expect((line.reason as string).length).toBeLessThan(MAX_MESSAGE_LENGTH + 40);
    expect(line.reason as string).toMatch(/^library says bad\\u0000\\u001b\[2Jzzz/);
  });

  it('caps our own messages and descriptions in the response and in the log line', async () => {
    const { app, lines } = appThrowing(() => new ValidationError(`message ${LONG}`, { scimType: 'invalidValue', description: `description ${LONG}` }));
    const scim = await request(app).post('/scim2/thing');
    expect(scim.status).toBe(400);
    expect(scim.body.scimType).toBe('invalidValue');
    expect(scim.body.detail.length).toBeLessThan(2 * MAX_MESSAGE_LENGTH + 100);
    expect(scim.body.detail).toMatch(/^message bad\\u0000\\u001b\[2Jz+… \(\d+ characters\)\. description bad/);
    const wso2 = await request(app).post('/api/thing');
    expect(wso2.body.message.length).toBeLessThan(MAX_MESSAGE_LENGTH + 40);
    expect(wso2.body.description.length).toBeLessThan(MAX_MESSAGE_LENGTH + 40);
    for (const line of lines) expect(JSON.stringify(line).length).toBeLessThan(MAX_MESSAGE_LENGTH + 500);
  });

  it('answers an unknown error 500 "Internal server error"; the real error only in the log, bounded', async () => {
    const { app, lines } = appThrowing(() => Object.assign(new TypeError(`engine says ${LONG}`), { code: 'E_SOMETHING', secretish: 'x'.repeat(50_000) }));
    const scim = await request(app).post('/scim2/thing');
    expect(scim.status).toBe(500);
    expect(scim.body.detail).toBe('Internal server error');
    const wso2 = await request(app).post('/api/thing');
    expect(wso2.body).toMatchObject({ code: 'SE-50000', message: 'Internal server error', description: 'Internal server error' });
    const logged = lines.filter((l) => l.msg === 'request failed');
    expect(logged).toHaveLength(2);
    const err = logged[0]!.error as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'TypeError', code: 'E_SOMETHING' });
    expect(err.message as string).toMatch(/^engine says bad/);
    expect((err.message as string).length).toBeLessThan(MAX_MESSAGE_LENGTH + 40);
    expect(err.stack as string).toMatch(/^ {4}at /);
    expect(JSON.stringify(logged[0]).length).toBeLessThan(20_000);
  });

  it('answers unknown routes 404 with the path bounded', async () => {
    const { app } = appThrowing(() => new Error('unused'));
    const res = await request(app).get(`/scim2/${'p'.repeat(5000)}`);
    expect(res.status).toBe(404);
    expect(res.body.detail.length).toBeLessThan(400);
    expect(res.body.detail).toMatch(/^No resource at GET \/scim2\/p+… \(\d+ characters\)$/);
  });
});
