import { ValidationError } from '@provisioning/errors';
import type { ProvisioningError } from '@provisioning/errors';
import { expect } from 'vitest';

/** Runs `action`, asserts it threw a `type` error (default ValidationError) with `scimType`, and returns it. */
export function expectScimError(
  action: () => unknown,
  scimType: string | undefined,
  type: new (...args: never[]) => ProvisioningError = ValidationError,
): ProvisioningError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected an error to be thrown').toBeInstanceOf(type);
  expect((thrown as ProvisioningError).scimType).toBe(scimType);
  return thrown as ProvisioningError;
}
