import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RejectedInputError } from '../../common/errors.js';
import { AttachmentStorage } from '../../storage/storage.js';
import { IngestService } from '../../conversations/ingest.service.js';
import { OutboundDelivery } from '../outbound-delivery.js';
import type { LoadedAccount } from '../accounts/channel-accounts.service.js';
import { adoptNoticeRecipient } from '../notifications/contact-adoption.js';
import { collectMedia, readLimited, storeInboundMedia, withNotes } from '../support/inbound-media.js';
import { redactSecrets } from '../support/secrets.js';
import { GraphApi, GraphApiError } from './graph-api.js';
import {
  italianWaError,
  normalizeWaMessage,
  STATUS_RANK,
  WHATSAPP_CHANNEL,
  type NormalizedWaMessage,
  type WaChangeValue,
  type WaStatus,
} from './whatsapp-normalize.js';
import { InAccountComune } from '../../tenancy/db-scope.js';

/** A download that may work later: the webhook answers 5xx and Meta delivers the payload again. */
export class MediaUnavailableError extends Error {}

/** Stores what a WhatsApp Cloud API webhook carries: citizens' messages and our messages' delivery states. */
@Injectable()
export class WhatsappInbound {
  private readonly logger = new Logger(WhatsappInbound.name);

  constructor(
    private readonly ingest: IngestService,
    private readonly delivery: OutboundDelivery,
    private readonly ds: DataSource,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @InAccountComune()
  async handle(account: LoadedAccount, value: WaChangeValue): Promise<{ stored: number; statuses: number }> {
    // One Meta app may serve several numbers: only this account's number is ours to store here.
    if (value.metadata?.phone_number_id !== String(account.config.phoneNumberId)) {
      this.logger.warn(`WhatsApp account ${account.id}: payload for another number (${value.metadata?.phone_number_id}) ignored`);
      return { stored: 0, statuses: 0 };
    }
    let stored = 0;
    for (const m of value.messages ?? []) {
      const n = normalizeWaMessage(account.id, value, m);
      if (!n) continue;
      if (await this.store(account, n)) stored++;
    }
    let statuses = 0;
    for (const s of value.statuses ?? []) if (await this.status(s)) statuses++;
    return { stored, statuses };
  }

  private async store(account: LoadedAccount, n: NormalizedWaMessage): Promise<boolean> {
    // A re-delivered message is answered without downloading its media again.
    const seen = await this.ds.query(`SELECT 1 FROM messages WHERE channel = $1 AND external_id = $2`, [WHATSAPP_CHANNEL, n.externalId]);
    if (seen.length) return false;
    const { attachments, notes } = await collectMedia(n.media, n.notes, (item) => this.download(account, item));
    // A citizen answering the update template we sent to the number they left joins their ticket.
    const reference = await adoptNoticeRecipient(this.ds, {
      channel: WHATSAPP_CHANNEL,
      address: n.address,
      displayName: n.displayName,
      comuneId: account.comuneId,
    });
    try {
      const result = await this.ingest.ingest({
        channel: WHATSAPP_CHANNEL,
        comuneId: account.comuneId,
        externalId: n.externalId,
        sender: { address: n.address, displayName: n.displayName },
        text: withNotes(n.text, notes),
        attachments,
        location: n.location,
        locationOutside: 'note',
        // A shared position is a new report (caseTypeOf), not a reply to the notice.
        ticket: reference && !n.location ? { reference } : undefined,
      });
      return !result.duplicate;
    } catch (err) {
      // Meta would deliver a refused message for days: it is acknowledged and the refusal logged.
      if (err instanceof RejectedInputError) {
        this.logger.warn(`WhatsApp message ${n.externalId} refused: ${err.field} ${err.message}`);
        return false;
      }
      throw err;
    }
  }

  private async download(account: LoadedAccount, media: NormalizedWaMessage['media'][number]) {
    const max = this.config.maxAttachmentBytes;
    const fallbackName = {
      image: 'foto',
      document: 'documento',
      audio: media.voice ? 'messaggio-vocale' : 'audio',
      video: 'video',
      sticker: 'sticker',
    }[media.kind];
    const token = String(account.secrets.accessToken ?? '');
    const graph = new GraphApi(this.config.messaging.graphApiBaseUrl, token);
    let bytes: Buffer | null;
    try {
      const info = await graph.mediaInfo(media.id);
      if (info.file_size && info.file_size > max)
        return {
          ok: false as const,
          note: `[allegato «${media.filename ?? fallbackName}» non accettato: supera ${Math.floor(max / 1024 / 1024)} MB]`,
        };
      bytes = await readLimited(await graph.download(info.url), max);
    } catch (err) {
      if (err instanceof GraphApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
        return { ok: false as const, note: `[allegato «${media.filename ?? fallbackName}» non più disponibile su WhatsApp]` };
      }
      throw new MediaUnavailableError(redactSecrets(`WhatsApp media ${media.id} not downloadable now: ${(err as Error).message}`, [token]));
    }
    if (!bytes)
      return {
        ok: false as const,
        note: `[allegato «${media.filename ?? fallbackName}» non accettato: supera ${Math.floor(max / 1024 / 1024)} MB]`,
      };
    return storeInboundMedia(this.storage, bytes, {
      filename: media.filename ?? null,
      declaredType: media.mime_type ?? null,
      maxBytes: max,
      fallbackName,
    });
  }

  /**
   * sent → delivered → read, or failed with Meta's error said in Italian; never backwards. A status
   * can overtake the Graph API's answer to our send: one for a wamid not stored yet is kept and
   * applied when the send stores it (OutboundDelivery.reportStatus).
   */
  private async status(s: WaStatus): Promise<boolean> {
    if (typeof s.id !== 'string' || !s.id || s.id.length > 300 || !(s.status in STATUS_RANK)) return false;
    const error =
      s.status === 'failed'
        ? italianWaError(
            s.errors?.[0]?.code ?? null,
            s.errors?.[0]?.error_data?.details ?? s.errors?.[0]?.message ?? s.errors?.[0]?.title ?? 'errore sconosciuto',
          )
        : null;
    const at = /^\d{1,12}$/.test(String(s.timestamp)) ? new Date(Number(s.timestamp) * 1000) : null;
    return (await this.delivery.reportStatus(WHATSAPP_CHANNEL, s.id, s.status, error, at)) === 'applied';
  }
}
