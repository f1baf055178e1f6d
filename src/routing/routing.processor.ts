import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ROUTING_QUEUE } from '../jobs/jobs.js';
import { TypedWorker, type JobHandlers } from '../jobs/typed-worker.js';
import { Metrics } from '../ops/metrics.js';
import { Dispatcher } from './dispatcher.service.js';
import { RoutingSweep } from './routing-sweep.service.js';
import { TicketRouter } from './ticket-router.service.js';

type RoutingJob = 'ticket.route' | 'comune.dispatch' | 'offer.expire' | 'maintenance.sweep';

@Processor(ROUTING_QUEUE)
export class RoutingProcessor extends TypedWorker<RoutingJob> implements OnApplicationBootstrap {
  private readonly logger = new Logger(RoutingProcessor.name);

  protected readonly handlers: JobHandlers<RoutingJob> = {
    'ticket.route': (p) => this.router.route(p.ticketId, p.comuneId),
    'comune.dispatch': (p) => this.dispatcher.dispatch(p.comuneId),
    'offer.expire': (p) => this.dispatcher.expireOffer(p.ticketId, p.comuneId, p.offerSeq),
    'maintenance.sweep': () => this.sweeper.sweep(),
  };

  constructor(
    private readonly router: TicketRouter,
    private readonly dispatcher: Dispatcher,
    private readonly sweeper: RoutingSweep,
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
