import type { ConnectorManifest } from '@provisioning/connector-kit';
import type { EgressPolicy } from '@provisioning/egress';
import { ValidationError } from '@provisioning/errors';

/**
 * The properties that say where a connector connects (or for whom it signs, like a JWT audience):
 * every `url`-typed property. Declared by type so a new connector's endpoints are covered without
 * anyone remembering to list them.
 */
export function endpointKeys(manifest: ConnectorManifest): string[] {
  return manifest.properties.filter((p) => p.type === 'url').map((p) => p.key);
}

function effective(manifest: ConnectorManifest, properties: Readonly<Record<string, string>>, key: string): string | undefined {
  const value = properties[key]?.trim();
  return value ? value : manifest.properties.find((p) => p.key === key)?.defaultValue;
}

/**
 * Every endpoint of a configuration must satisfy the egress policy when it is saved (a 400 naming
 * the property), not first at delivery time: an IP literal, `localhost`, a metadata name or plain
 * http to a host the operator did not list is refused here.
 */
export function assertEndpointsAllowed(manifest: ConnectorManifest, properties: Readonly<Record<string, string>>, policy: EgressPolicy): void {
  const problems: string[] = [];
  for (const key of endpointKeys(manifest)) {
    const value = effective(manifest, properties, key);
    if (value === undefined) continue;
    const problem = policy.checkUrl(value);
    if (problem) problems.push(`${key}: ${problem}`);
  }
  if (problems.length > 0) {
    throw new ValidationError(`Invalid ${manifest.displayName} connector configuration: ${problems.join('; ')}`, {
      code: 'CONNECTOR-CONFIG',
      details: { problems },
    });
  }
}

/**
 * Stored secrets never follow a new endpoint: when a request changes where a connector connects,
 * every confidential property already stored must be sent again in that same request, or the
 * change is refused naming them. Otherwise a tenant admin could point the token endpoint at a host
 * of their own, press "test", and receive the stored password, client secret or a signed JWT.
 */
export function assertSecretsResent(
  manifest: ConnectorManifest,
  previous: { properties: Readonly<Record<string, string>>; confidentialKeys: readonly string[] } | undefined,
  next: Readonly<Record<string, string>>,
  given: ReadonlyMap<string, string | undefined>,
): void {
  if (!previous) return;
  const moved = endpointKeys(manifest).filter((key) => effective(manifest, previous.properties, key) !== effective(manifest, next, key));
  if (moved.length === 0) return;
  const missing = previous.confidentialKeys.filter((key) => !given.get(key)?.trim());
  if (missing.length === 0) return;
  throw new ValidationError(
    `Changing ${moved.join(', ')} (where the ${manifest.displayName} connector connects) requires sending ${missing.join(', ')} again in the same request: stored secrets never follow a new endpoint`,
    { code: 'CONNECTOR-SECRETS-REQUIRED', details: { changed: moved, required: missing } },
  );
}
