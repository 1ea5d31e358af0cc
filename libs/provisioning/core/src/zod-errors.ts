import type { ZodError } from 'zod';
import { ValidationError } from '@provisioning/errors';

/** One readable ValidationError from zod issues: each names its path and reason. */
export function zodToValidationError(error: ZodError, what: string, code = 'IDP-60001'): ValidationError {
  const problems = error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`);
  return new ValidationError(`Invalid ${what}: ${problems.join('; ')}`, { code, details: { problems } });
}
