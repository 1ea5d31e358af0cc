import { join } from 'node:path';
import type { ConnectorDefinition } from '@provisioning/connector-kit';
import { parseConfigText } from '../../src/config/deployment-config';
import { createLogger } from '../../src/logging';
import { startServer } from '../../src/server';
import type { RunningServer } from '../../src/server';
import { ensureDatabaseOf, guideToml, tempDir } from './server-process';

export interface InProcessOptions {
  /** Data directory to use (default: a new temporary one). */
  dataDir?: string;
  /** Extra deployment.toml text (whole sections). */
  extraToml?: string;
  /** `[provisioning]` settings on top of the test defaults. */
  provisioning?: Record<string, string | number | boolean>;
  connectors?: readonly ConnectorDefinition[];
  /** `[outbound] allowed_hosts` (default: loopback, where the tests' emulators listen). */
  allowedHosts?: readonly string[];
}

/** The real server in this process (plain HTTP, guide configuration, silent logs), for integration tests. */
export async function startGuideServer(prefix: string, options: InProcessOptions = {}): Promise<{ server: RunningServer; dataDir: string }> {
  const dataDir = options.dataDir ?? tempDir(prefix);
  const toml = guideToml(dataDir, options.extraToml ?? '', options.provisioning ?? {}, options.allowedHosts);
  await ensureDatabaseOf(toml);
  const config = parseConfigText(toml, join(dataDir, 'deployment.toml'));
  const server = await startServer(config, { logger: createLogger('silent'), ...(options.connectors ? { connectors: options.connectors } : {}) });
  return { server, dataDir };
}
