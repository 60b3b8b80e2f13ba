import { type Role, atLeast } from '../shared/roles';

/** Read access: every member of the workspace with at least viewer. */
export const canView = (role: Role) => atLeast(role, 'viewer');
export const canRespond = (role: Role) => atLeast(role, 'responder');
export const isAdmin = (role: Role) => role === 'admin';
