import { Module, type DynamicModule } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { jobHandlerProblems } from '../../src/jobs/job-handlers.check.js';
import { ALL_QUEUES } from '../../src/channels/channels.js';
import { JOB_QUEUES, type JobName } from '../../src/jobs/jobs.js';
import { TypedWorker, type JobHandlers } from '../../src/jobs/typed-worker.js';
import { Metrics } from '../../src/ops/metrics.js';
import { MetricsModule } from '../../src/ops/metrics.module.js';
import { startApp } from '../support/harness.js';

/** A worker that handles a job nobody declared (what a forgotten declaration looks like at run time). */
@Processor('outbound-app')
class StrayWorker extends TypedWorker<JobName> {
  protected readonly handlers = {
    'message.deliver': async () => undefined,
    'report.archive': async () => undefined,
  } as unknown as JobHandlers<JobName>;
  constructor(protected readonly metrics: Metrics) {
    super();
  }
}

@Module({ imports: [MetricsModule], providers: [StrayWorker] })
class StrayModule {}

describe('jobs declared once and checked at boot', () => {
  const declared = Object.keys(JOB_QUEUES);
  const everyQueue = (jobs: Record<string, string[]>) =>
    ALL_QUEUES.map((queue) => ({ worker: `W-${queue}`, queue, jobs: jobs[queue] ?? ['message.deliver'] }));

  it('finds nothing wrong when every declared job has a handler and every queue a worker', () => {
    expect(
      jobHandlerProblems(
        declared,
        ALL_QUEUES,
        everyQueue({
          routing: ['ticket.route', 'comune.dispatch', 'offer.expire', 'maintenance.sweep'],
          privacy: ['privacy.erase', 'privacy.retention'],
        }),
      ),
    ).toEqual([]);
  });

  it('names a declared job without a handler, a handler of an undeclared job, a queue without a worker', () => {
    const workers = everyQueue({
      routing: ['ticket.route', 'comune.dispatch', 'offer.expire', 'report.archive'],
      privacy: ['privacy.erase', 'privacy.retention'],
    }).filter((w) => w.queue !== 'outbound-telegram');
    expect(jobHandlerProblems(declared, ALL_QUEUES, workers)).toEqual([
      'job "maintenance.sweep" is declared in src/jobs/jobs.ts but no worker handles it',
      'W-routing (queue routing) handles job "report.archive", which src/jobs/jobs.ts does not declare',
      'queue outbound-telegram is registered but no worker consumes it',
    ]);
    expect(
      jobHandlerProblems(declared, ALL_QUEUES, [
        ...everyQueue({ routing: declared.filter((j) => j !== 'message.deliver') }),
        { worker: 'X', queue: 'exports', jobs: [] },
      ]),
    ).toEqual(['X consumes queue exports, which is not registered']);
  });

  it('refuses to start a process whose worker handles an undeclared job, naming it', async () => {
    const stray: DynamicModule = { module: StrayModule };
    await expect(startApp({}, undefined, [stray])).rejects.toThrow(
      /jobs and their handlers do not match: StrayWorker \(queue outbound-app\) handles job "report\.archive", which src\/jobs\/jobs\.ts does not declare/,
    );
  });
});
