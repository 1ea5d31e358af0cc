import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateFiles, logger } from '@nx/devkit';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { addWorkspace } from './add-workspace';
import { connectorNames } from './connector-names';
import { registerConnector, CONNECTORS_FILE } from './register-connector';
import type { ConnectorGeneratorSchema } from './schema';

const TEMPLATES = fileURLToPath(new URL('./files', import.meta.url));

/**
 * `nx g @provisioning/tools:connector <name>`: scaffolds libs/connectors/<name> as a declared stub
 * that already passes lint, typecheck and the contract suite, lists it in the npm workspaces and in
 * the host's connector list. Starting from a green library means the first red test a platform team
 * sees is about their remote system, not about wiring.
 */
export async function connectorGenerator(tree: Tree, options: ConnectorGeneratorSchema): Promise<GeneratorCallback | undefined> {
  const names = connectorNames(options.name, options.displayName);
  if (tree.exists(names.projectRoot)) throw new Error(`${names.projectRoot} already exists`);

  generateFiles(tree, TEMPLATES, names.projectRoot, { ...names, offsetFromRoot: '../../../', quote, tmpl: '' });
  addWorkspace(tree, names.projectRoot);
  const registered = !options.skipRegister && registerConnector(tree, names);

  return () => {
    if (!options.skipInstall) install(tree.root);
    logger.info(
      [
        `${names.packageName} is ready in ${names.projectRoot} (connector id ${names.connectorId}).`,
        registered ? `It is listed in ${CONNECTORS_FILE}.` : `Add ${names.propertyName}Connector to ${CONNECTORS_FILE} to offer it.`,
        `Check it: npx nx run-many -t typecheck lint test -p ${names.packageName}`,
        'Next: docs/connectors.md, "Writing the operations".',
      ].join('\n'),
    );
  };
}

/** A TypeScript single-quoted string literal of free text (display names may hold quotes). */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r?\n/g, ' ')}'`;
}

/** Links the new workspace package and updates package-lock.json; a failure only costs a hint. */
function install(root: string): void {
  try {
    execSync('npm install --no-audit --no-fund --prefer-offline', { cwd: root, stdio: 'inherit' });
  } catch {
    logger.warn('npm install failed; run it yourself so the new workspace package is linked.');
  }
}

export default connectorGenerator;
