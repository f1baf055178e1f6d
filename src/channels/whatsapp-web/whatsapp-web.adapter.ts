import { Inject, Injectable } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { outboundQueueName } from '../../jobs/jobs.js';
import { Metrics } from '../../ops/metrics.js';
import { AttachmentStorage } from '../../storage/storage.js';
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
import { parseWwebjsAddress, WHATSAPP_WEB_CHANNEL } from './wwebjs-normalize.js';
import { WhatsappWebSessions } from './wwebjs-sessions.js';

/**
 * A whatsapp-web.js session is an ordinary WhatsApp account: bursts get it banned, so it is paced
 * well below the Business API (one message a second per number and per chat).
 */
export const WWEBJS_PER_NUMBER_PER_SECOND = 1;

@Injectable()
export class WhatsappWebAdapter implements ChannelAdapter {
  readonly channel = WHATSAPP_WEB_CHANNEL;

  constructor(
    private readonly sessions: WhatsappWebSessions,
    private readonly accounts: ChannelAccountsService,
    private readonly limiter: ChannelRateLimiter,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
  ) {}

  async deliver(m: OutboundMessage): Promise<DeliveryResult> {
    const to = parseWwebjsAddress(m.recipient.address);
    if (!to) throw new PermanentDeliveryError(`indirizzo WhatsApp non valido: ${m.recipient.address}`);
    const account = await this.accounts.load(to.accountId, WHATSAPP_WEB_CHANNEL);
    if (!account || !account.enabled)
      throw new PermanentDeliveryError('il numero WhatsApp (WhatsApp Web) di questa conversazione è disattivato');
    if (!this.sessions.isReady(account.id))
      throw new TransientDeliveryError('la sessione WhatsApp Web non è collegata: un amministratore deve inquadrare il codice QR');
    const attachments = await Promise.all(
      m.attachments.map(async (a) => ({ bytes: await this.storage.get(a.storageKey), contentType: a.contentType, filename: a.filename })),
    );
    await this.limiter.acquire([{ key: `whatsapp-web:number:${account.id}`, perSecond: WWEBJS_PER_NUMBER_PER_SECOND }], 30_000);
    try {
      const id = await this.sessions.send(account.id, to.chatId, m.text, attachments);
      return { status: 'sent', ...(id ? { externalId: `${account.id}:${id}` } : {}) };
    } catch (err) {
      throw new TransientDeliveryError(`WhatsApp Web: invio non riuscito (${(err as Error).message})`);
    }
  }
}

@Processor(outboundQueueName(WHATSAPP_WEB_CHANNEL), { limiter: { max: 10, duration: 1000 } })
export class WhatsappWebOutboundProcessor extends OutboundProcessor {
  constructor(delivery: OutboundDelivery, metrics: Metrics) {
    super(delivery, metrics);
  }
}
