import type { Presence, Role } from './staff.api.js';

/** Staff roles and presence states: kernel vocabulary (auth, scopes and the real-time gateway use them), stored by operators. */
export type { Presence, Role } from './staff.api.js';

export const ROLES = ['operator', 'supervisor', 'manager', 'metro_admin', 'moderator'] as const satisfies readonly Role[];
export const PRESENCES = ['online', 'away', 'offline'] as const satisfies readonly Presence[];

/** Each list names every value of its type (`satisfies` above checks the other way): a missing one does not compile. */
type Listed<All, Values> = [Exclude<All, Values>] extends [never] ? true : false;
const _rolesListed: Listed<Role, (typeof ROLES)[number]> = true;
const _presencesListed: Listed<Presence, (typeof PRESENCES)[number]> = true;
