import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, linkWorkspacePackage } from './workspace-copy';

const ROOT = resolve(import.meta.dirname, '../../..');
const NAME = 'e2e-probe';
const PACKAGE = `@provisioning/connector-${NAME}`;

/**
 * The environment for the nested Nx: our own NX_* variables only. When this test runs as an Nx task,
 * the inherited ones (NX_WORKSPACE_ROOT_PATH among them) would point the nested Nx at the real
 * workspace; vitest's own variables would confuse the nested vitest.
 */
function cleanEnv(workspace: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(NX_|VITEST|__VITEST)/.test(key) && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return { ...env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_WORKSPACE_ROOT_PATH: workspace, NX_SKIP_NX_CACHE: 'true', CI: 'true', NO_COLOR: '1' };
}

function run(workspace: string, command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: workspace, env: cleanEnv(workspace), encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: stripVTControlCharacters(`${result.stdout}\n${result.stderr}`) };
}

describe('nx g @provisioning/tools:connector (in a copy of the workspace)', () => {
  let workspace: string;

  beforeAll(() => {
    workspace = copyWorkspace(ROOT);
  });
  afterAll(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('generates a library that passes typecheck, lint and the contract suite before anyone edits it', () => {
    const generated = run(workspace, 'npx', ['nx', 'g', '@provisioning/tools:connector', NAME, '--skipInstall', '--no-interactive']);
    expect(generated.status, generated.output).toBe(0);
    expect(existsSync(resolve(ROOT, 'libs/connectors', NAME)), 'the real workspace must stay untouched').toBe(false);

    const host = readFileSync(resolve(workspace, 'apps/provisioning-server/src/connectors.ts'), 'utf8');
    expect(host).toContain(`import { e2eProbeConnector } from '${PACKAGE}';`);
    expect(host).toContain('  e2eProbeConnector as ConnectorDefinition,\n];');
    expect(JSON.parse(readFileSync(resolve(workspace, 'package.json'), 'utf8')).workspaces).toContain(`libs/connectors/${NAME}`);

    linkWorkspacePackage(workspace, `libs/connectors/${NAME}`, `connector-${NAME}`);
    const checked = run(workspace, 'npx', ['nx', 'run-many', '-t', 'typecheck', 'lint', 'test', '-p', PACKAGE, '--outputStyle=stream', '--skip-nx-cache']);
    expect(checked.status, checked.output).toBe(0);
    expect(checked.output).toMatch(/Successfully ran targets typecheck, lint, test/);
    expect(checked.output).toMatch(/Tests\s+\d+ passed/);
    expect(checked.output).not.toMatch(/\bfailed\b/);
  }, 120_000);
});
