import { parseArgs } from 'node:util';
import { isProvisioningError } from '@provisioning/errors';
import { loadConfig } from './config/deployment-config';
import { startServer } from './server';

/** `npm start [-- --config deployment.toml]`: start, log where we listen, stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } }, allowPositionals: false });
  const config = loadConfig(values.config);
  const server = await startServer(config, {
    onGeneratedPassword: (username, password) => {
      process.stdout.write(
        `\nNo [super_admin] password is configured: generated one for "${username}": ${password}\n` +
          'It is shown only this once and stored hashed. Set [super_admin] password in deployment.toml to choose your own.\n\n',
      );
    },
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (isProvisioningError(error)) {
    process.stderr.write(`Start-up failed: ${error.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
