import { Controller, ForbiddenException, Headers, HttpCode, Logger, Param, Post, Req, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Update } from 'telegraf/types';
import { Public } from '../../auth/auth.guard.js';
import { invalidField } from '../../common/errors.js';
import { InboundIntake } from '../support/inbound-intake.js';
import { sameSecret } from '../support/secrets.js';
import { TELEGRAM_CHANNEL } from './telegram-normalize.js';
import { TelegramInbound } from './telegram-inbound.js';

/**
 * Telegram's webhook for one bot: `POST /webhooks/telegram/<account id>`, registered with
 * setWebhook(secret_token). The secret header is checked before the body is even parsed; the
 * answer is 200 only once the message is committed, so a failure makes Telegram deliver it again.
 */
@ApiExcludeController()
@Public()
@Controller('webhooks/telegram')
export class TelegramWebhookController {
  private readonly logger = new Logger(TelegramWebhookController.name);

  constructor(
    private readonly intake: InboundIntake,
    private readonly inbound: TelegramInbound,
  ) {}

  @Post(':accountId')
  @HttpCode(200)
  async update(
    @Param('accountId') accountId: string,
    @Headers('x-telegram-bot-api-secret-token') secret: string | undefined,
    @Req() req: Request,
  ) {
    const account = await this.intake.webhookAccount(TELEGRAM_CHANNEL, accountId, 'no such Telegram bot');
    if (!secret) throw new UnauthorizedException('X-Telegram-Bot-Api-Secret-Token header is missing');
    if (!sameSecret(secret, String(account.secrets.webhookSecret ?? '')))
      throw new ForbiddenException('X-Telegram-Bot-Api-Secret-Token is not valid');

    let update: Update;
    try {
      update = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    } catch {
      throw invalidField('body', 'is not a JSON Telegram Update');
    }
    if (typeof update !== 'object' || update === null || typeof (update as { update_id?: unknown }).update_id !== 'number') {
      throw invalidField('update_id', 'is required (a Telegram Update object)');
    }
    await this.intake.acknowledgeAfterCommit(
      this.logger,
      {
        failure: `Telegram update ${update.update_id} for account ${account.id} not stored, Telegram will retry`,
        retry: 'the update could not be stored now; please retry',
      },
      () => this.inbound.handle(account, update),
    );
    return { ok: true };
  }
}
