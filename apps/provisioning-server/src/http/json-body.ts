import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { echo, ValidationError } from '@provisioning/errors';

const TYPOGRAPHIC = /[\u201C\u201D\u2018\u2019\u201E\u201F\u2033\u2032\u00AB\u00BB]/;

/** Line and column (1-based) of an offset in a text. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * The deepest nesting of objects and arrays a JSON request body may have (SCIM resources, Bulk
 * requests and admin API bodies nest well under 16). Deeper bodies are refused before they are
 * parsed, so no validation, copy or serialisation of a body can exhaust the stack.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Refuses a JSON text whose objects and arrays nest deeper than {@link MAX_JSON_DEPTH}: one pass over
 * the characters, without recursion (strings skipped, escapes included).
 */
export function checkJsonDepth(text: string, limit = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i += 1; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > limit) {
        throw new ValidationError(`Request body nests objects and arrays more than ${limit} levels deep; the limit is ${limit} levels`, {
          scimType: 'invalidSyntax',
          code: 'INVALID-JSON',
        });
      }
    } else if (code === 0x7d || code === 0x5d) {
      depth = Math.max(0, depth - 1);
    }
  }
}

/**
 * Parses a JSON request body and, when it is not valid JSON, says why in terms a person can act on:
 * typographic quotes (pasted from a document, as in the WSO2 guide) are named with their code point
 * and position. Bodies nesting deeper than {@link MAX_JSON_DEPTH} levels are refused (400).
 */
export function parseJsonText(text: string): unknown {
  checkJsonDepth(text);
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
    // JSON.parse's own description of the syntax error (position, a short excerpt), bounded by echo().
    const detail = echo((error as Error).message.replace(/\s+/g, ' '));
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
