import { Injectable } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { outboundQueueName } from '../../jobs/jobs.js';
import { Metrics } from '../../ops/metrics.js';
import type { ChannelAdapter, DeliveryResult, OutboundMessage } from '../channel-adapter.js';
import { OutboundDelivery, OutboundProcessor } from '../outbound-delivery.js';
import { APP_CHANNEL } from './app-channel.controller.js';

/**
 * The app reads replies from GET /api/app/v1/tickets/:reference: a reply is delivered once it is
 * stored and published there. (Push through the comune's signed webhooks comes with the
 * interoperability work.)
 */
@Injectable()
export class AppAdapter implements ChannelAdapter {
  readonly channel = APP_CHANNEL;
  async deliver(_m: OutboundMessage): Promise<DeliveryResult> {
    return { status: 'sent' };
  }
}

@Processor(outboundQueueName(APP_CHANNEL))
export class AppOutboundProcessor extends OutboundProcessor {
  constructor(delivery: OutboundDelivery, metrics: Metrics) {
    super(delivery, metrics);
  }
}
