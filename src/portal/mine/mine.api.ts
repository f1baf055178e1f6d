import type { PublicMessage, PublicState, ReplyResponse } from '../reports/reports.api.js';

/** One of the citizen's cases, in any comune, from any linked channel (GET /api/portal/v1/me/cases). */
export interface MyCase {
  reference: string;
  comune: { name: string; slug: string };
  type: string;
  category: string | null;
  state: PublicState;
  /** The channel the case came from: whatsapp, telegram, email, portal, … */
  channel: string;
  createdAt: string;
  /** The first assignment to an operator. */
  takenInChargeAt: string | null;
  /** The resolution due date of the comune's SLA policy, when one applies. */
  expectedBy: string | null;
  resolvedAt: string | null;
  lastMessageAt: string | null;
}

export interface MyCasesResponse {
  cases: MyCase[];
}

/** GET /api/portal/v1/me/cases/:reference: the case and its conversation (no internal notes). */
export interface MyCaseDetail extends MyCase {
  address: string | null;
  messages: PublicMessage[];
  /** Whether the citizen may still write on it (an open case). */
  canReply: boolean;
}

/** POST /api/portal/v1/me/cases/:reference/messages */
export interface MyReplyRequest {
  text: string;
  clientMessageId?: string;
}
export type MyReplyResponse = ReplyResponse;
