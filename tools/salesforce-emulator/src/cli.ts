/**
 * `npm run emulator`: runs the Salesforce emulator in the foreground for local trials.
 * Options come from flags, then SF_EMULATOR_* environment variables, then defaults (see README).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILES } from './emulator-state';
import { startSalesforceEmulator } from './server';
import type { EmulatorOptions, RequestLogEntry } from './types';

const HELP = `Salesforce REST emulator

Usage: npm run emulator -- [options]

  --port <n>               listen port (SF_EMULATOR_PORT, default 8555; 0 = any free port)
  --host <addr>            interface (SF_EMULATOR_HOST, default 127.0.0.1)
  --client-id <id>         connected-app consumer key (SF_EMULATOR_CLIENT_ID)
  --client-secret <s>      consumer secret (SF_EMULATOR_CLIENT_SECRET)
  --username <u>           API user (SF_EMULATOR_USERNAME)
  --password <p>           password + security token (SF_EMULATOR_PASSWORD)
  --jwt-public-key <file>  PEM public key or certificate enabling the JWT bearer grant (SF_EMULATOR_JWT_PUBLIC_KEY)
  --token-lifetime-ms <n>  access-token lifetime (SF_EMULATOR_TOKEN_LIFETIME_MS, default 7200000)
  --api-limit <n>          daily API requests (SF_EMULATOR_API_LIMIT, default 15000)
  --licenses <n>           active user licences (SF_EMULATOR_LICENSES, default 1000)
  --query-batch-size <n>   records per query page (SF_EMULATOR_QUERY_BATCH_SIZE, default 2000)
  --foreign-usernames <l>  comma-separated usernames taken in other orgs (SF_EMULATOR_FOREIGN_USERNAMES)
  --latency-ms <n>         time every API request takes before its answer (SF_EMULATOR_LATENCY_MS, default 0)
  --quiet                  do not print each request (SF_EMULATOR_QUIET=1)
  --help                   show this help
`;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function readOptions(argv: string[], env: NodeJS.ProcessEnv): { options: EmulatorOptions; quiet: boolean; help: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'jwt-public-key': { type: 'string' },
      'token-lifetime-ms': { type: 'string' },
      'api-limit': { type: 'string' },
      licenses: { type: 'string' },
      'query-batch-size': { type: 'string' },
      'foreign-usernames': { type: 'string' },
      'latency-ms': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  const pick = (flag: keyof typeof values, envName: string): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' ? value : env[envName] || undefined;
  };
  const keyFile = pick('jwt-public-key', 'SF_EMULATOR_JWT_PUBLIC_KEY');
  const foreign = pick('foreign-usernames', 'SF_EMULATOR_FOREIGN_USERNAMES');
  const options: EmulatorOptions = {
    port: integer('port', pick('port', 'SF_EMULATOR_PORT')) ?? 8555,
    host: pick('host', 'SF_EMULATOR_HOST'),
    clientId: pick('client-id', 'SF_EMULATOR_CLIENT_ID'),
    clientSecret: pick('client-secret', 'SF_EMULATOR_CLIENT_SECRET'),
    username: pick('username', 'SF_EMULATOR_USERNAME'),
    password: pick('password', 'SF_EMULATOR_PASSWORD'),
    jwtPublicKeyPem: keyFile ? readFileSync(keyFile, 'utf8') : undefined,
    tokenLifetimeMs: integer('token-lifetime-ms', pick('token-lifetime-ms', 'SF_EMULATOR_TOKEN_LIFETIME_MS')),
    apiLimit: integer('api-limit', pick('api-limit', 'SF_EMULATOR_API_LIMIT')),
    licenses: integer('licenses', pick('licenses', 'SF_EMULATOR_LICENSES')),
    queryBatchSize: integer('query-batch-size', pick('query-batch-size', 'SF_EMULATOR_QUERY_BATCH_SIZE')),
    foreignUsernames: foreign ? foreign.split(',').map((u) => u.trim()).filter(Boolean) : undefined,
    latencyMs: integer('latency-ms', pick('latency-ms', 'SF_EMULATOR_LATENCY_MS')),
  };
  const quiet = values.quiet === true || env.SF_EMULATOR_QUIET === '1';
  return { options, quiet, help: values.help === true };
}

function banner(url: string, o: { clientId: string; clientSecret: string; username: string; password: string; jwt: boolean }): string {
  const chatterFree = DEFAULT_PROFILES[0];
  return `
Salesforce emulator listening on ${url}

  Login / instance URL : ${url}
  Token endpoint       : ${url}/services/oauth2/token
  Client ID            : ${o.clientId}
  Client secret        : ${o.clientSecret}
  Username             : ${o.username}
  Password (+token)    : ${o.password}
  JWT bearer grant     : ${o.jwt ? 'enabled' : 'disabled (pass --jwt-public-key)'}
  API versions         : v31.0 .. v68.0
  Profile for new users: ${chatterFree.id} (${chatterFree.name}); also Standard User, System Administrator

WSO2-style Salesforce outbound provisioning settings (Identity Provider > Outbound Provisioning > Salesforce):
  API version            (sf-api-version)     : v60.0
  Domain                 (sf-domain-name)     : ${url}
  Client ID              (sf-clientid)        : ${o.clientId}
  Client Secret          (sf-client-secret)   : ${o.clientSecret}
  Username               (sf-username)        : ${o.username}
  Password               (sf-password)        : ${o.password}
  OAuth2 Token Endpoint  (sf-token-endpoint)  : ${url}/services/oauth2/token
  Default ProfileId claim                     : ${chatterFree.id}

Control API: ${url}/__emulator/{users,requests,stats,faults,expire-tokens,reset}
Press Ctrl+C to stop.
`;
}

function describeEntry(e: RequestLogEntry): string {
  const fault = e.fault ? ` [fault ${e.fault.type}]` : '';
  return `${e.at} ${e.method} ${e.path} -> ${e.status ?? 'no response'} (${e.durationMs} ms)${fault}`;
}

async function main(): Promise<void> {
  const { options, quiet, help } = readOptions(process.argv.slice(2), process.env);
  if (help) {
    process.stdout.write(HELP);
    return;
  }
  const emu = await startSalesforceEmulator(options);
  const o = emu.state.options;
  process.stdout.write(banner(emu.url, { ...o, jwt: o.jwtPublicKeyPem !== undefined }));
  if (!quiet) emu.state.onRequest((entry) => process.stdout.write(`${describeEntry(entry)}\n`));

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal} received, stopping the emulator...\n`);
    emu.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`salesforce-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
