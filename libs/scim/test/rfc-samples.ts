import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The RFC samples live in `shared/scim-samples`, a sibling of the repository. This file sits at the
 * same depth as the spec files (`libs/scim/{src,test}/`), so the relative URL is theirs. A missing
 * directory or file makes the tests fail: there is deliberately no fallback.
 */
export const SAMPLES_DIR = new URL('../../../../shared/scim-samples/', import.meta.url);

/** Parses one sample file (throws when it is missing). */
export function readSample<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(new URL(file, SAMPLES_DIR), 'utf8')) as T;
}

/** The file names in the samples directory. */
export function sampleFiles(): string[] {
  return readdirSync(fileURLToPath(SAMPLES_DIR)).sort();
}

/** INDEX.json entries. */
export interface SampleIndex {
  rfc7643: { file: string; description: string }[];
  rfc7644_patch: { file: string; description: string }[];
}
