import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { JobsModule } from '../../jobs/jobs.module.js';
import { MetricsModule } from '../../ops/metrics.module.js';
import { OutboxModule } from '../../outbox/outbox.module.js';
import { StorageModule } from '../../storage/storage.module.js';
import { CitizenAuthModule } from '../identity/portal-identity.module.js';
import { ConsolePrivacyController } from './console-privacy.controller.js';
import { ErasureService } from './erasure.js';
import { PrivacyController } from './privacy.controller.js';
import { PrivacyProcessor } from './privacy.processor.js';
import { PrivacyService } from './privacy.service.js';
import { RetentionSweep } from './retention.js';
import { ComunePrivacySettings } from './settings.js';

/**
 * Data-subject rights (src/portal/privacy): the citizen's export and erasure request (API role), a
 * comune's retention period and privacy event log in the console (API role), the erasure job and the
 * retention sweep (worker role).
 */
@Module({})
export class PortalPrivacyModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: PortalPrivacyModule,
      imports: [CitizenAuthModule, OutboxModule, StorageModule, JobsModule, MetricsModule],
      controllers: roles.api ? [PrivacyController, ConsolePrivacyController] : [],
      providers: [
        ErasureService,
        RetentionSweep,
        ...(roles.api ? [PrivacyService, ComunePrivacySettings] : []),
        ...(roles.workers ? [PrivacyProcessor] : []),
      ],
      exports: [ErasureService, RetentionSweep],
    };
  }
}
