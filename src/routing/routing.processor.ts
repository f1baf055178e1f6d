import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ROUTING_QUEUE } from '../jobs/jobs.js';
import { TypedWorker, type JobHandlers } from '../jobs/typed-worker.js';
import { Metrics } from '../ops/metrics.js';
import { AssignmentService } from './assignment.service.js';

type RoutingJob = 'ticket.route' | 'comune.dispatch' | 'offer.expire' | 'maintenance.sweep';

@Processor(ROUTING_QUEUE)
export class RoutingProcessor extends TypedWorker<RoutingJob> implements OnApplicationBootstrap {
  private readonly logger = new Logger(RoutingProcessor.name);

  protected readonly handlers: JobHandlers<RoutingJob> = {
    'ticket.route': (p) => this.assignment.route(p.ticketId, p.comuneId),
    'comune.dispatch': (p) => this.assignment.dispatch(p.comuneId),
    'offer.expire': (p) => this.assignment.expireOffer(p.ticketId, p.comuneId, p.offerSeq),
    'maintenance.sweep': () => this.assignment.sweep(),
  };

  constructor(
    private readonly assignment: AssignmentService,
    private readonly jobs: JobsService,
    protected readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.workerConcurrency;
    try {
      await this.jobs
        .queue(ROUTING_QUEUE)
        .upsertJobScheduler('maintenance-sweep', { every: this.config.sweepIntervalMs }, { name: 'maintenance.sweep', data: {} });
    } catch (err) {
      this.logger.warn(`sweep schedule not set yet: ${(err as Error).message}`);
    }
  }
}
