import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestDatabase, testDatabaseUrl } from '@provisioning/persistence/testing';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A real server process started as `npm start -- --config` would, for end-to-end tests. */
export interface ServerProcess {
  url: string;
  dataDir: string;
  configPath: string;
  child: ChildProcessWithoutNullStreams;
  output(): string;
  /** SIGTERM (graceful) or SIGKILL; resolves with the exit code or signal. */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

export const ADMIN = { username: 'admin@wso2.com', password: 'admin' };

/**
 * deployment.toml as the WSO2 guide writes it (with the regex fixed), on plain HTTP and an ephemeral
 * port; the loopback emulators and SCIM targets the tests run are listed in `[outbound] allowed_hosts`.
 */
export function guideToml(
  dataDir: string,
  extra = '',
  provisioning: Record<string, string | number | boolean> = {},
  allowedHosts: readonly string[] = ['127.0.0.1'],
  /** Which test database: by default the data directory's own; a cluster's instances share one key. */
  databaseKey = dataDir,
): string {
  // The deprovisioning guard (on by default: 50 per hour) is off unless a test is about it: fault and
  // cluster runs deprovision more than that on purpose.
  const settings = { poll_interval_ms: 100, initial_backoff_ms: 200, request_timeout_ms: 3000, deprovision_threshold: 0, ...provisioning };
  const lines = Object.entries(settings)
    .map(([k, v]) => `${k} = ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
    .join('\n');
  return `[server]
port = 0
tls = false
host = "127.0.0.1"
data_dir = "${dataDir}"

[super_admin]
username = "admin@wso2.com"
password = "admin"

[tenant_mgt]
enable_email_domain = true

[outbound]
allowed_hosts = ${JSON.stringify(allowedHosts)}

[database]
url = ${JSON.stringify(testDatabaseUrl(databaseKey, dataDir))}

[user_store]
user_name_attribute = "mail"
username_java_regex = '^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,4}$'
username_java_script_regex = '^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,4}$'

[provisioning]
${lines}
${extra}
`;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Creates the PostgreSQL database a test configuration names (PostgreSQL test runs). */
export async function ensureDatabaseOf(toml: string): Promise<void> {
  const url = /^url = "(postgres[^"]+)"/m.exec(toml)?.[1];
  if (url) await ensureTestDatabase(url);
}

/** Starts the server with a config file; resolves once it logs where it listens. */
export async function startServerProcess(toml: string, dataDir: string, nodeArgs: readonly string[] = []): Promise<ServerProcess> {
  await ensureDatabaseOf(toml);
  const configPath = join(dataDir, 'deployment.toml');
  writeFileSync(configPath, toml);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'apps/provisioning-server/src/main.ts'), '--config', configPath], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.base.json'), HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string | null>((res) => child.once('exit', (code, signal) => res(signal ?? code)));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a stray server behind
      rej(new Error(`server did not start in time:\n${out}`));
    }, 40_000);
    const check = () => {
      const match = /listening on (https?:\/\/[^\s"]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        res(match[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`server exited (${String(code)}) before listening:\n${out}`));
    });
  });
  return {
    url,
    dataDir,
    configPath,
    child,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until the server has no reconciliation run queued or running and at least `atLeast` runs
 * have finished: the automatic run a configuration change starts (`target-added`, `config-changed`)
 * settles before a test goes on, so its jobs do not mix with the ones the test counts.
 */
export async function runsSettled(url: string, atLeast = 1, timeoutMs = 20_000): Promise<void> {
  const authorization = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;
  await eventually(async () => {
    const res = await fetch(`${url}/api/server/v1/provisioning/runs`, { headers: { authorization } });
    const runs = (await res.json()) as Array<{ state: string }>;
    const open = runs.some((r) => r.state === 'queued' || r.state === 'running');
    return !open && runs.length >= atLeast ? true : undefined;
  }, timeoutMs, 'automatic reconciliation runs to finish');
}
