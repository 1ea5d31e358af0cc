import { inspect } from 'node:util';
import { z } from 'zod';

const REDACTED = '[REDACTED]';

/**
 * Holds a confidential value (client secret, password, private key). It prints, logs and serialises as
 * `[REDACTED]`; only `reveal()` returns the value, at the one place that sends it to the remote system.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

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
