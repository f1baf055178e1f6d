import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { JobsOptions, Queue } from 'bullmq';
import { JOB_IDS, JOB_QUEUES, type JobName, type JobPayloads } from './jobs.js';

export interface JobRequest<N extends JobName = JobName> {
  name: N;
  payload: JobPayloads[N];
  options?: JobsOptions;
}

/**
 * Producer side of the job system. Queues are registered with BullModule once, by
 * src/infrastructure.module.ts; this service finds the right one from the job's name and payload
 * and gives the job its deterministic id.
 */
@Injectable()
export class JobsService {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly moduleRef: ModuleRef) {}

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      this.queues.set(name, q);
    }
    return q;
  }

  registeredQueues(): Queue[] {
    return [...this.queues.values()];
  }

  /** True when the producer connection to Redis is up: a publish now would not just wait. */
  async isReady(queueName: string): Promise<boolean> {
    try {
      const backend = this.queue(queueName).getBackend() as unknown as { client: Promise<{ status: string }> };
      const client = await backend.client;
      return client.status === 'ready';
    } catch {
      return false;
    }
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: JobsOptions = {}): Promise<void> {
    await this.enqueueMany([{ name, payload, options }]);
  }

  async enqueueMany(requests: JobRequest[]): Promise<void> {
    const byQueue = new Map<string, Parameters<Queue['addBulk']>[0]>();
    for (const r of requests) {
      const queueName = (JOB_QUEUES[r.name] as (p: unknown) => string)(r.payload);
      const jobId = (JOB_IDS[r.name] as (p: unknown) => string | undefined)(r.payload);
      const list = byQueue.get(queueName) ?? [];
      list.push({ name: r.name, data: r.payload, opts: { ...(jobId ? { jobId } : {}), ...r.options } });
      byQueue.set(queueName, list);
    }
    await Promise.all([...byQueue].map(([q, jobs]) => this.queue(q).addBulk(jobs)));
  }
}
