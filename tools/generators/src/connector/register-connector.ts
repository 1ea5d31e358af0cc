import { applyChangesToString, ChangeType } from '@nx/devkit';
import type { StringChange, Tree } from '@nx/devkit';
import type { ConnectorNames } from './connector-names';

/** The host's one explicit list of connectors (see docs/connectors.md, "Register"). */
export const CONNECTORS_FILE = 'apps/provisioning-server/src/connectors.ts';

/**
 * Adds the import and the array entry for a connector to the source of the host's connector list.
 * Text edits (not an AST) because the file is small and hand-written; the anchors are the last
 * import statement and the closing `];` of `CONNECTORS`. Running it twice changes nothing.
 */
export function insertConnector(source: string, packageName: string, definitionName: string): string {
  if (source.includes(`from '${packageName}'`)) return source;
  const imports = [...source.matchAll(/^import\s[^;]*;/gm)];
  const lastImport = imports.at(-1);
  const list = /export const CONNECTORS\b[^=]*=\s*\[/.exec(source);
  const close = list ? source.indexOf('\n];', list.index + list[0].length) : -1;
  if (!lastImport || !list || close < 0) {
    throw new Error(`could not find the imports and the CONNECTORS array in ${CONNECTORS_FILE}; add ${definitionName} from '${packageName}' by hand`);
  }
  const beforeClose = source.slice(0, close).trimEnd();
  const needsComma = !beforeClose.endsWith(',') && !beforeClose.endsWith('[');
  // A missing trailing comma goes right after the last entry, not at the start of the new line.
  const entryAt = needsComma ? beforeClose.length : close;
  const changes: StringChange[] = [
    { type: ChangeType.Insert, index: lastImport.index + lastImport[0].length, text: `\nimport { ${definitionName} } from '${packageName}';` },
    { type: ChangeType.Insert, index: entryAt, text: `${needsComma ? ',' : ''}\n  ${definitionName} as ConnectorDefinition,` },
  ];
  return applyChangesToString(source, changes);
}

/** Registers the generated connector in the host's list, if the host is there (it is in this repo). */
export function registerConnector(tree: Tree, names: ConnectorNames): boolean {
  const source = tree.read(CONNECTORS_FILE, 'utf-8');
  if (source === null) return false;
  tree.write(CONNECTORS_FILE, insertConnector(source, names.packageName, `${names.propertyName}Connector`));
  return true;
}
