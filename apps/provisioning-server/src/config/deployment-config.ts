import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import { ValidationError } from '@provisioning/errors';
import { UserStorePolicy, resolveUserStoreRegexes } from '@provisioning/user-store';
import { DEFAULT_PROVISIONING_SETTINGS } from '@provisioning/core';
import { parseAllowedHost } from '@provisioning/egress';
import type { ProvisioningSettings } from '@provisioning/core';

/** The validated configuration the server runs with. */
export interface ServerConfig {
  server: { host: string; port: number; tls: boolean; dataDir: string };
  databaseUrl: string;
  superAdmin: { username: string; password?: string };
  enableEmailDomain: boolean;
  userStore: { usernameRegex: string; usernameRegexKey: string; passwordRegex: string; passwordRegexKey: string };
  provisioning: ProvisioningSettings;
  security: { secretKey?: string; secretKeyFile: string };
  logging: { level: string };
  metrics: { requireAuthentication: boolean };
  /** `[outbound]`: hosts connectors may reach although they are loopback, private or link-local. */
  outbound: { allowedHosts: string[] };
  /** Where relative paths were resolved from (the config file's folder, or the working directory). */
  baseDir: string;
}

const port = z.number().int().min(0).max(65535);
/** Durations and counts: positive, and below a day (setTimeout overflows past 2^31-1 ms). */
const positiveInt = z.number().int().positive().max(86_400_000, { message: 'must be at most 86400000 (one day)' });

/** Every section and key we accept; `.strict()` makes unknown keys an error that names them. */
const schema = z
  .object({
    server: z
      .object({
        hostname: z.string().optional(),
        host: z.string().optional(),
        port: port.optional(),
        tls: z.boolean().optional(),
        data_dir: z.string().min(1).optional(),
        offset: z.number().int().optional(),
      })
      .strict()
      .optional(),
    database: z.object({ url: z.string().min(1) }).strict().optional(),
    outbound: z
      .object({
        allowed_hosts: z
          .array(
            z.string().superRefine((entry, ctx) => {
              try {
                parseAllowedHost(entry, 'outbound.allowed_hosts');
              } catch (error) {
                ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^outbound\.allowed_hosts: /, '') });
              }
            }),
          )
          .optional(),
      })
      .strict()
      .optional(),
    super_admin: z
      .object({
        username: z.string().min(1),
        password: z.string().min(1).optional(),
        create_admin_account: z.boolean().optional(),
      })
      .strict()
      .optional(),
    tenant_mgt: z.object({ enable_email_domain: z.boolean().optional() }).strict().optional(),
    user_store: z
      .object({
        type: z.string().optional(),
        user_name_attribute: z.string().optional(),
        user_name_search_filter: z.string().optional(),
        user_name_list_filter: z.string().optional(),
        username_java_regex: z.string().optional(),
        username_java_script_regex: z.string().optional(),
        password_java_regex: z.string().optional(),
        password_java_script_regex: z.string().optional(),
      })
      .strict()
      .optional(),
    outbound_provisioning_management: z
      .object({ fail_on_blocking_outbound_provision_failure: z.boolean().optional() })
      .strict()
      .optional(),
    provisioning: z
      .object({
        max_attempts: positiveInt.optional(),
        initial_backoff_ms: positiveInt.optional(),
        max_backoff_ms: positiveInt.optional(),
        lease_seconds: positiveInt.max(3600, { message: 'must be at most 3600' }).optional(),
        poll_interval_ms: positiveInt.optional(),
        request_timeout_ms: positiveInt.optional(),
        concurrency: positiveInt.max(64).optional(),
        target_concurrency: positiveInt.max(64).optional(),
        batch_size: positiveInt.max(1000).optional(),
        deprovision_threshold: z.number().int().min(0, { message: 'must be 0 (off) or more' }).max(1_000_000).optional(),
        deprovision_window_minutes: positiveInt.max(7 * 24 * 60, { message: 'must be at most 10080 (a week)' }).optional(),
        automatic_runs: z.boolean().optional(),
        reconcile_interval_minutes: z.number().min(0, { message: 'must be 0 (off) or more' }).max(7 * 24 * 60, { message: 'must be at most 10080 (a week)' }).optional(),
        blocking_timeout_ms: positiveInt.optional(),
        throttle_pause_ms: positiveInt.optional(),
        worker_enabled: z.boolean().optional(),
      })
      .strict()
      .optional(),
    security: z
      .object({
        secret_key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 bytes in base64 (44 characters)' }).optional(),
        secret_key_file: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    metrics: z.object({ require_authentication: z.boolean().optional() }).strict().optional(),
    logging: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional() }).strict().optional(),
  })
  .strict();

type RawConfig = z.infer<typeof schema>;

/** Reads and validates deployment.toml; with no path, the built-in defaults. */
export function loadConfig(path?: string, overrides: Partial<RawConfig> = {}): ServerConfig {
  if (!path) return buildConfig({ ...overrides }, process.cwd(), 'built-in defaults');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read configuration file ${path}: ${(error as Error).message}`);
  }
  return parseConfigText(text, path, overrides);
}

export function parseConfigText(text: string, source: string, overrides: Partial<RawConfig> = {}): ServerConfig {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      throw new ValidationError(`${source}: invalid TOML at line ${error.line}, column ${error.column}: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
  const merged = { ...(raw as Record<string, unknown>), ...overrides };
  return buildConfig(merged, source === 'built-in defaults' ? process.cwd() : dirname(resolve(source)), source);
}

