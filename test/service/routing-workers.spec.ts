import { Queue } from 'bullmq';
import { startApp, type TestApp } from '../support/harness.js';
import { ROUTING_QUEUE } from '../../src/jobs/jobs.js';

/**
 * Routing is imported by several modules (operators, tickets, the app): a process must still run
 * one routing worker (WORKER_CONCURRENCY jobs at a time) and one dispatcher, not one per import.
 * With one per import, four workers took 4 × 8 route jobs at once and their dispatches queued
 * behind each other on the comune's lock.
 */
describe('one routing worker per process', () => {
  for (const role of ['worker', 'all'] as const) {
    it(`role ${role}`, async () => {
      const t: TestApp = await startApp({ SPORTELLO_ROLE: role });
      const url = new URL(t.config.redisUrl);
      const queue = new Queue(ROUTING_QUEUE, {
        connection: { host: url.hostname, port: Number(url.port || 6379) },
        prefix: t.config.redisPrefix,
      });
      try {
        expect(await queue.getWorkersCount()).toBe(1);
      } finally {
        await queue.close();
        await t.close();
      }
    });
  }
});
