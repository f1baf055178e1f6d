import { outboundQueueName, ROUTING_QUEUE } from '../jobs/jobs.js';

/** Channels this build can send on. Each has its own outbound queue (and rate limit). */
export const CHANNEL_NAMES = ['webchat', 'app', 'whatsapp', 'whatsapp-web', 'telegram', 'email'] as const;

export const ALL_QUEUES: string[] = [ROUTING_QUEUE, ...CHANNEL_NAMES.map(outboundQueueName)];
