/** Workspace roles, most powerful first. A member with no grant is a responder. */
export const ROLES = ['admin', 'sre_lead', 'responder', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { admin: 3, sre_lead: 2, responder: 1, viewer: 0 };

export const atLeast = (role: Role, min: Role): boolean => RANK[role] >= RANK[min];
export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);
/** How a role reads in a sentence: `sre_lead` → `sre lead`. */
export const roleLabel = (role: Role): string => role.replace('_', ' ');
