import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { PortalChannelModule } from '../../channels/portal/portal-channel.module.js';
import { FollowerNotifier, FollowersService } from './followers.js';
import { ReportModerationService } from './merge.service.js';
import { PortalThrottle } from './portal-throttle.js';
import { PortalReportsController, ReportModerationController } from './reports.controller.js';
import { PortalReportsService } from './reports.service.js';
import { PortalUploadInterceptor } from './upload.js';

/** Reports and requests from the citizen portal (API role), and the notices to followers (worker role). */
@Module({})
export class PortalReportsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: PortalReportsModule,
      imports: [PortalChannelModule.register(roles)],
      controllers: roles.api ? [PortalReportsController, ReportModerationController] : [],
      providers: [
        PortalReportsService,
        FollowersService,
        ReportModerationService,
        ...(roles.api ? [PortalThrottle, PortalUploadInterceptor] : []),
        ...(roles.workers ? [FollowerNotifier] : []),
      ],
      exports: roles.workers ? [FollowerNotifier] : [],
    };
  }
}
