import { describe, expect, it } from 'vitest';
import { readJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import type { Tree } from '@nx/devkit';
import { connectorGenerator } from './connector-generator';
import { CONNECTORS_FILE } from './register-connector';

function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('package.json', JSON.stringify({ name: 'ws', workspaces: ['libs/errors', 'libs/connectors/kit', 'libs/connectors/google', 'tools/salesforce-emulator'] }, null, 2));
  tree.write(
    CONNECTORS_FILE,
    "import type { ConnectorDefinition } from '@provisioning/connector-kit';\n\nexport const CONNECTORS: readonly ConnectorDefinition[] = [\n];\n",
  );
  return tree;
}

describe('connector generator (in a virtual tree)', () => {
  it('scaffolds the library, lists the workspace after the other connectors, and registers the definition', async () => {
    const tree = workspace();
    await connectorGenerator(tree, { name: 'service-now', skipInstall: true });
    const root = 'libs/connectors/service-now';
    for (const file of ['package.json', 'project.json', 'tsconfig.json', 'vitest.config.ts', 'README.md', 'src/index.ts', 'src/service-now-connector.ts', 'src/service-now-client.ts', 'src/service-now-connector.spec.ts']) {
      expect(tree.exists(`${root}/${file}`), file).toBe(true);
    }
    expect(readJson(tree, `${root}/package.json`)).toMatchObject({ name: '@provisioning/connector-service-now', type: 'module', exports: { '.': './src/index.ts' } });
    expect(readJson(tree, `${root}/project.json`)).toMatchObject({ name: '@provisioning/connector-service-now', tags: ['scope:connector', 'type:connector'] });
    expect(readJson(tree, 'package.json').workspaces).toEqual(['libs/errors', 'libs/connectors/kit', 'libs/connectors/google', root, 'tools/salesforce-emulator']);

    const connector = tree.read(`${root}/src/service-now-connector.ts`, 'utf-8')!;
    expect(connector).toContain("export const SERVICE_NOW_TYPE = 'service-now';");
    expect(connector).toContain("connectorId: connectorIdOf(SERVICE_NOW_TYPE), // 'c2VydmljZS1ub3c'");
    expect(connector).toContain("displayName: 'Service Now',");
    expect(connector).not.toMatch(/<%|%>/);
    expect(tree.read(CONNECTORS_FILE, 'utf-8')).toContain(
      "import { serviceNowConnector } from '@provisioning/connector-service-now';\n\nexport const CONNECTORS: readonly ConnectorDefinition[] = [\n  serviceNowConnector as ConnectorDefinition,\n];",
    );
  });

  it('refuses to overwrite an existing library and can leave the host alone', async () => {
    const tree = workspace();
    await connectorGenerator(tree, { name: 'workday', skipInstall: true, skipRegister: true });
    expect(tree.read(CONNECTORS_FILE, 'utf-8')).not.toContain('workday');
    await expect(connectorGenerator(tree, { name: 'workday', skipInstall: true })).rejects.toThrow(/already exists/);
  });
});
