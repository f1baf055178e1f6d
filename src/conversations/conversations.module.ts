import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CasesModule } from '../cases/cases.module.js';
import { ComuniModule } from '../comuni/comuni.module.js';
import { MetricsModule } from '../ops/metrics.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { IngestService } from './ingest.service.js';
import { InboundInterceptors } from './interceptors.js';

/**
 * The conversation core: the one way a citizen's message enters Sportello (ingest, its group
 * commit, the inbound interceptors that may claim a message before it opens or joins a case) and
 * the one writer of `messages`. Channels normalise a provider's message and hand it here.
 */
@Module({
  imports: [DiscoveryModule, CasesModule, ComuniModule, OutboxModule, RealtimeModule, MetricsModule],
  providers: [IngestService, InboundInterceptors],
  exports: [IngestService],
})
export class ConversationsModule {}
