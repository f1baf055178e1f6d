import type { Principal } from '../common/staff.api.js';

/** What the auth API answers (a type-only module: docs/architecture.md, "API types"). */
export type { Principal } from '../common/staff.api.js';

/** `POST /api/auth/login`: the access token (also set as the session cookie) and who it is for. */
export interface LoginResponse {
  accessToken: string;
  operator: Principal;
}
