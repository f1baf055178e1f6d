import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { APP_CONFIG, runsWorkers, type AppConfig } from '../config/config.js';
import { JOB_QUEUES } from './jobs.js';
import { TypedWorker } from './typed-worker.js';

/** The queues the application registers (every queue a declared job can go to). */
export const REGISTERED_QUEUES = Symbol('REGISTERED_QUEUES');

/** What one worker of this process consumes. */
export interface WorkerHandlers {
  worker: string;
  queue: string;
  jobs: readonly string[];
}

/**
 * Jobs are declared once (src/jobs/jobs.ts) and handled by typed workers. This says what does not
 * match: a declared job no worker handles, a handler of a job that is not declared, a registered
 * queue that no worker consumes, a worker on a queue that is not registered.
 */
export function jobHandlerProblems(declared: readonly string[], queues: readonly string[], workers: readonly WorkerHandlers[]): string[] {
  const problems: string[] = [];
  const handled = new Set(workers.flatMap((w) => w.jobs));
  for (const job of declared) if (!handled.has(job)) problems.push(`job "${job}" is declared in src/jobs/jobs.ts but no worker handles it`);
  for (const w of workers)
    for (const job of w.jobs)
      if (!declared.includes(job))
        problems.push(`${w.worker} (queue ${w.queue}) handles job "${job}", which src/jobs/jobs.ts does not declare`);
  const consumed = new Set(workers.map((w) => w.queue));
  for (const q of queues) if (!consumed.has(q)) problems.push(`queue ${q} is registered but no worker consumes it`);
  for (const w of workers) if (!queues.includes(w.queue)) problems.push(`${w.worker} consumes queue ${w.queue}, which is not registered`);
  return problems;
}

/**
 * Refuses to start a process that runs workers when declared jobs and handlers do not match: called
 * by createApp once the providers exist and before any of them starts (no worker has connected yet).
 */
@Injectable()
export class JobHandlersCheck {
  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGISTERED_QUEUES) private readonly queues: readonly string[],
  ) {}

  /** The typed workers of this process, with their queue (from @Processor) and the jobs they handle. */
  workers(): WorkerHandlers[] {
    return this.discovery
      .getProviders()
      .filter((w) => w.instance instanceof TypedWorker)
      .map((w) => {
        const worker = w.instance as TypedWorker<never>;
        const meta = Reflect.getMetadata('bullmq:processor_metadata', worker.constructor) as { name?: string } | undefined;
        return { worker: worker.constructor.name, queue: meta?.name ?? '(no @Processor)', jobs: worker.handledJobs() };
      });
  }

  assert(): void {
    if (!runsWorkers(this.config)) return;
    const problems = jobHandlerProblems(Object.keys(JOB_QUEUES), this.queues, this.workers());
    if (problems.length) throw new Error(`jobs and their handlers do not match: ${problems.join('; ')}`);
  }
}
