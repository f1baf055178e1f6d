import type { JobsOptions } from 'bullmq';
import { TenantScope } from '../common/tenant-scope.js';

/**
 * Every background job of Sportello: its name, its payload (ids only, plus the tenant it acts
 * for), the queue it runs on and its options. One place, so a job without a handler, or a payload
 * of the wrong shape, does not compile or does not start.
 */
export interface JobPayloads {
  /** Choose group and offer a freshly stored ticket. */
  'ticket.route': { ticketId: string; comuneId: number; correlationId?: string };
  /** Offer queued tickets of a comune to operators with free capacity. */
  'comune.dispatch': { comuneId: number; correlationId?: string };
  /** An offer that nobody accepted in time goes to the next operator. */
  'offer.expire': { ticketId: string; comuneId: number; offerSeq: number; correlationId?: string };
  /** Safety net: expire overdue offers and dispatch queues with waiting tickets. */
  'maintenance.sweep': Record<string, never>;
  /** Send an operator's reply to the citizen through the ticket's channel. */
  'message.deliver': { messageId: string; comuneId: number; channel: string; correlationId?: string };
  /** Carry out a citizen's erasure request (src/portal/privacy): spans the comuni of the citizen's cases. */
  'privacy.erase': { requestId: string; correlationId?: string };
  /** Anonymise the closed cases past their comune's retention period, and those whose citizen asked for erasure. */
  'privacy.retention': Record<string, never>;
}
export type JobName = keyof JobPayloads;

export const ROUTING_QUEUE = 'routing';
/** Data-subject rights: erasure requests and the retention sweep. */
export const PRIVACY_QUEUE = 'privacy';
/** Each channel sends through its own queue so that its provider's rate limit applies to it alone. */
export const outboundQueueName = (channel: string): string => `outbound-${channel}`;

export const JOB_QUEUES: { [N in JobName]: (p: JobPayloads[N]) => string } = {
  'ticket.route': () => ROUTING_QUEUE,
  'comune.dispatch': () => ROUTING_QUEUE,
  'offer.expire': () => ROUTING_QUEUE,
  'maintenance.sweep': () => ROUTING_QUEUE,
  'message.deliver': (p) => outboundQueueName(p.channel),
  'privacy.erase': () => PRIVACY_QUEUE,
  'privacy.retention': () => PRIVACY_QUEUE,
};

/**
 * Deterministic job ids make enqueueing idempotent: the outbox may publish an entry twice
 * (a crash between publish and mark), and BullMQ keeps one job per id.
 * Jobs without an id here are triggers that are safe to run any number of times.
 */
export const JOB_IDS: { [N in JobName]: (p: JobPayloads[N]) => string | undefined } = {
  'ticket.route': (p) => `route-${p.ticketId}`,
  'comune.dispatch': () => undefined,
  'offer.expire': (p) => `offer-${p.ticketId}-${p.offerSeq}`,
  'maintenance.sweep': () => 'sweep',
  'message.deliver': (p) => `deliver-${p.messageId}`,
  'privacy.erase': (p) => `erase-${p.requestId}`,
  'privacy.retention': () => undefined,
};

/**
 * The tenant scope each job runs in: the comune its payload names, or a named system scope for the
 * few jobs that span comuni. Every job declares one (the map does not compile otherwise).
 */
export const JOB_SCOPES: { [N in JobName]: (p: JobPayloads[N]) => TenantScope } = {
  'ticket.route': (p) => TenantScope.ofComune(p.comuneId),
  'comune.dispatch': (p) => TenantScope.ofComune(p.comuneId),
  'offer.expire': (p) => TenantScope.ofComune(p.comuneId),
  'maintenance.sweep': () => TenantScope.system('maintenance.sweep'),
  'message.deliver': (p) => TenantScope.ofComune(p.comuneId),
  'privacy.erase': () => TenantScope.system('privacy-erasure'),
  'privacy.retention': () => TenantScope.system('privacy-retention'),
};

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};
