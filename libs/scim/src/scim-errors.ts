import { ValidationError } from '@provisioning/errors';

/** The `scimType` error keywords of RFC 7644 3.12 (Table 9). */
export type ScimErrorType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** A 400 `ValidationError` carrying the given `scimType`. */
export function scimError(scimType: ScimErrorType, message: string, details?: Record<string, unknown>, cause?: unknown): ValidationError {
  return new ValidationError(message, { scimType, details, cause });
}
