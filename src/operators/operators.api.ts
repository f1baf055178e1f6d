import type { Presence, Role } from '../common/staff.api.js';

/** What the operators API answers (a type-only module: docs/architecture.md, "API types"). */

/** `GET /api/operators`: an operator of my comune(s), with presence and current load. */
export interface OperatorRow {
  id: number;
  comuneId: number;
  name: string;
  email: string;
  role: Role;
  capacity: number;
  presence: Presence;
  presenceChangedAt: string | null;
  groupIds: number[];
  /** Tickets assigned or offered to the operator now. */
  load: number;
}

/** `GET /api/groups`: a competence group of my comune(s), with its queue. */
export interface GroupRow {
  id: number;
  comuneId: number;
  code: string;
  name: string;
  nameEn: string;
  isDefault: boolean;
  /** Tickets waiting in the group's queue. */
  queued: number;
  oldestWaitingSince: string | null;
}
