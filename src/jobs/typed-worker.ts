import { WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { withCorrelation } from '../common/correlation.js';
import type { Histogram } from 'prom-client';
import type { TenantScope } from '../common/tenant-scope.js';
import { runInScope } from '../tenancy/db-scope.js';
import { JOB_SCOPES, type JobName, type JobPayloads } from './jobs.js';

/**
 * What a worker needs of the metrics: the job-duration histogram (src/ops/metrics.ts's `Metrics` has
 * it; stated here so the kernel's jobs do not import ops, which imports jobs).
 */
export interface JobMetrics {
  readonly jobDuration: Pick<Histogram<'queue' | 'job' | 'outcome'>, 'startTimer'>;
}

export type JobHandlers<N extends JobName> = { [K in N]: (payload: JobPayloads[K], job: Job) => Promise<unknown> };

/**
 * A BullMQ worker whose handlers are a typed map from job name to function: a job name of the
 * queue without a handler does not compile. Each job runs inside its correlation id and is timed.
 */
export abstract class TypedWorker<N extends JobName> extends WorkerHost {
  protected abstract readonly handlers: JobHandlers<N>;
  protected abstract readonly metrics: JobMetrics;

  /** The job names this worker handles (checked against the declarations at boot). */
  handledJobs(): string[] {
    return Object.keys(this.handlers);
  }

  async process(job: Job): Promise<unknown> {
    const handler = (this.handlers as Record<string, ((p: unknown, j: Job) => Promise<unknown>) | undefined>)[job.name];
    if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}" on queue ${job.queueName}`);
    const data = job.data as { correlationId?: string };
    const scopeOf = (JOB_SCOPES as Record<string, ((p: unknown) => TenantScope) | undefined>)[job.name];
    if (!scopeOf) throw new UnrecoverableError(`job "${job.name}" declares no tenant scope`);
    let scope: TenantScope;
    try {
      scope = scopeOf(job.data);
    } catch (err) {
      throw new UnrecoverableError(`job "${job.name}" ${job.id}: ${(err as Error).message}`);
    }
    const stop = this.metrics.jobDuration.startTimer({ queue: job.queueName, job: job.name });
    return withCorrelation(data?.correlationId, () =>
      runInScope(scope, async () => {
        try {
          const out = await handler(job.data, job);
          stop({ outcome: 'completed' });
          return out;
        } catch (err) {
          stop({ outcome: 'failed' });
          throw err;
        }
      }),
    );
  }
}
