import type { ClaimValue, ProvisioningOperation, ProvisioningResult, RemoteCallRecord } from './operations';

/**
 * One account as the target lists it, in the connector's remote attribute names (the names the
 * IdP's claim mappings use), so the engine can compare it field by field with what it would send.
 */
export interface RemoteAccount {
  /** The remote system's id. */
  remoteId: string;
  /** The account's unique name (Salesforce `Username`, SCIM `userName`): the default match key. */
  remoteName: string;
  /** Whether the account is active (not deactivated, frozen or otherwise deprovisioned). */
  active: boolean;
  /**
   * What reconciliation matches an unlinked account by, when the connector is configured to match
   * by something else than the remote name (Salesforce: federation id or email); absent: the name.
   */
  matchKey?: string | null;
  /**
   * The values of the fields the listing asked for; `null` when empty on the target. Multi-valued
   * attributes are arrays.
   */
  attributes: Record<string, ClaimValue | null>;
}

/** What an operation would leave on the target (see `OutboundConnector.describeAccount`). */
export interface DescribedAccount {
  remoteName: string;
  attributes: Record<string, ClaimValue | null>;
  /** The value an unlinked account must have to match (see `RemoteAccount.matchKey`); absent: the name. */
  matchKey?: string | null;
}

/** What `listAccounts` is asked for. */
export interface ListAccountsRequest {
  /** Remote attribute names whose values each account must carry (the mapped fields). */
  fields: readonly string[];
  /** Continues a listing from the cursor an earlier page returned; absent for the first page. */
  cursor?: string;
  /** A hint; the connector may return fewer or more (Salesforce: 200 to 2000 per page). */
  pageSize?: number;
}

/** One page of a listing. */
export interface AccountPage {
  accounts: RemoteAccount[];
  /** Opaque; present while more pages follow. */
  cursor?: string;
}

/**
 * The outcome of one operation of a batch, in the batch's order: its result, or the error it failed
 * with (the same taxonomy as `provision` throws), so one bad record fails only its own job.
 */
export type BatchOutcome = { ok: true; result: ProvisioningResult } | { ok: false; error: unknown };

/** Per-batch options: like `CallOptions`, with the ownership check asked per operation. */
export interface BatchCallOptions {
  /**
   * Collects the remote calls made for the operation at `index`, for its job's log: a call shared by
   * the batch is recorded once per operation, with that operation's part of the body and its
   * per-record status.
   */
  record?: (index: number, call: RemoteCallRecord) => void;
  signal?: AbortSignal;
  /**
   * The ownership check of `CallOptions.assertLinkable`, for the operation at `index`: call it
   * before creating (with the name) and before writing to an account found by lookup. A refusal fails
   * that operation only.
   */
  assertLinkable?: (index: number, remote: { remoteId?: string; remoteName?: string }) => Promise<void>;
}

/** Batch limits a connector declares (`capabilities.batch`). */
export interface BatchCapability {
  /** The most operations one `provisionBatch` call takes (Salesforce sObject Collections: 200). */
  maxOperations: number;
}

/** Splits a list into chunks of at most `size` (batch callers and connectors alike). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** Convenience for connectors: runs a batch one operation at a time (what a target without batches gets). */
export async function provisionOneByOne(
  operations: readonly ProvisioningOperation[],
  provision: (operation: ProvisioningOperation, index: number) => Promise<ProvisioningResult>,
): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  for (const [index, operation] of operations.entries()) {
    try {
      outcomes.push({ ok: true, result: await provision(operation, index) });
    } catch (error) {
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}
