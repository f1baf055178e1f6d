import { Inject, Injectable } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
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
import { ChannelAccountsService, type LoadedAccount } from '../accounts/channel-accounts.service.js';
import { ChannelRateLimiter } from '../support/rate-limiter.js';
import { redactSecrets } from '../support/secrets.js';
import { GraphApi, GraphApiError } from './graph-api.js';
import { italianWaError, parseWhatsappAddress, PERMANENT_WA_CODES, RATE_LIMIT_WA_CODES, WHATSAPP_CHANNEL } from './whatsapp-normalize.js';

/** WhatsApp Cloud API throughput: about 80 messages per second per business number. */
export const WHATSAPP_PER_NUMBER_PER_SECOND = 80;
/** The customer-service window: free-form messages only within 24 hours of the citizen's last message. */
export const SERVICE_WINDOW_MS = 24 * 3600 * 1000;

export const WINDOW_CLOSED_REASON =
  'Non inviato: sono passate più di 24 ore dall’ultimo messaggio del cittadino su WhatsApp. Fuori da questa finestra WhatsApp consente solo modelli di messaggio approvati (template); il cittadino riceverà la risposta se scrive di nuovo.';

const NOTIFICATION_LABELS: Record<string, string> = { taken_in_charge: 'presa in carico', resolved: 'risolta' };

/**
 * Sends through the Graph API from the number the citizen wrote to. Outside the 24-hour window a
 * free-text reply is refused before calling Meta: the message is marked failed with the reason in
 * Italian (pushed to the console as message.updated); a state notification goes out as the
 * account's approved template instead, when one is configured.
 */
@Injectable()
export class WhatsappAdapter implements ChannelAdapter {
  readonly channel = WHATSAPP_CHANNEL;

  constructor(
    private readonly accounts: ChannelAccountsService,
    private readonly limiter: ChannelRateLimiter,
    private readonly ds: DataSource,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async deliver(m: OutboundMessage): Promise<DeliveryResult> {
    const to = parseWhatsappAddress(m.recipient.address);
    if (!to) throw new PermanentDeliveryError(`indirizzo WhatsApp non valido: ${m.recipient.address}`);
    const account = await this.accounts.load(to.accountId, WHATSAPP_CHANNEL);
    if (!account) throw new PermanentDeliveryError('il numero WhatsApp di questa conversazione non esiste più');
    if (!account.enabled) throw new PermanentDeliveryError('il numero WhatsApp di questa conversazione è disattivato');
    const phoneNumberId = String(account.config.phoneNumberId);
    const token = String(account.secrets.accessToken ?? '');
    const graph = new GraphApi(this.config.messaging.graphApiBaseUrl, token);
    const limits = [{ key: `whatsapp:number:${phoneNumberId}`, perSecond: WHATSAPP_PER_NUMBER_PER_SECOND }];

    try {
      if (!(await this.windowOpen(m.recipient.address))) {
        const template = await this.notificationTemplate(m.messageId, account);
        if (!template) throw new PermanentDeliveryError(WINDOW_CLOSED_REASON);
        await this.limiter.acquire(limits);
        const { wamid } = await graph.sendMessage(phoneNumberId, { to: to.waId, type: 'template', template });
        return { status: 'sent', externalId: wamid };
      }
      let first: string | undefined;
      if (m.text.trim()) {
        await this.limiter.acquire(limits);
        first = (await graph.sendMessage(phoneNumberId, { to: to.waId, type: 'text', text: { body: m.text, preview_url: false } })).wamid;
      }
      for (const a of m.attachments) {
        const bytes = await this.storage.get(a.storageKey);
        const mediaId = await graph.uploadMedia(phoneNumberId, bytes, a.filename, a.contentType);
        const kind =
          IMAGE_TYPES.includes(a.contentType) && a.contentType !== 'image/gif'
            ? 'image'
            : a.contentType.startsWith('audio/')
              ? 'audio'
              : 'document';
        await this.limiter.acquire(limits);
        const body = kind === 'document' ? { id: mediaId, filename: a.filename } : { id: mediaId };
        const { wamid } = await graph.sendMessage(phoneNumberId, { to: to.waId, type: kind, [kind]: body });
        first ??= wamid;
      }
      return { status: 'sent', ...(first ? { externalId: first } : {}) };
    } catch (err) {
      throw await this.classify(err, token, limits[0].key);
    }
  }

  /** When the citizen last wrote on this WhatsApp identity. */
  private async windowOpen(address: string): Promise<boolean> {
    const [r] = await this.ds.query(
      `SELECT max(m.created_at) AS last FROM messages m JOIN tickets t ON t.id = m.ticket_id
         JOIN citizen_identities i ON i.id = t.citizen_identity_id
        WHERE i.channel = $1 AND i.address = $2 AND m.direction = 'inbound'`,
      [WHATSAPP_CHANNEL, address],
    );
    return !!r?.last && Date.now() - new Date(r.last).getTime() < SERVICE_WINDOW_MS;
  }

  private async notificationTemplate(messageId: string, account: LoadedAccount): Promise<Record<string, unknown> | null> {
    const t = account.config.notificationTemplate as { name?: string; language?: string } | undefined;
    if (!t?.name) return null;
    const rows = await this.ds.query(
      `SELECT n.kind, t.reference FROM channel_notifications n JOIN tickets t ON t.id = n.ticket_id WHERE n.message_id = $1`,
      [messageId],
    );
    if (!rows.length) return null;
    return {
      name: t.name,
      language: { code: t.language ?? 'it' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: rows[0].reference },
            { type: 'text', text: NOTIFICATION_LABELS[rows[0].kind] ?? rows[0].kind },
          ],
        },
      ],
    };
  }

  private async classify(err: unknown, token: string, numberKey: string): Promise<Error> {
    if (err instanceof PermanentDeliveryError || err instanceof TransientDeliveryError) return err;
    if (err instanceof GraphApiError) {
      const reason = italianWaError(err.code, err.details ?? err.message);
      if (err.status === 429 || (err.code !== null && RATE_LIMIT_WA_CODES.has(err.code))) {
        await this.limiter.hold(numberKey, 1000).catch(() => undefined);
        return new TransientDeliveryError(`WhatsApp: limite di invio raggiunto (${err.code ?? err.status}), nuovo tentativo`);
      }
      if (err.status >= 500 && !(err.code !== null && PERMANENT_WA_CODES.has(err.code)))
        return new TransientDeliveryError(`WhatsApp non disponibile (${err.status})`);
      return new PermanentDeliveryError(reason);
    }
    return new TransientDeliveryError(redactSecrets(`WhatsApp non raggiungibile: ${(err as Error).message}`, [token]));
  }
}

// No queue-wide limiter: it would hold every comune's numbers together to one number's 80/s. Each
// send reserves its number's slot in Redis (ChannelRateLimiter), so numbers send side by side.
@Processor(outboundQueueName(WHATSAPP_CHANNEL), { concurrency: 64 })
export class WhatsappOutboundProcessor extends OutboundProcessor {
  constructor(delivery: OutboundDelivery, metrics: Metrics) {
    super(delivery, metrics);
  }
}
