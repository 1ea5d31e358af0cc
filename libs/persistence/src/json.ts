/** Parses a JSON column written by this server; a corrupt value is a bug, reported with the column. */
export function readJson<T>(text: string | null, column: string): T | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`stored JSON in ${column} is corrupt`, { cause: error });
  }
}
