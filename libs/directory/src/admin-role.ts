/** The internal role that grants the admin API and SCIM (held by the super admin and tenant owners). */
export const ADMIN_ROLE = 'admin';
