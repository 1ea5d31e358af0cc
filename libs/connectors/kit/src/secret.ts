import { inspect } from 'node:util';
import { z } from 'zod';

const REDACTED = '[REDACTED]';

/**
 * Holds a confidential value (client secret, password, private key). It prints, logs and serialises as
 * `[REDACTED]`; only `reveal()` returns the value, at the one place that sends it to the remote system.
 * A wrapper rather than a convention, because a config object ends up in logs, error details and test
 * output sooner or later, and WSO2 leaked connector secrets through exactly that for years.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The confidential value. Call it only where the value leaves for the remote system. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** A confidential connector property: non-empty, parsed into a {@link Secret}. */
export const secretProperty = z
  .string()
  .min(1, { message: 'must not be empty' })
  .transform((v) => new Secret(v));
