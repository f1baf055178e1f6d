import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ComuniModule } from '../../comuni/comuni.module.js';
import { ChannelsCoreModule } from '../channels-core.module.js';
import { ChannelAccountsController } from './channel-accounts.controller.js';
import { ContactPageController } from './contact-page.controller.js';

/**
 * The admin API of the comuni's channel accounts and their public contact page. The accounts
 * service itself is part of what every channel stands on (ChannelsCoreModule).
 */
@Module({})
export class ChannelAccountsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: ChannelAccountsModule,
      imports: [ChannelsCoreModule, ComuniModule],
      controllers: roles.api ? [ChannelAccountsController, ContactPageController] : [],
    };
  }
}
