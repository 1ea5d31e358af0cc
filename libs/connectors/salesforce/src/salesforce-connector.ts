import { UpstreamRejectedError, UpstreamUnavailableError, ValidationError } from '@provisioning/errors';
import type {
  AccountPage,
  BatchCallOptions,
  BatchOutcome,
  CallOptions,
  DescribedAccount,
  ListAccountsRequest,
  ConnectionTestReport,
  ConnectorContext,
  ConnectorDefinition,
  OutboundConnector,
  ProvisioningOperation,
  ProvisioningResult,
  RemoteCallRecord,
  RemotePayloadPreview,
} from '@provisioning/connector-kit';
import { parseSalesforceConfig, salesforceManifest } from './salesforce-config';
import type { SalesforceConfig } from './salesforce-config';
import { SalesforceSession } from './salesforce-session';
import { describeUserAccount, listUserAccounts, provisionUserBatch } from './salesforce-accounts';
import type { BatchHost } from './salesforce-accounts';
import { SalesforceEntitlements } from './entitlements';
import { remoteUsername } from './remote-username';
import { PERMISSION_SETS_FIELD, ROLE_FIELD, prepareOperation } from './entitlement-fields';
import type { DesiredPermissionSets } from './entitlement-fields';
import { describeProblems, soqlString, toUserRecord } from './user-record';

interface SaveResult {
  id: string;
  success: boolean;
}
interface QueryResult<T> {
  totalSize: number;
  records: T[];
}
interface FoundUser {
  Id: string;
  Username: string;
  IsActive: boolean;
}

/**
 * Salesforce outbound connector. Create = POST User; update = PATCH of the changed fields; deprovision
 * = PATCH IsActive=false (Salesforce users cannot be deleted). A create whose username already exists
 * in this org links to that user (and reactivates it) instead of failing or duplicating.
 */
export class SalesforceConnector implements OutboundConnector {
  readonly #session: SalesforceSession;
  /** Permission sets and roles of the org, through this connector's session; names are cached per connector instance. */
  readonly entitlements: SalesforceEntitlements;

