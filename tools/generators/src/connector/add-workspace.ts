import { updateJson } from '@nx/devkit';
import type { Tree } from '@nx/devkit';

interface RootPackageJson {
  workspaces?: string[];
}

/**
 * Lists the new library in the root package.json `workspaces`, after the other connectors: npm then
 * links `@provisioning/connector-<name>` into node_modules, which is how every import resolves here
 * (no tsconfig paths).
 */
export function addWorkspace(tree: Tree, projectRoot: string): void {
  updateJson<RootPackageJson>(tree, 'package.json', (json) => {
    const workspaces = json.workspaces ?? [];
    if (workspaces.includes(projectRoot)) return json;
    const lastConnector = workspaces.findLastIndex((w) => w.startsWith('libs/connectors/'));
    const at = lastConnector >= 0 ? lastConnector + 1 : workspaces.length;
    json.workspaces = [...workspaces.slice(0, at), projectRoot, ...workspaces.slice(at)];
    return json;
  });
}
