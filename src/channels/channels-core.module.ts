import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module.js';
import { MetricsModule } from '../ops/metrics.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { ChannelAccountsService } from './accounts/channel-accounts.service.js';
import { ChannelRegistry } from './channel-registry.js';
import { OutboundDelivery } from './outbound-delivery.js';
import { InboundExtras } from './support/inbound-extras.js';
import { ChannelRateLimiter } from './support/rate-limiter.js';

/**
 * What every channel stands on: the registry of adapters, the delivery step of the outbound
 * queues, the comuni's channel accounts (WhatsApp numbers, Telegram bots, mailboxes) and the
 * per-account rate limiter, the extras of an inbound message. A static module: one registry and
 * one limiter per process however many channel modules import it. Each channel is its own module
 * under src/channels/<name>/ and imports this and the conversation core (src/conversations/) itself.
 */
@Module({
  imports: [CasesModule, RealtimeModule, MetricsModule],
  providers: [ChannelRegistry, OutboundDelivery, ChannelAccountsService, ChannelRateLimiter, InboundExtras],
  exports: [ChannelRegistry, OutboundDelivery, ChannelAccountsService, ChannelRateLimiter, InboundExtras],
})
export class ChannelsCoreModule {}
