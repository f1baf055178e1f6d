import { outboundQueueName, PRIVACY_QUEUE, ROUTING_QUEUE } from '../jobs/jobs.js';

/**
 * Channels of this build. Each has its own outbound queue (and rate limit), shown in Bull Board;
 * phone and desk (src/channels/counter/) have nothing to send on, their queues only fail replies.
 */
export const CHANNEL_NAMES = ['webchat', 'app', 'whatsapp', 'whatsapp-web', 'telegram', 'email', 'phone', 'desk', 'portal'] as const;

export const ALL_QUEUES: string[] = [ROUTING_QUEUE, PRIVACY_QUEUE, ...CHANNEL_NAMES.map(outboundQueueName)];
