import { Injectable } from '@nestjs/common';
import { invalidField, RejectedInputError } from '../../common/errors.js';
import type { IngestResult } from '../../conversations/inbound-message.js';
import { IngestService } from '../../conversations/ingest.service.js';
import { normalizeCounterRequest, type CounterRequest } from './counter-normalize.js';

/**
 * The inbound side of the phone and desk channels: a request the operator entered goes through
 * the same contract and ingest pipeline as a chat message, so it is routed like any other. Unlike
 * a provider's webhook, the operator is there to correct it: a refusal is a 400 naming the field.
 */
@Injectable()
export class CounterIntake {
  constructor(private readonly ingest: IngestService) {}

  async receive(r: CounterRequest): Promise<IngestResult> {
    try {
      return await this.ingest.ingest(normalizeCounterRequest(r));
    } catch (err) {
      if (err instanceof RejectedInputError) throw invalidField(err.field, err.message);
      throw err;
    }
  }
}
