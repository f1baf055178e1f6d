import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { JobsService } from '../../jobs/jobs.service.js';
import { PRIVACY_QUEUE } from '../../jobs/jobs.js';
import { TypedWorker, type JobHandlers } from '../../jobs/typed-worker.js';
import { Metrics } from '../../ops/metrics.js';
import { ErasureService } from './erasure.js';
import { RetentionSweep } from './retention.js';

type PrivacyJob = 'privacy.erase' | 'privacy.retention';

/** How often the retention sweep runs (a repeatable job: one schedule however many workers). */
export const RETENTION_EVERY_MS = 6 * 60 * 60 * 1000;

/** The privacy queue's worker (worker role): erasure requests and the repeated retention sweep. */
@Processor(PRIVACY_QUEUE)
export class PrivacyProcessor extends TypedWorker<PrivacyJob> implements OnApplicationBootstrap {
  private readonly logger = new Logger(PrivacyProcessor.name);

  protected readonly handlers: JobHandlers<PrivacyJob> = {
    'privacy.erase': (p) => this.erasure.run(p.requestId),
    'privacy.retention': () => this.retention.sweep(),
  };

  constructor(
    private readonly erasure: ErasureService,
    private readonly retention: RetentionSweep,
    private readonly jobs: JobsService,
    protected readonly metrics: Metrics,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.jobs
        .queue(PRIVACY_QUEUE)
        .upsertJobScheduler('privacy-retention', { every: RETENTION_EVERY_MS }, { name: 'privacy.retention', data: {} });
    } catch (err) {
      this.logger.warn(`retention schedule not set yet: ${(err as Error).message}`);
    }
  }
}
