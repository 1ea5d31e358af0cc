import type { ClaimValue, DescribedAccount, RemoteAccount } from '@provisioning/connector-kit';

/** What a run found for one local user or remote account (see the API contract, "Reconciliation runs"). */
export type Situation = 'in-sync' | 'missing' | 'unlinked' | 'drifted' | 'orphaned' | 'unmanaged';
export const SITUATIONS: readonly Situation[] = ['in-sync', 'missing', 'unlinked', 'drifted', 'orphaned', 'unmanaged'];

/** What a run does about it (`none`: reported only). */
export type RunAction = 'create' | 'link' | 'update' | 'deprovision' | 'none';

export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const RUN_STATES: readonly RunState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
export type RunTrigger = 'manual' | 'target-added' | 'config-changed' | 'schedule';

/** Where a run is: planning (comparing, nothing written), applying (jobs written), settling (jobs delivered). */
export type RunPhase = 'plan' | 'apply' | 'settle' | 'done';

/** One differing field: the value the local user maps to, and the target's. */
export interface FieldDifference {
  field: string;
  local: ClaimValue | null;
  remote: ClaimValue | null;
}

export interface RunCounts {
  situations: Record<Situation, number>;
  actions: { create: number; link: number; update: number; deprovision: number; held: number; failed: number };
}

export function emptyCounts(): RunCounts {
  return {
    situations: { 'in-sync': 0, missing: 0, unlinked: 0, drifted: 0, orphaned: 0, unmanaged: 0 },
    actions: { create: 0, link: 0, update: 0, deprovision: 0, held: 0, failed: 0 },
  };
}

/** A run as the API shows it. */
export interface Run {
  id: string;
  idp: string;
  connector: string;
  dryRun: boolean;
  trigger: RunTrigger;
  users: string[] | null;
  state: RunState;
  phase: RunPhase;
  progress: { total: number; done: number };
  situations: RunCounts['situations'];
  actions: RunCounts['actions'];
  requestedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** One item of a run as the API shows it. */
export interface RunItem {
  user: string | null;
  remoteId: string | null;
  remoteUsername: string | null;
  situation: Situation;
  fields: FieldDifference[];
  action: RunAction;
  outcome: string | null;
  note: string | null;
}

/** The decision for one local user in the target's scope. */
export interface UserVerdict {
  situation: Situation;
  action: RunAction;
  fields: FieldDifference[];
  /** The remote account it concerns, when there is one. */
  account?: RemoteAccount;
  /** Link or update must make the account active again. */
  reactivate: boolean;
  note?: string;
}

/**
 * Compares one local user's desired account with what the target lists (pure):
 * - linked (the stored remote id is listed): `in-sync` when every described field and the active
 *   flag agree, else `drifted` -> update (and reactivate);
 * - linked, but the account is gone remotely, or not linked and no account has its name: `missing` -> create;
 * - not linked, an account has its name: `unlinked` -> link (then update what differs), unless that
 *   account belongs to another local user (`ownerOfName`): reported, never written.
 */
export function judgeUser(
  desired: DescribedAccount,
  linked: RemoteAccount | undefined,
  byName: RemoteAccount | undefined,
  ownerOfName: string | undefined,
  managed: ManagedValues = new Map(),
): UserVerdict {
  if (linked) {
    const fields = differences(desired, linked, managed);
    if (fields.length === 0 && linked.active) return { situation: 'in-sync', action: 'none', fields, account: linked, reactivate: false };
    return { situation: 'drifted', action: 'update', fields, account: linked, reactivate: !linked.active };
  }
  if (!byName) return { situation: 'missing', action: 'create', fields: [], reactivate: false };
  const fields = differences(desired, byName, managed);
  if (ownerOfName) {
    return { situation: 'unlinked', action: 'none', fields, account: byName, reactivate: false, note: `the account belongs to local user "${ownerOfName}"; nothing is written to it` };
  }
  return { situation: 'unlinked', action: 'link', fields, account: byName, reactivate: !byName.active };
}

/**
 * Entitlement fields (role mappings naming a field) with the values this IdP manages there: a remote
 * value outside them (assigned by hand in the target) is not a difference.
 */
export type ManagedValues = ReadonlyMap<string, readonly string[]>;

/**
 * Fields whose described value differs from the listed one (the remote name compares
 * case-insensitively; an entitlement field compares only the values this IdP manages).
 */
export function differences(desired: DescribedAccount, account: RemoteAccount, managed: ManagedValues = new Map()): FieldDifference[] {
  const result: FieldDifference[] = [];
  const name = desired.remoteName.toLowerCase();
  const sameName = account.remoteName.toLowerCase() === name;
  for (const [field, local] of Object.entries(desired.attributes)) {
    if (!(field in account.attributes)) continue; // not listed: cannot be compared
    const listed = account.attributes[field] ?? null;
    const remote = managedPart(listed, managed.get(field));
    // The field carrying the remote name compares ignoring case, as targets do.
    const isName = sameName && typeof local === 'string' && local.toLowerCase() === name;
    if (!sameValue(local, remote, isName)) result.push({ field, local, remote });
  }
  return result;
}

/** The listed values of a list among the managed ones (all of them when the field is not an entitlement field). */
function managedPart(value: ClaimValue | null, managed: readonly string[] | undefined): ClaimValue | null {
  // A single-valued field (a role) is the IdP's whole: any other value is drift.
  if (managed === undefined || value === null || typeof value === 'string') return value;
  const keep = new Set(managed.map((m) => m.toLowerCase()));
  return (typeof value === 'string' ? [value] : value).filter((v) => keep.has(v.toLowerCase()));
}

function sameValue(a: ClaimValue | null, b: ClaimValue | null, ignoreCase: boolean): boolean {
  const norm = (v: ClaimValue | null): string[] => {
    const list: readonly string[] = v === null ? [] : typeof v === 'string' ? [v] : v;
    return list.filter((x) => x !== '').map((x) => (ignoreCase ? x.toLowerCase() : x)).sort();
  };
  const x = norm(a);
  const y = norm(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
