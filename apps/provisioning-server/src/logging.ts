import pino from 'pino';
import type { Logger } from 'pino';

/**
 * Structured JSON logs (pino). Anything that could carry a secret is redacted by path, as a second
 * line of defence: the code never passes secrets to the logger on purpose.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'provisioning-server' },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          'password',
          '*.password',
          '*.*.password',
          'properties[*].value',
          'secret',
          '*.secret',
          'clientSecret',
          '*.clientSecret',
          'accessToken',
          '*.accessToken',
          'access_token',
          '*.access_token',
          '["sf-client-secret"]',
          '["sf-password"]',
          '*["sf-client-secret"]',
          '*["sf-password"]',
        ],
        censor: '[REDACTED]',
      },
    },
    destination,
  );
}

export type { Logger };
