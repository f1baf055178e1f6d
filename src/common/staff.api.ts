/**
 * Staff vocabulary as the API shows it (a type-only module: see docs/architecture.md, "API types").
 * The value lists (ROLES, PRESENCES) are in ./staff.ts.
 */
export type Role = 'operator' | 'supervisor' | 'manager' | 'metro_admin' | 'moderator';
export type Presence = 'online' | 'away' | 'offline';

/** The authenticated operator: the access token's claims, `GET /api/me`, the login's `operator`. */
export interface Principal {
  operatorId: number;
  comuneId: number | null;
  role: Role;
  groupIds: number[];
  name: string;
}
