import {
  Controller,
  ForbiddenException,
  Get,
  Headers,
  HttpCode,
  Logger,
  Param,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../../auth/auth.guard.js';
import { invalidField } from '../../common/errors.js';
import { InboundIntake } from '../support/inbound-intake.js';
import { sameSecret, validHubSignature } from '../support/secrets.js';
import { changesOf, WHATSAPP_CHANNEL } from './whatsapp-normalize.js';
import { WhatsappInbound } from './whatsapp-inbound.js';

/**
 * The WhatsApp Business Cloud API webhook of one number: `/webhooks/whatsapp/<account id>`.
 * GET answers Meta's verification handshake; POST checks X-Hub-Signature-256 (HMAC-SHA256 of the
 * raw body with the app secret) before parsing, and answers 200 only once everything is committed.
 */
@ApiExcludeController()
@Public()
@Controller('webhooks/whatsapp')
export class WhatsappWebhookController {
  private readonly logger = new Logger(WhatsappWebhookController.name);

  constructor(
    private readonly intake: InboundIntake,
    private readonly inbound: WhatsappInbound,
  ) {}

  @Get(':accountId')
  async verify(@Param('accountId') accountId: string, @Query() q: Record<string, string | undefined>, @Res() res: Response) {
    const account = await this.intake.webhookAccount(WHATSAPP_CHANNEL, accountId, 'no such WhatsApp number');
    if (q['hub.mode'] !== 'subscribe') throw invalidField('hub.mode', 'must be "subscribe"');
    if (!q['hub.verify_token'] || !sameSecret(q['hub.verify_token'], String(account.secrets.verifyToken ?? ''))) {
      throw new ForbiddenException('hub.verify_token does not match');
    }
    const challenge = q['hub.challenge'];
    if (!challenge || !/^[\w-]{1,200}$/.test(challenge)) throw invalidField('hub.challenge', 'is required');
    res.status(200).type('text/plain').send(challenge);
  }

  @Post(':accountId')
  @HttpCode(200)
  async receive(@Param('accountId') accountId: string, @Headers('x-hub-signature-256') signature: string | undefined, @Req() req: Request) {
    const account = await this.intake.webhookAccount(WHATSAPP_CHANNEL, accountId, 'no such WhatsApp number');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!signature) throw new UnauthorizedException('X-Hub-Signature-256 header is missing');
    if (!validHubSignature(signature, raw, String(account.secrets.appSecret ?? '')))
      throw new ForbiddenException('X-Hub-Signature-256 does not match the body');

    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      throw invalidField('body', 'is not JSON');
    }
    const changes = changesOf(payload);
    if (!changes) throw invalidField('object', 'must be "whatsapp_business_account" with an entry array');
    let stored = 0;
    let statuses = 0;
    await this.intake.acknowledgeAfterCommit(
      this.logger,
      {
        failure: `WhatsApp webhook for account ${account.id} not fully stored, Meta will retry`,
        retry: 'the notification could not be stored now; please retry',
      },
      async () => {
        for (const value of changes) {
          const r = await this.inbound.handle(account, value);
          stored += r.stored;
          statuses += r.statuses;
        }
      },
    );
    return { ok: true, stored, statuses };
  }
}