  constructor(
    private readonly config: SalesforceConfig,
    private readonly context: ConnectorContext,
  ) {
    this.#session = new SalesforceSession(config, context);
    this.entitlements = new SalesforceEntitlements(this.#session, config);
  }

  async provision(given: ProvisioningOperation, options: CallOptions = {}): Promise<ProvisioningResult> {
    // A role named by its DeveloperName is written as its id; permission sets are checked before any write.
    const { operation, permissionSets } = await prepareOperation(given, this.entitlements, options);
    let result: ProvisioningResult;
    switch (operation.kind) {
      case 'create':
        result = await this.create(operation, options);
        break;
      case 'update':
        result = await this.update(operation, options);
        break;
      case 'deprovision':
        return this.deprovision(operation, options);
    }
    if (permissionSets && result.remoteId) await this.convergeOne(result.remoteId, permissionSets, options);
    return result;
  }

  /** Brings one user's permission set assignments to what the operation asks; a failure fails the operation (its retry links and converges again). */
  private async convergeOne(userId: string, sets: DesiredPermissionSets, options: CallOptions): Promise<void> {
    const [outcome] = await this.entitlements.converge(
      { users: [{ userId, permissionSets: sets.names }], managed: sets.managed },
      { ...(options.signal ? { signal: options.signal } : {}), ...(options.record ? { record: (_user, call) => options.record!(call) } : {}) },
    );
    if (outcome && !outcome.ok) throw outcome.error;
  }

  async preview(operation: ProvisioningOperation): Promise<RemotePayloadPreview> {
    const base = this.#session.apiBase;
    if (operation.kind === 'deprovision') {
      return { method: 'PATCH', path: `${base}/sobjects/User/${operation.remoteId ?? '{id}'}`, body: { IsActive: false }, warnings: [] };
    }
    const attributes = operation.kind === 'create' ? operation.allAttributes : operation.attributes;
    const warnings = describeProblems(attributes, operation.kind === 'create');
    const username = attributes.find((a) => a.name === 'Username');
    if (username?.source === 'default' && !this.config.usernamePattern) {
      warnings.push(
        `Username comes from the provisioning default "${username.value}", which every user shares: every user would map to the same Salesforce account ` +
          '(the second create fails with DUPLICATE_USERNAME). Map Username to a claim every user has (e.g. the email address) or set sf-prov-pattern.',
      );
    }
    let body: Record<string, unknown> = toUserRecord(attributes.filter((a) => a.name !== PERMISSION_SETS_FIELD));
    try {
      const { operation: resolved, permissionSets } = await prepareOperation(operation, this.entitlements, {});
      body = this.record(resolved, operation.kind === 'create' ? resolved.allAttributes : resolved.attributes);
      if (permissionSets) {
        warnings.push(
          `permission sets are assigned after the user is written (PermissionSetAssignment): ${permissionSets.names.join(', ') || 'none'}` +
            (permissionSets.managed.length > 0 ? `; assignments of ${permissionSets.managed.join(', ')} not listed are removed` : ''),
        );
      }
    } catch (error) {
      warnings.push((error as Error).message);
    }
    return {
      method: operation.kind === 'create' ? 'POST' : 'PATCH',
      path: operation.kind === 'create' ? `${base}/sobjects/User` : `${base}/sobjects/User/${operation.remoteId ?? '{id}'}`,
      body,
      warnings,
    };
  }

  async testConnection(options: CallOptions = {}): Promise<ConnectionTestReport> {
    const checks: ConnectionTestReport['checks'] = [];
    try {
      await this.#session.token(options);
      checks.push({ name: 'authentication', ok: true, detail: `obtained a token with the ${this.config.grant} grant` });
    } catch (error) {
      checks.push({ name: 'authentication', ok: false, detail: (error as Error).message });
      return { ok: false, checks };
    }
    try {
      const describe = await this.#session.call<{ createable?: boolean; updateable?: boolean }>({ method: 'GET', path: '/sobjects/User/describe' }, options);
      const ok = describe.createable !== false && describe.updateable !== false;
      checks.push({ name: 'api-version', ok: true, detail: `API v${this.config.apiVersion} answers` });
      checks.push({ name: 'user-permissions', ok, detail: ok ? 'the API user can create and update users' : 'the API user cannot create or update users (needs "Manage Users")' });
    } catch (error) {
      checks.push({ name: 'api-version', ok: false, detail: (error as Error).message });
    }
    try {
      const limits = await this.#session.call<{ DailyApiRequests?: { Max: number; Remaining: number } }>({ method: 'GET', path: '/limits' }, options);
      const daily = limits.DailyApiRequests;
      if (daily) checks.push({ name: 'api-usage', ok: daily.Remaining > 0, detail: `${daily.Max - daily.Remaining} of ${daily.Max} daily API requests used` });
    } catch (error) {
      checks.push({ name: 'api-usage', ok: false, detail: (error as Error).message });
    }
    return { ok: checks.every((c) => c.ok), checks, ...(this.#session.apiUsage ? { apiUsage: this.#session.apiUsage } : {}) };
  }

  describeAccount(operation: ProvisioningOperation): DescribedAccount {
    const attributes = operation.allAttributes.filter((a) => a.name !== PERMISSION_SETS_FIELD);
    const described = describeUserAccount(this.record({ ...operation, kind: 'create' }, attributes), this.config.matchField);
    const role = described.attributes[ROLE_FIELD];
    if (typeof role === 'string') described.attributes[ROLE_FIELD] = role === '' ? null : this.entitlements.canonical('role', role);
    const sets = operation.allAttributes.find((a) => a.name === PERMISSION_SETS_FIELD);
    if (sets) described.attributes[PERMISSION_SETS_FIELD] = (typeof sets.value === 'string' ? [sets.value] : sets.value).map((n) => this.entitlements.canonical('permission set', n));
    return described;
  }

  /**
   * Lists users; a requested `UserRole` is read as `UserRoleId` and answered with the role's
   * DeveloperName, requested `PermissionSets` as the API names of the user's assignments (of sets no
   * profile owns; one more query per 200 users listed).
   */
  async listAccounts(request: ListAccountsRequest, options: CallOptions = {}): Promise<AccountPage> {
    const wantsRole = request.fields.includes(ROLE_FIELD);
    const wantsSets = request.fields.includes(PERMISSION_SETS_FIELD);
    if (!wantsRole && !wantsSets) return listUserAccounts(this.#batchHost, request, options);
    const ownId = request.fields.includes('UserRoleId');
    const fields = [...new Set(request.fields.filter((f) => f !== PERMISSION_SETS_FIELD).map((f) => (f === ROLE_FIELD ? 'UserRoleId' : f)))];
    const page = await listUserAccounts(this.#batchHost, { ...request, fields }, options);
    const assignments = wantsSets ? await this.entitlements.readAssignments(page.accounts.map((a) => a.remoteId), options) : undefined;
    const accounts = [];
    for (const account of page.accounts) {
      const { UserRoleId: roleId, ...rest } = account.attributes;
      const attributes = wantsRole && !ownId ? rest : { ...account.attributes };
      if (wantsRole) attributes[ROLE_FIELD] = typeof roleId === 'string' ? ((await this.entitlements.roleName(roleId, options)) ?? roleId) : null;
      if (assignments) attributes[PERMISSION_SETS_FIELD] = (assignments.get(account.remoteId) ?? []).map((a) => a.permissionSetName).sort();
      accounts.push({ ...account, attributes });
    }
    return { ...page, accounts };
  }

  async provisionBatch(operations: readonly ProvisioningOperation[], options: BatchCallOptions = {}): Promise<BatchOutcome[]> {
    // Roles and permission set names resolved first; an operation naming one the org lacks fails alone.
    const signal = options.signal ? { signal: options.signal } : {};
    const outcomes: Array<BatchOutcome | undefined> = new Array(operations.length).fill(undefined);
    const ready: Array<{ index: number; operation: ProvisioningOperation; permissionSets?: DesiredPermissionSets }> = [];
    for (const [index, operation] of operations.entries()) {
      try {
        ready.push({ index, ...(await prepareOperation(operation, this.entitlements, signal)) });
      } catch (error) {
        outcomes[index] = { ok: false, error };
      }
    }
    const delivered = await provisionUserBatch(this.#batchHost, ready.map((r) => r.operation), {
      ...options,
      ...(options.record ? { record: (k: number, call: RemoteCallRecord) => options.record!(ready[k]!.index, call) } : {}),
      ...(options.assertLinkable ? { assertLinkable: (k: number, remote: { remoteId?: string; remoteName?: string }) => options.assertLinkable!(ready[k]!.index, remote) } : {}),
    });
    for (const [k, outcome] of delivered.entries()) outcomes[ready[k]!.index] = outcome;
    await this.convergeBatch(ready, outcomes, options);
    return outcomes.map((o) => o!);
  }

  /**
   * Permission sets of the users a batch wrote, converged together (their assignments read in one
   * query per 200 users, written through Collections); a user whose convergence fails fails its
   * operation alone.
   */
  private async convergeBatch(
    ready: ReadonlyArray<{ index: number; operation: ProvisioningOperation; permissionSets?: DesiredPermissionSets }>,
    outcomes: Array<BatchOutcome | undefined>,
    options: BatchCallOptions,
  ): Promise<void> {
    // One convergence per managed set (every operation of one IdP has the same one).
    const groups = new Map<string, Array<{ index: number; userId: string; sets: DesiredPermissionSets }>>();
    for (const r of ready) {
      const outcome = outcomes[r.index];
      if (!r.permissionSets || !outcome?.ok || !outcome.result.remoteId || r.operation.kind === 'deprovision') continue;
      const key = JSON.stringify(r.permissionSets.managed);
      groups.set(key, [...(groups.get(key) ?? []), { index: r.index, userId: outcome.result.remoteId, sets: r.permissionSets }]);
    }
    for (const members of groups.values()) {
      const byUser = new Map(members.map((m) => [m.userId, m] as const));
      const unique = [...byUser.values()];
      let results;
      try {
        results = await this.entitlements.converge(
          { users: unique.map((m) => ({ userId: m.userId, permissionSets: m.sets.names })), managed: unique[0]!.sets.managed },
          { ...(options.signal ? { signal: options.signal } : {}), ...(options.record ? { record: (userId, call) => options.record!(byUser.get(userId)!.index, call) } : {}) },
        );
      } catch (error) {
        for (const m of unique) outcomes[m.index] = { ok: false, error };
        continue;
      }
      for (const [k, result] of results.entries()) if (!result.ok) outcomes[unique[k]!.index] = { ok: false, error: result.error };
    }
  }

  /** What list and batch delivery use of this connector. */
  get #batchHost(): BatchHost {
    return {
      session: this.#session,
      config: this.config,
      record: (operation, attributes) => this.record(operation, attributes),
      single: (operation, options) => this.provision(operation, options),
      link: (username, record, options) => this.link(username, record, options),
    };
  }

  async close(): Promise<void> {}

  /**
   * The Salesforce record for attributes: booleans typed, and Username (when present, or always for a
   * create) built with the username pattern and provisioning domain.
   */
  private record(operation: ProvisioningOperation, attributes: ProvisioningOperation['attributes']): Record<string, unknown> {
    const record = toUserRecord(attributes.filter((a) => a.name !== PERMISSION_SETS_FIELD && !(a.name === 'ProfileId' && Array.isArray(a.value) && a.value.length === 0)));
    // An entitlement list that became empty clears the role (a reference field takes null).
    if (record.UserRoleId === '') {
      if (operation.kind === 'create') delete record.UserRoleId;
      else record.UserRoleId = null;
    }
    if (operation.kind === 'create' || 'Username' in record) {
      const mapped = typeof record.Username === 'string' ? record.Username : undefined;
      const ruled = this.config.usernamePattern || this.config.provisioningDomain;
      if (!mapped && !ruled) {
        throw new ValidationError('no Username to send to Salesforce: map the Username field to a claim, give it a provisioning default, or set sf-prov-pattern');
      }
      record.Username = remoteUsername(
        mapped,
        { username: operation.username, userStoreDomain: 'PRIMARY', tenantDomain: operation.tenantDomain, idpName: this.context.idpName },
        { pattern: this.config.usernamePattern, separator: this.config.usernameSeparator, domain: this.config.provisioningDomain },
      );
    }
    return record;
  }

  private async create(operation: ProvisioningOperation, options: CallOptions): Promise<ProvisioningResult> {
    const record = this.record(operation, operation.allAttributes);
    const username = record.Username as string;
    await options.assertLinkable?.({ remoteName: username });
    try {
      const saved = await this.#session.call<SaveResult | undefined>({ method: 'POST', path: '/sobjects/User', body: record }, options);
      if (!saved?.id) {
        throw new UpstreamUnavailableError('Salesforce answered the create without a user id; the outcome is unknown', { outcomeUnknown: true });
      }
      return { outcome: 'created', remoteId: saved.id, remoteName: username };
    } catch (error) {
      if ((error as UpstreamRejectedError).remoteCode !== 'DUPLICATE_USERNAME') throw error;
      return this.link(username, record, options);
    }
  }

  /**
   * The username exists: if in this org, adopt that user (once the engine confirmed it is not another
   * local user's account: nothing is written to it before); if in another org, explain how to fix it.
   */
  private async link(username: string, record: Record<string, unknown>, options: CallOptions): Promise<ProvisioningResult> {
    const existing = await this.findByUsername(username, options);
    if (existing) await options.assertLinkable?.({ remoteId: existing.Id, remoteName: existing.Username });
    if (!existing) {
      throw new UpstreamRejectedError(
        `The Salesforce username "${username}" is already taken in another Salesforce org (usernames are unique across all orgs). ` +
          'Give provisioned users org-specific usernames with the connector properties sf-prov-pattern (e.g. {UN}) and sf-prov-domainName (e.g. yourorg.example.com).',
        { status: 400, remoteCode: 'DUPLICATE_USERNAME', remoteMessage: 'Duplicate Username' },
      );
    }
    const { Username: _ignored, ...fields } = record;
    await this.#session.call({ method: 'PATCH', path: `/sobjects/User/${existing.Id}`, body: { ...fields, IsActive: true } }, options);
    if (this.config.deprovisioningMode === 'freeze') await this.setFrozen(existing.Id, false, options);
    return { outcome: 'linked', remoteId: existing.Id, remoteName: existing.Username, note: 'linked to the existing Salesforce user with this username' };
  }

  private async update(operation: ProvisioningOperation, options: CallOptions): Promise<ProvisioningResult> {
    if (!operation.remoteId) throw new ValidationError('update without a remote id');
    const record = this.record(operation, operation.attributes);
    const reactivate = operation.reactivate === true;
    if (reactivate && this.config.deprovisioningMode !== 'freeze') record.IsActive = true;
    // Nothing to write to the User itself when only permission sets changed.
    if (Object.keys(record).length > 0) await this.#session.call({ method: 'PATCH', path: `/sobjects/User/${operation.remoteId}`, body: record }, options);
    if (reactivate && this.config.deprovisioningMode === 'freeze') await this.setFrozen(operation.remoteId, false, options);
    return { outcome: 'updated', remoteId: operation.remoteId };
  }

  private async deprovision(operation: ProvisioningOperation, options: CallOptions): Promise<ProvisioningResult> {
    let remoteId = operation.remoteId;
    if (!remoteId) {
      let username: string | undefined;
      try {
        username = this.record({ ...operation, kind: 'create' }, operation.allAttributes).Username as string;
      } catch {
        username = undefined;
      }
      const found = username ? await this.findByUsername(username, options) : undefined;
      if (!found) return { outcome: 'unchanged', note: 'no Salesforce user to deprovision' };
      // Found by name, not by a stored id: it may be another local user's account.
      await options.assertLinkable?.({ remoteId: found.Id, remoteName: found.Username });
      remoteId = found.Id;
    }
    if (this.config.deprovisioningMode === 'freeze') {
      await this.setFrozen(remoteId, true, options);
      return { outcome: 'deprovisioned', remoteId, note: 'frozen (login blocked, licence kept)' };
    }
    await this.#session.call({ method: 'PATCH', path: `/sobjects/User/${remoteId}`, body: { IsActive: false } }, options);
    return { outcome: 'deprovisioned', remoteId };
  }

  /** Freezing lives on the user's UserLogin record. */
  private async setFrozen(userId: string, frozen: boolean, options: CallOptions): Promise<void> {
    const soql = `SELECT Id, IsFrozen FROM UserLogin WHERE UserId = ${soqlString(userId)} LIMIT 1`;
    const result = await this.#session.call<QueryResult<{ Id: string; IsFrozen: boolean }>>({ method: 'GET', path: `/query?q=${encodeURIComponent(soql)}` }, options);
    const login = result.records[0];
    if (!login) throw new UpstreamRejectedError(`Salesforce has no UserLogin for user ${userId}`, { status: 404, remoteCode: 'NOT_FOUND' });
    if (login.IsFrozen === frozen) return;
    await this.#session.call({ method: 'PATCH', path: `/sobjects/UserLogin/${login.Id}`, body: { IsFrozen: frozen } }, options);
  }

  private async findByUsername(username: string, options: CallOptions): Promise<FoundUser | undefined> {
    const soql = `SELECT Id, Username, IsActive FROM User WHERE Username = ${soqlString(username)} LIMIT 1`;
    const result = await this.#session.call<QueryResult<FoundUser>>({ method: 'GET', path: `/query?q=${encodeURIComponent(soql)}` }, options);
    return result.records[0];
  }
}

/** The Salesforce connector's declaration, listed once in the host's connector list. */
export const salesforceConnector: ConnectorDefinition<SalesforceConfig> = {
  manifest: salesforceManifest,
  parseConfig: parseSalesforceConfig,
  create: (config, context) => new SalesforceConnector(config, context),
};
