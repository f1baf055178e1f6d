import { Inject, Injectable } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { Input, TelegramError } from 'telegraf';
import { outboundQueueName } from '../../jobs/jobs.js';
import { Metrics } from '../../ops/metrics.js';
import { AttachmentStorage, IMAGE_TYPES } from '../../storage/storage.js';
import {
  PermanentDeliveryError,
  TransientDeliveryError,
  type ChannelAdapter,
  type DeliveryResult,
  type OutboundMessage,
} from '../channel-adapter.js';
import { OutboundDelivery, OutboundProcessor } from '../outbound-delivery.js';
import { ChannelAccountsService } from '../accounts/channel-accounts.service.js';
import { ChannelRateLimiter } from '../support/rate-limiter.js';
import { redactSecrets } from '../support/secrets.js';
import { TelegramBots } from './telegram-bots.js';
import { parseTelegramAddress, TELEGRAM_CHANNEL, telegramExternalId } from './telegram-normalize.js';

/** Telegram's documented limits: about 30 messages per second per bot, one per second per chat. */
export const TELEGRAM_PER_BOT_PER_SECOND = 30;
export const TELEGRAM_PER_CHAT_PER_SECOND = 1;

/** Sends replies (text, then each attachment) through the bot the citizen wrote to. */
@Injectable()
export class TelegramAdapter implements ChannelAdapter {
  readonly channel = TELEGRAM_CHANNEL;

  constructor(
    private readonly accounts: ChannelAccountsService,
    private readonly bots: TelegramBots,
    private readonly limiter: ChannelRateLimiter,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
  ) {}

  async deliver(m: OutboundMessage): Promise<DeliveryResult> {
    const to = parseTelegramAddress(m.recipient.address);
    if (!to) throw new PermanentDeliveryError(`indirizzo Telegram non valido: ${m.recipient.address}`);
    const account = await this.accounts.load(to.accountId, TELEGRAM_CHANNEL);
    if (!account) throw new PermanentDeliveryError('il bot Telegram di questa conversazione non esiste più');
    if (!account.enabled) throw new PermanentDeliveryError('il bot Telegram di questa conversazione è disattivato');
    const telegram = this.bots.bot(account).telegram;
    const token = String(account.secrets.botToken ?? '');
    const limits = [
      { key: `telegram:bot:${account.id}`, perSecond: TELEGRAM_PER_BOT_PER_SECOND },
      { key: `telegram:chat:${account.id}:${to.chatId}`, perSecond: TELEGRAM_PER_CHAT_PER_SECOND },
    ];
    try {
      let firstId: number | undefined;
      if (m.text.trim()) {
        await this.limiter.acquire(limits);
        firstId = (await telegram.sendMessage(to.chatId, m.text)).message_id;
      }
      for (const a of m.attachments) {
        const bytes = await this.storage.get(a.storageKey);
        await this.limiter.acquire(limits);
        const file = Input.fromBuffer(bytes, a.filename);
        const sent =
          IMAGE_TYPES.includes(a.contentType) && a.contentType !== 'image/gif'
            ? await telegram.sendPhoto(to.chatId, file)
            : await telegram.sendDocument(to.chatId, file);
        firstId ??= sent.message_id;
      }
      return { status: 'sent', ...(firstId !== undefined ? { externalId: telegramExternalId(account.id, to.chatId, firstId) } : {}) };
    } catch (err) {
      throw await this.classify(err, token, limits[0].key);
    }
  }

  private async classify(err: unknown, token: string, botKey: string): Promise<Error> {
    if (err instanceof PermanentDeliveryError || err instanceof TransientDeliveryError) return err;
    if (err instanceof TelegramError) {
      const retryAfter = err.parameters?.retry_after;
      if (err.code === 429) {
        // Every send of this bot waits out Telegram's flood control, not only this one.
        if (retryAfter) await this.limiter.hold(botKey, retryAfter * 1000).catch(() => undefined);
        return new TransientDeliveryError(
          `Telegram: troppi messaggi, nuovo tentativo tra ${retryAfter ?? '?'} s`,
          retryAfter ? retryAfter * 1000 : undefined,
        );
      }
      if (err.code >= 500) return new TransientDeliveryError(`Telegram non disponibile (${err.code})`);
      return new PermanentDeliveryError(italian(err.code, err.description));
    }
    return new TransientDeliveryError(redactSecrets(`Telegram non raggiungibile: ${(err as Error).message}`, [token]));
  }
}

function italian(code: number, description: string): string {
  const d = description.toLowerCase();
  if (d.includes('blocked by the user')) return 'Telegram ha rifiutato il messaggio: il cittadino ha bloccato il bot';
  if (d.includes('chat not found')) return 'Telegram ha rifiutato il messaggio: la chat del cittadino non esiste più';
  if (d.includes('user is deactivated')) return 'Telegram ha rifiutato il messaggio: l’account del cittadino è stato disattivato';
  if (code === 401) return 'Telegram ha rifiutato il token del bot: aggiornarlo nelle impostazioni del canale';
  return `Telegram ha rifiutato il messaggio (${code}: ${description})`;
}

// No queue-wide limiter: it would hold every comune's bots together to one bot's 30/s. Each send
// reserves its bot's and its chat's slots in Redis (ChannelRateLimiter), so sends of different bots
// run side by side and each bot keeps to its own limits.
@Processor(outboundQueueName(TELEGRAM_CHANNEL), { concurrency: 64 })
export class TelegramOutboundProcessor extends OutboundProcessor {
  constructor(delivery: OutboundDelivery, metrics: Metrics) {
    super(delivery, metrics);
  }
}
