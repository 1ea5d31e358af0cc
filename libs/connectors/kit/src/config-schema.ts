import { z } from 'zod';
import { ValidationError } from '@provisioning/errors';
import type { ConnectorManifest, PropertyDescriptor } from './manifest';
import type { ConnectorProperties } from './connector';

/**
 * Builds the raw input of a connector's zod schema from its properties: defaults from the manifest
 * are applied, empty strings count as absent (consoles send "" for untouched fields), values are
 * trimmed, and unknown keys are rejected by name (a typo in a key must not silently drop a setting).
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
 * names the key and the reason, so an administrator can fix every mistake in one round. Confidential
 * values are never echoed. Cross-field rules belong in the schema's `superRefine`, with `path: [key]`
 * naming the property to blame.
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

/** `true`/`false` property values (any case), as WSO2 stores booleans; parsed to a real boolean. */
export const booleanProperty = z
  .enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False'], { message: 'must be true or false' })
  .transform((v) => v.toLowerCase() === 'true');

/**
 * An http(s) URL. Where it may point (public hosts only, plain http only for hosts the operator
 * allowlists) is the host's egress policy, applied to every `url`-typed property when a
 * configuration is saved and again on every connection: give the descriptor `type: 'url'`.
 */
export const urlProperty = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a valid URL' });
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: 'must be an https URL' });
});

/**
 * An enumeration property (pair it with the descriptor's `options`). Accepts any letter case, because
 * WSO2 consoles are inconsistent about it, and yields the canonical spelling; the message lists the
 * allowed values.
 */
export function enumProperty<const T extends readonly [string, ...string[]]>(values: T) {
  return z.string().transform((value, ctx): T[number] => {
    const found = values.find((v) => v.toLowerCase() === value.toLowerCase());
    if (found === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}` });
      return z.NEVER;
    }
    return found;
  });
}
