/**
 * Group operations. Kept apart from the user operations (and optional on the connector) so that adding
 * them changed nothing for connectors and engine code written before groups existed.
 */
export type GroupOperationKind = 'create' | 'update' | 'delete';

/**
 * A member of a group, as the engine knows it. Only members already provisioned to this connector have
 * a `remoteId`; a connector cannot reference the others remotely and reports them as skipped.
 */
export interface GroupMember {
  /** Local user id. */
  localId: string;
  /** Local username (without tenant suffix), for messages. */
  username: string;
  /** The member's provisioned remote id for this connector configuration, when there is one. */
  remoteId?: string;
}

/**
 * One provisioning operation for one group (WSO2's GROUP entity): the group's current name and
 * members, plus the membership delta for updates so a connector can send a minimal change.
 */
export interface GroupProvisioningOperation {
  kind: GroupOperationKind;
  entityType: 'GROUP';
  /** Local group id (stable across renames). */
  localId: string;
  /** The group's current name (after a rename, the new one). */
  displayName: string;
  tenantDomain: string;
  /** Every member as of this change (lets a connector rebuild the group when it cannot patch). */
  members: GroupMember[];
  /** For `update`: members added by this change. Empty otherwise. */
  addedMembers: GroupMember[];
  /** For `update`: members removed by this change. Empty otherwise. */
  removedMembers: GroupMember[];
  /**
   * The engine lost track of an earlier change of this group (a failed, discarded or unanswered job):
   * set the remote membership to exactly `members` instead of applying the deltas.
   */
  replaceMembers?: boolean;
  /** Remote id stored for this group and connector, if any. */
  remoteId?: string;
}

/** What happened remotely to a group; `remoteId` follows the same rule as for users (never invented). */
export interface GroupProvisioningResult {
  outcome: 'created' | 'updated' | 'deleted' | 'linked' | 'unchanged';
  remoteId?: string;
  remoteName?: string;
  /** Human-readable note for the log (e.g. members left out because they are not provisioned yet). */
  note?: string;
}
