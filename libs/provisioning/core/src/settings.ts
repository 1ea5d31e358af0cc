/** Tunables of outbound delivery (deployment.toml `[provisioning]`). */
export interface ProvisioningSettings {
  /** Delivery attempts before a job is dead-lettered as failed. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How long a worker owns a job; a crashed worker's jobs are picked up again after it. */
  leaseMs: number;
  pollIntervalMs: number;
  /** Upper bound of one remote call. */
  requestTimeoutMs: number;
  /** Jobs delivered at once by this instance (different users or connectors; one user's jobs stay in order). */
  concurrency: number;
  /**
   * Jobs delivered at once by this instance to one target (IdP + connector type), at most
   * `concurrency`: a target that hangs or crawls holds at most this many slots, the others stay free
   * for every other target.
   */
  targetConcurrency: number;
  /**
   * Most jobs of one target delivered in one call when its connector has a batch operation
   * (Salesforce sObject Collections: up to 200); 1 turns batching off.
   */
  batchSize: number;
  /**
   * The deprovisioning guard: once a target was sent this many deprovisions within
   * `deprovisionWindowMs`, further deprovisions to it are held for an administrator (0 = off).
   */
  deprovisionThreshold: number;
  deprovisionWindowMs: number;
  /** Every this often an applied reconciliation run of each target that can list accounts (0 = never). */
  reconcileIntervalMs: number;
  /**
   * Applied runs started by configuration: a target added or enabled, its IdP's mappings, defaults,
   * provisioning roles or role mappings changed. Off, only manual and scheduled runs happen.
   */
  automaticRuns: boolean;
  /** How long a blocking SCIM request waits for its outbound result. */
  blockingTimeoutMs: number;
  /** With blocking targets: a failed outbound create fails the request and removes the local user. */
  failOnBlockingFailure: boolean;
  /** How long a connector is left alone after the remote system reports a rate limit (at least). */
  throttlePauseMs: number;
  /** Start the delivery worker (false keeps jobs queued, e.g. for maintenance). */
  workerEnabled: boolean;
  /**
   * Users that are never provisioned out, by streaming jobs, runs or impact previews: the server's
   * own super admin (`[super_admin] username` in the super tenant), which is no directory user.
   */
  localOnlyUsers: ReadonlyArray<{ tenant: string; username: string }>;
}

/** Whether a user stays local (see {@link ProvisioningSettings.localOnlyUsers}); names compare case-insensitively. */
export function isLocalOnly(settings: Pick<ProvisioningSettings, 'localOnlyUsers'>, tenant: string, username: string): boolean {
  const name = username.toLowerCase();
  return settings.localOnlyUsers.some((user) => user.tenant === tenant && user.username.toLowerCase() === name);
}

export const DEFAULT_PROVISIONING_SETTINGS: ProvisioningSettings = {
  maxAttempts: 10,
  initialBackoffMs: 1_000,
  maxBackoffMs: 5 * 60_000,
  leaseMs: 60_000,
  pollIntervalMs: 1_000,
  requestTimeoutMs: 30_000,
  // Deliveries wait on remote systems (I/O, not CPU): 16 slots, of which one target may hold 4.
  concurrency: 16,
  targetConcurrency: 4,
  batchSize: 200,
  deprovisionThreshold: 50,
  deprovisionWindowMs: 60 * 60_000,
  reconcileIntervalMs: 0,
  automaticRuns: true,
  blockingTimeoutMs: 60_000,
  failOnBlockingFailure: false,
  throttlePauseMs: 60_000,
  workerEnabled: true,
  localOnlyUsers: [],
};
