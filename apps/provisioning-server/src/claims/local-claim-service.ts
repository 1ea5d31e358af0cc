import type { Kysely } from 'kysely';
import { claimIdOf, claimUriFromId, findLocalClaim, LOCAL_CLAIM_DIALECT, LOCAL_CLAIMS } from '@provisioning/claims';
import type { LocalClaim } from '@provisioning/claims';
import { zodToValidationError } from '@provisioning/core';
import { NotFoundError, ValidationError } from '@provisioning/errors';
import type { Database } from '@provisioning/persistence';
import { z } from 'zod';

/** WSO2's local claim representation. */
export interface LocalClaimView {
  id: string;
  claimURI: string;
  dialectURI: string;
  displayName: string;
  description: string;
  displayOrder: number;
  readOnly: boolean;
  required: boolean;
  supportedByDefault: boolean;
  regEx: string;
  attributeMapping: Array<{ mappedAttribute: string; userstore: string }>;
  properties: Array<{ key: string; value: string }>;
}

const updateSchema = z.object({
  claimURI: z.string().optional(),
  displayName: z.string().min(1).optional(),
  description: z.string().optional(),
  attributeMapping: z
    .array(z.object({ mappedAttribute: z.string().min(1, { message: 'mappedAttribute must not be empty' }), userstore: z.string().min(1) }))
    .min(1, { message: 'attributeMapping needs one entry for the PRIMARY user store' })
    .optional(),
}).passthrough();

/** Local claims: the built-in dialect plus per-tenant overrides (display name, mapped attribute). */
export class LocalClaimService {
  constructor(private readonly db: Kysely<Database>) {}

  async list(tenant: string): Promise<LocalClaimView[]> {
    const overrides = await this.db.selectFrom('local_claim_overrides').selectAll().where('tenant', '=', tenant).execute();
    const byUri = new Map(overrides.map((o) => [o.claim_uri, o] as const));
    return LOCAL_CLAIMS.map((claim, index) => view(claim, index, byUri.get(claim.claimURI)));
  }

  async get(tenant: string, claimId: string): Promise<LocalClaimView> {
    const uri = claimUriFromId(claimId);
    const found = (await this.list(tenant)).find((c) => c.claimURI === uri);
    if (!found) throw new NotFoundError(`Local claim ${uri} does not exist`, { code: 'CMT-50019' });
    return found;
  }

  async update(tenant: string, claimId: string, body: unknown): Promise<LocalClaimView> {
    const uri = claimUriFromId(claimId);
    if (!findLocalClaim(uri)) throw new NotFoundError(`Local claim ${uri} does not exist`, { code: 'CMT-50019' });
    const parsed = updateSchema.safeParse(body);
    if (!parsed.success) {
      throw zodToValidationError(parsed.error, 'claim', 'CMT-60001');
    }
    if (parsed.data.claimURI !== undefined && parsed.data.claimURI !== uri) {
      throw new ValidationError(`claimURI "${parsed.data.claimURI}" does not match the claim in the path (${uri})`, { code: 'CMT-60001' });
    }
    const primary = parsed.data.attributeMapping?.find((m) => m.userstore.toUpperCase() === 'PRIMARY') ?? parsed.data.attributeMapping?.[0];
    const values = {
      tenant,
      claim_uri: uri,
      display_name: parsed.data.displayName ?? null,
      description: parsed.data.description ?? null,
      mapped_attribute: primary?.mappedAttribute ?? null,
      user_store: primary?.userstore ?? null,
      updated_at: Date.now(),
    };
    await this.db
      .insertInto('local_claim_overrides')
      .values(values)
      .onConflict((oc) => oc.columns(['tenant', 'claim_uri']).doUpdateSet(values))
      .execute();
    return this.get(tenant, claimId);
  }
}

function view(
  claim: LocalClaim,
  index: number,
  override: { display_name: string | null; description: string | null; mapped_attribute: string | null; user_store: string | null } | undefined,
): LocalClaimView {
  return {
    id: claimIdOf(claim.claimURI),
    claimURI: claim.claimURI,
    dialectURI: LOCAL_CLAIM_DIALECT,
    displayName: override?.display_name ?? claim.displayName,
    description: override?.description ?? claim.description,
    displayOrder: index,
    readOnly: claim.readOnly,
    required: false,
    supportedByDefault: claim.supportedByDefault,
    regEx: '',
    attributeMapping: [{ mappedAttribute: override?.mapped_attribute ?? claim.mappedAttribute, userstore: override?.user_store ?? 'PRIMARY' }],
    properties: [],
  };
}
