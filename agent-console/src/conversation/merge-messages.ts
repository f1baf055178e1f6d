/**
 * A conversation's messages reach the console by several ways that can arrive in any order: the
 * REST snapshot when it opens, `message.created` (sent by the API after its own commit, with the
 * state it had then) and `message.updated` (each delivery state the worker or the citizen stores).
 * A worker can send, and the citizen read, a reply before the API's `message.created` for it is
 * out; a snapshot can be older than an update already shown. So nothing replaces what is shown:
 * each view is merged in, and a message's delivery state only ever moves forward, as it does in
 * the database (src/channels/outbound-delivery.ts).
 */

/** Delivery states in the order they happen (inbound: received → read; outbound: queued → … → read). */
const FORWARD = ['received', 'queued', 'sent', 'delivered', 'read'];
/** States nothing moves out of. */
const FINAL = ['failed', 'not_sent'];

/** The later of two delivery states of one message. */
export function laterDeliveryState(a: string, b: string): string {
  if (FINAL.includes(a)) return a;
  if (FINAL.includes(b)) return b;
  return FORWARD.indexOf(b) > FORWARD.indexOf(a) ? b : a;
}

/** What merging needs of a message (the console's MessageView has it). Self-contained, so unit tests import it. */
export interface DeliveredMessage {
  id: string;
  deliveryStatus: string;
  deliveryError: string | null;
}

/** One message from two views of it: the newer content, the later delivery state. */
export function mergeMessage<M extends DeliveredMessage>(known: M | undefined, incoming: M): M {
  if (!known) return incoming;
  const state = laterDeliveryState(known.deliveryStatus, incoming.deliveryStatus);
  if (state === incoming.deliveryStatus) return incoming;
  return { ...incoming, deliveryStatus: known.deliveryStatus, deliveryError: known.deliveryError };
}

/** The thread with `incoming` merged in (new ones added, known ones merged), in the order of their ids. */
export function mergeMessages<M extends DeliveredMessage>(list: M[], incoming: M[]): M[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, mergeMessage(byId.get(m.id), m));
  return [...byId.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
}
