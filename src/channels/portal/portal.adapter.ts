import { Injectable } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { outboundQueueName } from '../../jobs/jobs.js';
import { Metrics } from '../../ops/metrics.js';
import type { ChannelAdapter, DeliveryResult, OutboundMessage } from '../channel-adapter.js';
import { OutboundDelivery, OutboundProcessor } from '../outbound-delivery.js';
import { PORTAL_CHANNEL } from './portal-normalize.js';

/**
 * The citizen reads an operator's reply on the case page of the portal: a reply is delivered once
 * it is stored. What leaves by e-mail (the summary of a new case, "taken in charge", "resolved",
 * followers' news) goes on the comune's e-mail channel to the address the citizen left.
 */
@Injectable()
export class PortalAdapter implements ChannelAdapter {
  readonly channel = PORTAL_CHANNEL;
  async deliver(_m: OutboundMessage): Promise<DeliveryResult> {
    return { status: 'sent' };
  }
}

@Processor(outboundQueueName(PORTAL_CHANNEL))
export class PortalOutboundProcessor extends OutboundProcessor {
  constructor(delivery: OutboundDelivery, metrics: Metrics) {
    super(delivery, metrics);
  }
}
