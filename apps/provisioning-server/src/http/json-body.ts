import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { ValidationError } from '@provisioning/errors';

const TYPOGRAPHIC = /[\u201C\u201D\u2018\u2019\u201E\u201F\u2033\u2032\u00AB\u00BB]/;

/** Line and column (1-based) of an offset in a text. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Parses a JSON request body and, when it is not valid JSON, says why in terms a person can act on:
 * typographic quotes (pasted from a document, as in the WSO2 guide) are named with their code point
 * and position.
 */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const match = TYPOGRAPHIC.exec(text);
    if (match) {
      const char = match[0];
      const { line, column } = position(text, match.index);
      const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      throw new ValidationError(
        `Request body is not valid JSON: typographic quote '${char}' (${code}) at line ${line}, column ${column} (character ${match.index + 1}); ` +
          'JSON needs straight double quotes (") around names and strings',
        { scimType: 'invalidSyntax', code: 'INVALID-JSON' },
      );
    }
    const detail = (error as Error).message.replace(/\s+/g, ' ');
    throw new ValidationError(`Request body is not valid JSON: ${detail}`, { scimType: 'invalidSyntax', code: 'INVALID-JSON' });
  }
}

/**
 * Reads JSON bodies (application/json, application/scim+json) as text, then parses them strictly.
 * Other content types are not read (a cross-site form can send text/plain with cached credentials).
 */
export function jsonBody(limit = '1mb') {
  const text = express.text({ type: ['application/json', 'application/scim+json', 'application/*+json'], limit });
  return [
    text,
    (req: Request, _res: Response, next: NextFunction) => {
      if (typeof req.body === 'string') {
        if (req.body.trim() === '') {
          req.body = undefined;
        } else {
          try {
            req.body = parseJsonText(req.body);
          } catch (error) {
            next(error);
            return;
          }
        }
      }
      next();
    },
  ];
}
