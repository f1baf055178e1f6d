import { Injectable } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { Metrics } from '../../ops/metrics.js';
import { RealtimeService } from '../../realtime/realtime.service.js';
import { outboundQueueName } from '../../jobs/jobs.js';
import { TransientDeliveryError, type ChannelAdapter, type DeliveryResult, type OutboundMessage } from '../channel-adapter.js';
import { OutboundDelivery, OutboundProcessor } from '../outbound-delivery.js';
import { WEBCHAT_CHANNEL } from './webchat.gateway.js';

/** Replies reach the citizen's browser through the session room; a closed tab gets them as history on return. */
@Injectable()
export class WebchatAdapter implements ChannelAdapter {
  readonly channel = WEBCHAT_CHANNEL;

  constructor(private readonly realtime: RealtimeService) {}

  async deliver(m: OutboundMessage): Promise<DeliveryResult> {
    if (!this.realtime.isConnected()) throw new TransientDeliveryError('Redis is not connected');
    this.realtime.toWebchat(m.recipient.address, 'message', {
      id: m.messageId,
      direction: 'outbound',
      author: 'operator',
      ...(m.operatorName ? { authorName: m.operatorName } : {}),
      text: m.text,
      createdAt: m.createdAt.toISOString(),
      ticketReference: m.ticketReference,
      attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType })),
    });
    return { status: 'sent' };
  }
}

@Processor(outboundQueueName(WEBCHAT_CHANNEL))
export class WebchatOutboundProcessor extends OutboundProcessor {
  constructor(delivery: OutboundDelivery, metrics: Metrics) {
    super(delivery, metrics);
  }
}
