/**
 * REST API versions: 31.0 (Summer '14) to 68.0 (Winter '27) are served; 30.0 and older are retired.
 */
import { apiError } from './salesforce-error';
import type { SalesforceApiError } from './salesforce-error';

export const MIN_API_VERSION = 31;
export const MAX_API_VERSION = 68;

const SEASONS = ['Summer', 'Winter', 'Spring'] as const;

/** Release name of a major API version, e.g. 66 -> `Spring '26`. */
export function releaseLabel(major: number): string {
  const index = major - MIN_API_VERSION;
  const season = SEASONS[((index % 3) + 3) % 3];
  const year = 14 + Math.ceil(index / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

/** The `GET /services/data` listing. */
export function listApiVersions(): Array<{ label: string; url: string; version: string }> {
  const versions = [];
  for (let major = MIN_API_VERSION; major <= MAX_API_VERSION; major++) {
    versions.push({ label: releaseLabel(major), url: `/services/data/v${major}.0`, version: `${major}.0` });
  }
  return versions;
}

/**
 * Checks the `vNN.N` path segment: the version (`60.0`) when served, otherwise the error Salesforce
 * answers (410 for retired versions, 404 for unknown ones).
 */
export function checkApiVersion(segment: string): { version: string } | { error: SalesforceApiError } {
  const match = /^v(\d+)\.0$/.exec(segment);
  if (!match) return { error: apiError(404, 'NOT_FOUND', 'The requested resource does not exist') };
  const major = Number(match[1]);
  if (major >= MIN_API_VERSION && major <= MAX_API_VERSION) return { version: `${major}.0` };
  if (major >= 1 && major < MIN_API_VERSION) {
    return {
      error: apiError(
        410,
        'GONE',
        `Version ${major}.0 of the REST API has been retired and is no longer supported. Use API version ${MIN_API_VERSION}.0 or later.`,
      ),
    };
  }
  return { error: apiError(404, 'NOT_FOUND', 'The requested resource does not exist') };
}
