import { HttpException, Injectable } from '@nestjs/common';
import { RejectedInputError } from '../../common/errors.js';
import type { IngestResult } from '../../conversations/inbound-message.js';
import { IngestService } from '../../conversations/ingest.service.js';
import { normalizePortalReply, normalizePortalSubmission, type PortalSubmission } from './portal-normalize.js';

/**
 * The inbound side of the portal channel: a web form or a reply goes through the one contract and
 * ingest, so it is routed like any other case. The citizen is there to correct it: a refusal is
 * answered with its status (400, 413, 422) naming the field.
 */
@Injectable()
export class PortalIntake {
  constructor(private readonly ingest: IngestService) {}

  submit(s: PortalSubmission): Promise<IngestResult> {
    return this.run(() => this.ingest.ingest(normalizePortalSubmission(s)));
  }

  reply(r: Parameters<typeof normalizePortalReply>[0]): Promise<IngestResult> {
    return this.run(() => this.ingest.ingest(normalizePortalReply(r)));
  }

  private async run(fn: () => Promise<IngestResult>): Promise<IngestResult> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RejectedInputError) {
        throw new HttpException(
          { statusCode: err.status, message: `${err.field}: ${err.message}`, fields: [{ field: err.field, message: err.message }] },
          err.status,
        );
      }
      throw err;
    }
  }
}
