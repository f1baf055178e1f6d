import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { PortalChannelModule } from '../../channels/portal/portal-channel.module.js';
import { CasesModule } from '../../cases/cases.module.js';
import { ComuniModule } from '../../comuni/comuni.module.js';
import { OutboxModule } from '../../outbox/outbox.module.js';
import { StorageModule } from '../../storage/storage.module.js';
import { CitizenAuthModule } from '../identity/portal-identity.module.js';
import { MyCasesController } from '../mine/mine.controller.js';
import { MyCasesService } from '../mine/mine.service.js';
import { FollowerNotifier, FollowersService } from './followers.js';
import { ReportModerationService } from './merge.service.js';
import { PortalThrottle } from './portal-throttle.js';
import { PortalReportsController, ReportModerationController } from './reports.controller.js';
import { PortalReportsService } from './reports.service.js';
import { PortalUploadInterceptor } from './upload.js';

/**
 * Reports and requests from the citizen portal (API role), "Le mie richieste" of the personal area
 * (src/portal/mine: it reads through this module's case page), and the notices to followers (worker role).
 */
@Module({})
export class PortalReportsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: PortalReportsModule,
      imports: [PortalChannelModule.register(roles), CitizenAuthModule, CasesModule, ComuniModule, OutboxModule, StorageModule],
      controllers: roles.api ? [PortalReportsController, ReportModerationController, MyCasesController] : [],
      providers: [
        PortalReportsService,
        MyCasesService,
        FollowersService,
        ReportModerationService,
        ...(roles.api ? [PortalThrottle, PortalUploadInterceptor] : []),
        ...(roles.workers ? [FollowerNotifier] : []),
      ],
      exports: roles.workers ? [FollowerNotifier] : [],
    };
  }
}
