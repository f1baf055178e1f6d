import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelRateLimiter } from '../support/rate-limiter.js';
import { InboundExtras } from '../support/inbound-extras.js';
import { ChannelAccountsController } from './channel-accounts.controller.js';
import { ContactPageController } from './contact-page.controller.js';
import { ChannelAccountsService } from './channel-accounts.service.js';

/**
 * Channel accounts of the comuni (WhatsApp numbers, Telegram bots) and what the channel modules
 * built on them share (the per-account rate limiter). Lower layer: channel modules import it.
 */
@Global()
@Module({})
export class ChannelAccountsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: ChannelAccountsModule,
      controllers: roles.api ? [ChannelAccountsController, ContactPageController] : [],
      providers: [ChannelAccountsService, ChannelRateLimiter, InboundExtras],
      exports: [ChannelAccountsService, ChannelRateLimiter, InboundExtras],
    };
  }
}
