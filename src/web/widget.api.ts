/**
 * What the web-chat widget's REST routes answer (a type-only module: docs/architecture.md, "API
 * types"); its socket contract is in src/realtime/events.api.ts.
 */
export type { CitizenMessageView, WebchatAck, WebchatClientEvents, WebchatServerEvents } from '../realtime/events.api.js';

/** `GET /api/webchat/:slug/availability`: open now and somebody online means live chat; otherwise leave a message. */
export interface WebchatAvailability {
  comune: { slug: string; name: string };
  open: boolean;
  operatorsOnline: number;
  live: boolean;
  /** Opening slots by weekday (`mon` … `sun`), each `[from, to]` as HH:MM. */
  openingHours: Record<string, Array<[string, string]>>;
  timezone: string;
}
