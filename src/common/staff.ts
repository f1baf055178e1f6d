/** Staff roles and presence states: kernel vocabulary (auth, scopes and the real-time gateway use them), stored by operators. */
export const ROLES = ['operator', 'supervisor', 'manager', 'metro_admin'] as const;
export type Role = (typeof ROLES)[number];
export const PRESENCES = ['online', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];
