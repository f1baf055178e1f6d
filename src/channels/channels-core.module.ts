import { Global, Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { ChannelRegistry } from './channel-registry.js';
import { OutboundDelivery } from './outbound-delivery.js';

/**
 * What every channel stands on: the conversation core's ingest (inbound, src/conversations/), the
 * registry of adapters and the delivery step of the outbound queues. Each channel is its own module
 * under src/channels/<name>/.
 */
@Global()
@Module({
  imports: [ConversationsModule],
  providers: [ChannelRegistry, OutboundDelivery],
  exports: [ConversationsModule, ChannelRegistry, OutboundDelivery],
})
export class ChannelsCoreModule {}
