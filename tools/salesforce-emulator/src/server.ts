import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulatorApp } from './app';
import { EmulatorState } from './emulator-state';
import type { EmulatorOptions } from './types';

/** A listening emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`: the login URL, instance URL and token endpoint base. */
  url: string;
  /** `${url}/services/oauth2/token` */
  tokenUrl: string;
  /** The org's state, for assertions and direct changes. */
  state: EmulatorState;
  /** Stops listening, drops open connections (including hung requests) and pending delayed requests. */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Starts a Salesforce REST emulator over HTTP. In-process tests use the default port 0 (ephemeral)
 * on 127.0.0.1 and point jsforce's `loginUrl` at `url`.
 */
export async function startSalesforceEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const state = new EmulatorState(options);
  const server = createServer(createEmulatorApp(state));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(state.options.port, state.options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${hostForUrl(state.options.host)}:${port}`;
  state.baseUrl = url;
  let closed: Promise<void> | undefined;
  return {
    url,
    tokenUrl: `${url}/services/oauth2/token`,
    state,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve, reject) => {
        state.faultRegistry.cancelScheduled();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
