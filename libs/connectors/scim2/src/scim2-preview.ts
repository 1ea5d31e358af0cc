import type { OutboundAttribute, ProvisioningOperation, RemotePayloadPreview } from '@provisioning/connector-kit';
import { parseAttributeName } from './attribute-path';
import type { Scim2Config } from './scim2-config';
import { patchBody, redacted } from './scim-changes';
import { buildUserResource, userChanges } from './scim-user-body';
import type { ServiceProviderConfigCache } from './service-provider-config';

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** Unknown core attributes are sent as mapped; say that a schema-checking target will refuse them. */
function unknownAttributes(attributes: readonly OutboundAttribute[]): string[] {
  return attributes.flatMap((a) => {
    const path = parseAttributeName(a.name);
    return 'problem' in path || path.known || path.schema !== undefined
      ? []
      : [`${a.name}: not a core SCIM User attribute; a target that validates its schema rejects it (custom attributes belong behind an extension schema URN)`];
  });
}

/** A userName taken from a provisioning default is the same for every user: one remote account for all. */
function sharedUserName(attributes: readonly OutboundAttribute[]): string[] {
  const userName = attributes.find((a) => {
    const path = parseAttributeName(a.name);
    return !('problem' in path) && path.schema === undefined && path.attribute === 'userName' && !path.subAttribute;
  });
  return userName?.source === 'default'
    ? [`userName comes from the provisioning default "${userName.value}", which every user shares: every user would map to the same SCIM account; map userName to a claim every user has`]
    : [];
}

/**
 * The exact request an operation sends, with secrets redacted, built by the same code as the real
 * request. Reads the ServiceProviderConfig (a side-effect-free GET, cached) to know PATCH from PUT.
 */
export async function previewUserOperation(operation: ProvisioningOperation, config: Scim2Config, spc: ServiceProviderConfigCache): Promise<RemotePayloadPreview> {
  const userPath = `${pathOf(config.usersUrl)}/${operation.remoteId ? encodeURIComponent(operation.remoteId) : '{id}'}`;
  if (operation.kind === 'create') {
    const mapped = buildUserResource(operation.allAttributes, { defaultUserName: operation.username, password: config.defaultPassword });
    return { method: 'POST', path: pathOf(config.usersUrl), body: redacted(mapped.resource), warnings: [...mapped.problems, ...mapped.notes, ...unknownAttributes(operation.allAttributes), ...sharedUserName(operation.allAttributes)] };
  }
  const features = (await spc.peek()) ?? (await spc.get().catch(() => undefined));
  const warnings = features ? [] : ['the ServiceProviderConfig could not be read; the preview assumes PATCH support'];
  const patch = features?.patch ?? true;
  if (operation.kind === 'deprovision') {
    if (config.deprovision === 'DELETE') return { method: 'DELETE', path: userPath, body: {}, warnings };
    return patch
      ? { method: 'PATCH', path: userPath, body: patchBody([{ path: 'active', value: false }]), warnings }
      : { method: 'PUT', path: userPath, body: { active: false }, warnings: [...warnings, 'the target does not support PATCH: the user is read and PUT back with active=false'] };
  }
  const { changes: changed, problems, notes } = userChanges(operation.attributes, operation.allAttributes);
  // As `updateChanges` sends it: a reactivation sets active=true.
  const changes = operation.reactivate ? [...changed.filter((c) => c.path.toLowerCase() !== 'active'), { path: 'active', value: true }] : changed;
  const all = [...warnings, ...problems, ...notes, ...unknownAttributes(operation.attributes)];
  if (patch) return { method: 'PATCH', path: userPath, body: redacted(patchBody(changes)), warnings: all };
  return {
    method: 'PUT',
    path: userPath,
    body: redacted(Object.fromEntries(changes.map((c) => [c.path, c.value]))),
    warnings: [...all, 'the target does not support PATCH: the user is read and PUT back with these attributes replaced'],
  };
}