function buildConfig(raw: unknown, baseDir: string, source: string): ServerConfig {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => describeIssue(issue, raw));
    throw new ValidationError(`${source}: ${problems.join('; ')}`, { details: { problems } });
  }
  const c = result.data;
  const dataDir = resolve(baseDir, c.server?.data_dir ?? './data');
  const regexes = resolveUserStoreRegexes(c.user_store ?? {});
  const enableEmailDomain = c.tenant_mgt?.enable_email_domain ?? false;
  const superAdmin = { username: c.super_admin?.username ?? 'admin', password: c.super_admin?.password };
  // Compiling the policy validates the regexes; the super admin must satisfy the username rule,
  // which catches the WSO2 guide's double-backslash regex with a plain explanation.
  const policy = new UserStorePolicy({ ...regexes, enableEmailDomain });
  policy.assertSuperAdminUsername(superAdmin.username);
  if (superAdmin.password !== undefined) {
    try {
      policy.validatePassword(superAdmin.password);
    } catch (error) {
      throw new ValidationError(`super_admin.password does not satisfy ${regexes.passwordRegexKey}: ${(error as Error).message}`);
    }
  }
  const p = c.provisioning ?? {};
  const d = DEFAULT_PROVISIONING_SETTINGS;
  const concurrency = p.concurrency ?? d.concurrency;
  if (p.target_concurrency !== undefined && p.target_concurrency > concurrency) {
    throw new ValidationError(
      `${source}: provisioning.target_concurrency = ${p.target_concurrency}: must be at most provisioning.concurrency (${concurrency}), the jobs this instance delivers at once`,
    );
  }
  return {
    server: { host: c.server?.host ?? c.server?.hostname ?? '0.0.0.0', port: c.server?.port ?? 9443, tls: c.server?.tls ?? true, dataDir },
    databaseUrl: c.database?.url ?? `sqlite:${resolve(dataDir, 'provisioning.db')}`,
    superAdmin,
    enableEmailDomain,
    userStore: regexes,
    provisioning: {
      maxAttempts: p.max_attempts ?? d.maxAttempts,
      initialBackoffMs: p.initial_backoff_ms ?? d.initialBackoffMs,
      maxBackoffMs: p.max_backoff_ms ?? d.maxBackoffMs,
      leaseMs: p.lease_seconds ? p.lease_seconds * 1000 : d.leaseMs,
      pollIntervalMs: p.poll_interval_ms ?? d.pollIntervalMs,
      requestTimeoutMs: p.request_timeout_ms ?? d.requestTimeoutMs,
      concurrency,
      // Unset, the default never exceeds a lowered `concurrency`.
      targetConcurrency: Math.min(p.target_concurrency ?? d.targetConcurrency, concurrency),
      batchSize: p.batch_size ?? d.batchSize,
      deprovisionThreshold: p.deprovision_threshold ?? d.deprovisionThreshold,
      deprovisionWindowMs: (p.deprovision_window_minutes ?? d.deprovisionWindowMs / 60_000) * 60_000,
      reconcileIntervalMs: Math.round((p.reconcile_interval_minutes ?? d.reconcileIntervalMs / 60_000) * 60_000),
      automaticRuns: p.automatic_runs ?? d.automaticRuns,
      blockingTimeoutMs: p.blocking_timeout_ms ?? d.blockingTimeoutMs,
      throttlePauseMs: p.throttle_pause_ms ?? d.throttlePauseMs,
      failOnBlockingFailure: c.outbound_provisioning_management?.fail_on_blocking_outbound_provision_failure ?? d.failOnBlockingFailure,
      workerEnabled: p.worker_enabled ?? d.workerEnabled,
      // The server's own bootstrap account is never provisioned out (a license in every SaaS otherwise).
      localOnlyUsers: [{ tenant: policy.superTenantDomain, username: superAdmin.username }],
    },
    security: { secretKey: c.security?.secret_key, secretKeyFile: resolve(dataDir, c.security?.secret_key_file ?? 'secret.key') },
    logging: { level: c.logging?.level ?? 'info' },
    metrics: { requireAuthentication: c.metrics?.require_authentication ?? false },
    outbound: { allowedHosts: c.outbound?.allowed_hosts ?? [] },
    baseDir,
  };
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const where = path.length > 0 ? `[${path.join('.')}]` : 'top level';
    const keys = issue.keys.map((k) => (path.length > 0 ? `${path.join('.')}.${k}` : `[${k}]`));
    return `unknown ${path.length > 0 ? 'key' : 'section'}${keys.length > 1 ? 's' : ''} ${keys.join(', ')} in ${where}`;
  }
  const key = path.join('.');
  let value: unknown = raw;
  for (const segment of path) value = (value as Record<string, unknown> | undefined)?.[segment];
  const shown = key.endsWith('password') || key.endsWith('secret_key') ? '(hidden)' : JSON.stringify(value);
  return `${key} = ${shown}: ${issue.message}`;
}
