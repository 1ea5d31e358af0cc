import { z } from 'zod';
import { ValidationError } from '@provisioning/errors';
import type { ConnectorManifest, PropertyDescriptor } from './manifest';
import type { ConnectorProperties } from './connector';

/**
 * Builds the raw input of a connector's zod schema from its properties: defaults from the manifest
 * are applied, empty strings count as absent, unknown keys are rejected by name.
 */
export function withDefaults(manifest: ConnectorManifest, properties: ConnectorProperties): Record<string, string> {
  const known = new Map(manifest.properties.map((p) => [p.key, p] as const));
  const unknown = Object.keys(properties).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new ValidationError(
      `Unknown ${manifest.displayName} connector propert${unknown.length === 1 ? 'y' : 'ies'}: ${unknown.join(', ')}. ` +
        `Known properties: ${[...known.keys()].join(', ')}`,
      { code: 'CONNECTOR-CONFIG' },
    );
  }
  const out: Record<string, string> = {};
  for (const p of manifest.properties) {
    const value = properties[p.key];
    if (value !== undefined && value.trim() !== '') out[p.key] = value.trim();
    else if (p.defaultValue !== undefined) out[p.key] = p.defaultValue;
  }
  return out;
}

/**
 * Parses properties with a zod schema and turns every issue into one readable ValidationError that
 * names the key and the reason. Confidential values are never echoed.
 */
export function parseProperties<T>(manifest: ConnectorManifest, schema: z.ZodType<T>, properties: ConnectorProperties): T {
  const input = withDefaults(manifest, properties);
  const byKey = new Map<string, PropertyDescriptor>(manifest.properties.map((p) => [p.key, p]));
  const missing = manifest.properties.filter((p) => p.isMandatory && input[p.key] === undefined).map((p) => p.key);
  const problems: string[] = missing.map((k) => `${k}: is required (${byKey.get(k)?.displayName ?? k})`);
  const result = schema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (missing.includes(key)) continue;
      const descriptor = byKey.get(key);
      const shown = descriptor?.isConfidential || input[key] === undefined ? '' : ` (value "${input[key]}")`;
      problems.push(`${key || '(properties)'}: ${issue.message}${shown}`);
    }
  }
  if (problems.length > 0 || !result.success) {
    throw new ValidationError(`Invalid ${manifest.displayName} connector configuration: ${problems.join('; ')}`, {
      code: 'CONNECTOR-CONFIG',
      details: { problems },
    });
  }
  return result.data;
}

/** `true`/`false` property values, as WSO2 stores booleans. */
export const booleanProperty = z
  .enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False'], { message: 'must be true or false' })
  .transform((v) => v.toLowerCase() === 'true');

/**
 * An http(s) URL. Plain http is accepted only for loopback hosts (local emulators and tests), because
 * credentials and tokens travel over it.
 */
export const secureUrlProperty = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a valid URL' });
    return;
  }
  if (url.protocol === 'https:') return;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
  if (url.protocol === 'http:' && loopback) return;
  ctx.addIssue({
    code: 'custom',
    message: url.protocol === 'http:' ? 'must use https (plain http is accepted only for loopback hosts)' : 'must be an https URL',
  });
});
