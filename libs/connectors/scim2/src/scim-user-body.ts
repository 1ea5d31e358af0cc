import type { OutboundAttribute, Secret } from '@provisioning/connector-kit';
import { CORE_USER_SCHEMA, defaultSubAttribute, LIST_VALUED, parseAttributeName, patchPath } from './attribute-path';
import type { ScimAttributePath } from './attribute-path';
import type { ScimChange } from './scim-changes';

type Json = Record<string, unknown>;

/** A SCIM User built from outbound attributes, with what could not be placed. */
export interface MappedUser {
  /** The resource; a password is a `Secret`, revealed only on the wire. */
  resource: Json;
  /** Attributes that cannot be sent as mapped (the operation fails with these; preview shows them). */
  problems: string[];
  /** Things an administrator should know but that do not stop the operation. */
  notes: string[];
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function origin(a: OutboundAttribute): string {
  return a.source === 'default' ? 'the provisioning default' : `the user's ${a.localClaim ?? 'claim'}`;
}

/** `active` and every `primary` are SCIM booleans; the engine's values are strings. */
function convert(path: ScimAttributePath, a: OutboundAttribute): { value: unknown } | { problem: string } {
  const isBoolean = (path.schema === undefined && path.attribute === 'active' && !path.subAttribute) || path.subAttribute === 'primary';
  if (!isBoolean) return { value: a.value };
  const lower = typeof a.value === 'string' ? a.value.trim().toLowerCase() : '';
  if (lower === 'true' || lower === 'false') return { value: lower === 'true' };
  return { problem: `${a.name}: is a SCIM boolean but ${origin(a)} gives ${JSON.stringify(a.value)}` };
}

function containerOf(resource: Json, schema: string | undefined): Json {
  if (schema === undefined) return resource;
  if (!isObject(resource[schema])) resource[schema] = {};
  return resource[schema] as Json;
}

/**
 * Writes one value where its path says, creating entries of multi-valued attributes as needed. A
 * list (a multi-valued claim) becomes entries of a list-valued attribute (`roles`, `groups`,
 * `entitlements`); anywhere else, where one text belongs, its values joined with ",".
 */
function place(resource: Json, path: ScimAttributePath, given: unknown): void {
  const container = containerOf(resource, path.schema);
  const listed = path.multiValued && path.subAttribute === undefined && !path.filter && LIST_VALUED.has(path.attribute);
  const value = Array.isArray(given) && !listed ? given.join(',') : given;
  const { attribute, subAttribute, filter } = path;
  if (!path.multiValued) {
    if (subAttribute === undefined) {
      container[attribute] = value;
      return;
    }
    if (!isObject(container[attribute])) container[attribute] = {};
    (container[attribute] as Json)[subAttribute] = value;
    return;
  }
  if (!Array.isArray(container[attribute])) container[attribute] = [];
  const entries = container[attribute] as Json[];
  if (filter) {
    let entry = entries.find((e) => e[filter.attribute] === filter.value);
    if (!entry) entries.push((entry = { [filter.attribute]: filter.value }));
    entry[subAttribute ?? defaultSubAttribute(attribute)] = value;
    return;
  }
  if (subAttribute === undefined && LIST_VALUED.has(attribute) && (typeof value === 'string' || Array.isArray(value))) {
    // Each value of a multi-valued claim is an entry of its own (a value may contain a comma).
    for (const item of typeof value === 'string' ? [value] : (value as string[])) {
      if (item.trim() !== '' && !entries.some((e) => e.value === item)) entries.push({ value: item });
    }
    return;
  }
  let primary = entries.find((e) => e.primary === true);
  if (!primary) entries.push((primary = { primary: true }));
  primary[subAttribute ?? defaultSubAttribute(attribute)] = value;
}

/** A plain value that repeats a typed entry (`emails` and `emails[type eq "work"].value`) marks that entry primary. */
function mergePrimaryShorthand(container: Json): void {
  for (const [key, entries] of Object.entries(container)) {
    if (!Array.isArray(entries)) continue;
    const shorthand = entries.find((e: Json) => e.primary === true && Object.keys(e).length === 2 && 'value' in e);
    const typed = shorthand && entries.find((e: Json) => e !== shorthand && e.value === shorthand.value);
    if (typed) container[key] = entries.filter((e) => e !== shorthand).map((e: Json) => (e === typed ? { ...e, primary: true } : e));
  }
}

function isPassword(a: OutboundAttribute): boolean {
  return a.name.trim().toLowerCase() === 'password';
}

/** Places every attribute; collects problems instead of stopping at the first. */
function assemble(attributes: readonly OutboundAttribute[]): { resource: Json; problems: string[]; extensions: string[] } {
  const resource: Json = {};
  const problems: string[] = [];
  const extensions = new Set<string>();
  for (const a of attributes) {
    const path = parseAttributeName(a.name);
    if ('problem' in path) {
      problems.push(`${a.name}: ${path.problem}`);
      continue;
    }
    const converted = convert(path, a);
    if ('problem' in converted) {
      problems.push(converted.problem);
      continue;
    }
    if (path.schema) extensions.add(path.schema);
    place(resource, path, converted.value);
  }
  mergePrimaryShorthand(resource);
  for (const schema of extensions) mergePrimaryShorthand(containerOf(resource, schema));
  return { resource, problems, extensions: [...extensions] };
}

/** Explains `password` attributes away: users' passwords never leave this server (see docs/connectors.md). */
function passwordNotes(attributes: readonly OutboundAttribute[]): string[] {
  return attributes.some(isPassword)
    ? ['password: mapped attributes named password are never sent; enable scim2-enable-pwd-provisioning to send scim2-default-pwd on create']
    : [];
}

/**
 * The SCIM User to POST for a create, from every outbound attribute. `userName` falls back to the
 * local username when no attribute maps to it (SCIM requires one); the password is the configured
 * default, if any, never a mapped attribute.
 */
export function buildUserResource(attributes: readonly OutboundAttribute[], options: { defaultUserName: string; password?: Secret }): MappedUser {
  const { resource, problems, extensions } = assemble(attributes.filter((a) => !isPassword(a)));
  const notes = passwordNotes(attributes);
  if (resource.userName === undefined) {
    resource.userName = options.defaultUserName;
    notes.push('userName: no attribute maps to it; the local username is sent');
  }
  if (options.password) resource.password = options.password;
  return { resource: { schemas: [CORE_USER_SCHEMA, ...extensions], ...resource }, problems, notes };
}

/**
 * The changes that bring an existing user up to date with `changed`. A changed entry of a multi-valued
 * attribute replaces the whole attribute, rebuilt from all of the user's attributes that map into it:
 * a PATCH into `emails[type eq "work"]` fails with noTarget when the entry does not exist yet, and a
 * whole-attribute replace is idempotent. Other attributes are replaced one by one.
 */
export function userChanges(changed: readonly OutboundAttribute[], all: readonly OutboundAttribute[]): { changes: ScimChange[]; problems: string[]; notes: string[] } {
  const effective = new Map(all.map((a) => [a.name, a] as const));
  for (const a of changed) effective.set(a.name, a);
  const changes = new Map<string, unknown>();
  const problems: string[] = [];
  for (const a of changed.filter((x) => !isPassword(x))) {
    const path = parseAttributeName(a.name);
    if ('problem' in path) {
      problems.push(`${a.name}: ${path.problem}`);
      continue;
    }
    if (path.multiValued) {
      const sameAttribute = [...effective.values()].filter((e) => {
        const p = parseAttributeName(e.name);
        return !('problem' in p) && p.schema === path.schema && p.attribute === path.attribute;
      });
      const built = assemble(sameAttribute);
      problems.push(...built.problems);
      changes.set(patchPath({ schema: path.schema, attribute: path.attribute }), containerOf(built.resource, path.schema)[path.attribute] ?? []);
      continue;
    }
    const converted = convert(path, a);
    if ('problem' in converted) problems.push(converted.problem);
    else changes.set(patchPath(path), converted.value);
  }
  return { changes: [...changes].map(([path, value]) => ({ path, value })), problems: [...new Set(problems)], notes: passwordNotes(changed) };
}
