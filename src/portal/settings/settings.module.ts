import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { CitizenAuthModule } from '../identity/portal-identity.module.js';
import { PortalSettingsController } from './settings.controller.js';
import { PortalSettingsService } from './settings.service.js';

/**
 * The personal area's settings (API role): notification preferences, consents, the comuni's
 * addresses a link code is sent to. The preferences are honoured by the notification scanner
 * (src/channels/notifications/contact-route.ts reads them in its system scope).
 */
@Module({})
export class PortalSettingsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: PortalSettingsModule,
      imports: [CitizenAuthModule],
      controllers: roles.api ? [PortalSettingsController] : [],
      providers: roles.api ? [PortalSettingsService] : [],
    };
  }
}
