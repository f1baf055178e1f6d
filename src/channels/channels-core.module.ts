import { Global, Module } from '@nestjs/common';
import { ChannelRegistry } from './channel-registry.js';
import { IngestService } from './ingest.service.js';
import { OutboundDelivery } from './outbound-delivery.js';

/**
 * What every channel stands on: the ingest pipeline (inbound), the registry of adapters and the
 * delivery step of the outbound queues. Each channel is its own module under src/channels/<name>/.
 */
@Global()
@Module({
  providers: [IngestService, ChannelRegistry, OutboundDelivery],
  exports: [IngestService, ChannelRegistry, OutboundDelivery],
})
export class ChannelsCoreModule {}
