import { Injectable } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { Metrics } from '../../ops/metrics.js';
import { outboundQueueName } from '../../jobs/jobs.js';
import { PermanentDeliveryError, type ChannelAdapter, type DeliveryResult } from '../channel-adapter.js';
import { OutboundDelivery, OutboundProcessor } from '../outbound-delivery.js';

/**
 * A reply written on a phone or desk ticket has no wire to travel on. It is marked failed with
 * a reason the operator reads in the console, instead of waiting forever in a queue.
 */
abstract class CounterAdapter implements ChannelAdapter {
  abstract readonly channel: string;
  async deliver(): Promise<DeliveryResult> {
    throw new PermanentDeliveryError(
      `a ${this.channel} request cannot receive written replies: call the citizen back or use an internal note`,
    );
  }
}

@Injectable()
export class PhoneAdapter extends CounterAdapter {
  readonly channel = 'phone';
}

@Injectable()
export class DeskAdapter extends CounterAdapter {
  readonly channel = 'desk';
}

@Processor(outboundQueueName('phone'))
export class PhoneOutboundProcessor extends OutboundProcessor {
  constructor(delivery: OutboundDelivery, metrics: Metrics) {
    super(delivery, metrics);
  }
}

@Processor(outboundQueueName('desk'))
export class DeskOutboundProcessor extends OutboundProcessor {
  constructor(delivery: OutboundDelivery, metrics: Metrics) {
    super(delivery, metrics);
  }
}
