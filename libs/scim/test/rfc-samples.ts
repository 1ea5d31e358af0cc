import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The RFC 7643/7644 example payloads (extracted from the RFC text, see samples/INDEX.json), kept
 * in the repository so tests do not depend on where the project's shared folder is. A missing file
 * makes the tests fail: there is deliberately no fallback.
 */
export const SAMPLES_DIR = new URL('./samples/', import.meta.url);

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
