import { z } from 'zod';
import type { IdpClaimConfig } from '@provisioning/claims';

/** A property as WSO2's API carries it. */
export interface PropertyEntry {
  key: string;
  value: string;
}

/** One outbound connector configuration of an IdP, as stored (confidential values decrypted). */
export interface ConnectorConfiguration {
  connectorType: string;
  connectorId: string;
  isEnabled: boolean;
  isDefault: boolean;
  blockingEnabled: boolean;
  rulesEnabled: boolean;
  /** Every property, confidential ones included (decrypted): for connector instances only, never for responses. */
  properties: Record<string, string>;
  /** Keys stored encrypted: never shown, whatever the connector's manifest says (or if it is gone). */
  confidentialKeys: string[];
  /** Changes whenever the configuration changes; connector instances are cached by it. */
  revision: number;
}

/**
 * A role mapping: members of `localRole` get `idpRole`. Without `field` the IdP role joins the role
 * claim (every IdP field mapped from it receives it); with `field` it goes to that IdP field only, as
 * an entitlement list the connector converges (e.g. Salesforce `PermissionSets`, `UserRole`, `ProfileId`).
 */
export interface RoleMapping {
  idpRole: string;
  localRole: string;
  field?: string;
}

export interface RoleConfig {
  mappings: RoleMapping[];
  outboundProvisioningRoles: string[];
}

/** An identity provider: a named remote system with its claim dialect and connectors. */
export interface IdentityProvider {
  id: string;
  tenant: string;
  name: string;
  description: string;
  isEnabled: boolean;
  image?: string;
  isPrimary: boolean;
  isFederationHub: boolean;
  homeRealmIdentifier: string;
  alias?: string;
  certificates: string[];
  claims: IdpClaimConfig;
  roles: RoleConfig;
  jit: { isEnabled: boolean };
  defaultConnectorType?: string;
  connectors: ConnectorConfiguration[];
  createdAt: number;
  updatedAt: number;
}

const propertySchema = z.object({ key: z.string().min(1), value: z.unknown().optional() }).transform((p) => ({
  key: p.key,
  value: p.value === undefined || p.value === null ? undefined : String(p.value),
}));

/** A connector block of an IdP request body. */
export const connectorInputSchema = z.object({
  connectorId: z.string().min(1),
  isEnabled: z.boolean().optional(),
  isDefault: z.boolean().optional(),
  blockingEnabled: z.boolean().optional(),
  rulesEnabled: z.boolean().optional(),
  properties: z.array(propertySchema).optional(),
});
export type ConnectorInput = z.infer<typeof connectorInputSchema>;

/** The request body of POST/PUT identity-providers (WSO2 shape); unknown top-level keys are ignored like WSO2 does. */
export const identityProviderInputSchema = z.object({
  name: z
    .string({ message: 'name is required' })
    .trim()
    .min(1, { message: 'name must not be empty' })
    .max(254, { message: 'name must be at most 254 characters' }),
  description: z.string().optional(),
  image: z.string().optional(),
  isEnabled: z.boolean().optional(),
  isPrimary: z.boolean().optional(),
  isFederationHub: z.boolean().optional(),
  homeRealmIdentifier: z.string().optional(),
  alias: z.string().optional(),
  certificate: z
    .object({ certificates: z.array(z.string()).optional(), jwksUri: z.string().optional() })
    .optional(),
  claims: z.unknown().optional(),
  roles: z
    .object({
      mappings: z
        .array(
          z.object({
            idpRole: z.string().trim().min(1).max(255),
            localRole: z.string().trim().min(1).max(255),
            field: z.string().trim().min(1).max(255).optional(),
          }),
        )
        .max(1000)
        .optional(),
      outboundProvisioningRoles: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  provisioning: z
    .object({
      jit: z.object({ isEnabled: z.boolean().optional() }).passthrough().optional(),
      outboundConnectors: z
        .object({ defaultConnectorId: z.string().optional(), connectors: z.array(connectorInputSchema).optional() })
        .optional(),
    })
    .optional(),
});
export type IdentityProviderInput = z.infer<typeof identityProviderInputSchema>;
