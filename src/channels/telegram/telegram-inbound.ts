import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Context, Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { RejectedInputError } from '../../common/errors.js';
import { ComuniService } from '../../comuni/comuni.service.js';
import { AttachmentStorage } from '../../storage/storage.js';
import type { InboundAttachment } from '../../conversations/inbound-message.js';
import type { LoadedAccount } from '../accounts/channel-accounts.service.js';
import { InboundExtras } from '../support/inbound-extras.js';
import { InboundIntake } from '../support/inbound-intake.js';
import { collectMedia, readLimited, storeInboundMedia, withNotes } from '../support/inbound-media.js';
import { ChannelRateLimiter } from '../support/rate-limiter.js';
import { redactSecrets } from '../support/secrets.js';
import { TelegramBots } from './telegram-bots.js';
import {
  messageOf,
  normalizeTelegramMessage,
  parseStatusCommand,
  TELEGRAM_CHANNEL,
  telegramAddress,
  type TelegramFileRef,
} from './telegram-normalize.js';
import { greeting, noTickets, notFound, refused, ticketState } from './telegram-texts.js';
import { InAccountComune } from '../../tenancy/db-scope.js';

/** A media download that may work later: the update is answered with a 5xx so Telegram delivers it again. */
class MediaUnavailableError extends Error {}

/**
 * Turns Telegram updates into stored messages. Commands (/start, /stato) are answered by the bot
 * itself and open no ticket; everything else goes through the ingest pipeline.
 */
@Injectable()
export class TelegramInbound {
  private readonly logger = new Logger(TelegramInbound.name);

  constructor(
    private readonly bots: TelegramBots,
    private readonly intake: InboundIntake,
    private readonly extras: InboundExtras,
    private readonly comuni: ComuniService,
    private readonly limiter: ChannelRateLimiter,
    private readonly ds: DataSource,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    bots.onCreate((bot, account) => this.install(bot, account));
  }

  /** Handles one update; resolves once what it carried is committed (then the webhook answers 200). */
  @InAccountComune()
  async handle(account: LoadedAccount, update: Update): Promise<void> {
    await this.bots.bot(account).handleUpdate(update);
  }

  private install(bot: Telegraf, account: LoadedAccount): void {
    bot.on(['message', 'edited_message'], async (ctx) => {
      const found = messageOf(ctx.update);
      if (!found) return;
      // Groups and channels are not a citizen's private conversation with the comune.
      if (found.message.chat.type !== 'private') return;
      const text = 'text' in found.message ? found.message.text : undefined;
      if (!found.edited && text !== undefined && text.startsWith('/')) {
        if (await this.command(ctx, account, text)) return;
      }
      await this.store(ctx, account, found.message, found.edited);
    });
  }

  private async command(ctx: Context, account: LoadedAccount, text: string): Promise<boolean> {
    const chatId = ctx.chat!.id;
    if (/^\/(start|help|aiuto)(@\w+)?(\s|$)/i.test(text)) {
      const comune = await this.comuni.getById(account.comuneId);
      await this.say(account, chatId, greeting(comune.name));
      return true;
    }
    const reference = parseStatusCommand(text);
    if (reference === null) return false;
    await this.say(account, chatId, await this.statusAnswer(account, chatId, reference));
    return true;
  }

  /** Only tickets this chat opened are told about: a reference alone proves nothing. */
  private async statusAnswer(account: LoadedAccount, chatId: number, reference: string): Promise<string> {
    const address = telegramAddress(account.id, chatId);
    const params: unknown[] = [TELEGRAM_CHANNEL, address];
    let filter = '';
    if (reference) {
      params.push(reference);
      filter = 'AND t.reference = $3';
    }
    const rows = await this.ds.query(
      `SELECT t.reference, t.status, t.subject FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id
        WHERE i.channel = $1 AND i.address = $2 ${filter} ORDER BY t.id DESC LIMIT 5`,
      params,
    );
    if (reference && !rows.length) return notFound(reference);
    if (!rows.length) return noTickets;
    return rows.map((r: any) => ticketState(r.reference, r.status, r.subject)).join('\n');
  }

  private async store(
    ctx: Context,
    account: LoadedAccount,
    message: Parameters<typeof normalizeTelegramMessage>[1],
    edited: boolean,
  ): Promise<void> {
    const n = normalizeTelegramMessage(account.id, message);
    if (edited) {
      // An edit of a message we hold changes it; an edit of one we never got is stored as that message.
      if (await this.extras.editMessage(TELEGRAM_CHANNEL, n.externalId, withNotes(n.text, n.notes))) return;
    }
    const outcome = await this.intake.receive(TELEGRAM_CHANNEL, account, n.externalId, async () => {
      const { attachments, notes } = await collectMedia(n.files, n.notes, (item) => this.download(account, item));
      return { address: n.address, displayName: n.displayName, text: withNotes(n.text, notes), attachments, location: n.location };
    });
    // Telegram would deliver the same refused update again and again: it is answered, and the citizen told why.
    if (outcome.kind === 'refused') await this.say(account, n.chatId, refused(italianReason(outcome.error))).catch(() => undefined);
  }

  private async download(
    account: LoadedAccount,
    f: TelegramFileRef,
  ): Promise<{ ok: true; attachment: InboundAttachment } | { ok: false; note: string }> {
    const max = this.config.maxAttachmentBytes;
    const fallbackName = { photo: 'foto', document: 'documento', voice: 'messaggio-vocale', audio: 'audio', video: 'video' }[f.kind];
    if (f.sizeBytes !== null && f.sizeBytes > max) {
      return { ok: false, note: `[allegato «${f.filename ?? fallbackName}» non accettato: supera ${Math.floor(max / 1024 / 1024)} MB]` };
    }
    const token = String(account.secrets.botToken);
    let bytes: Buffer | null;
    try {
      const link = await this.bots.bot(account).telegram.getFileLink(f.fileId);
      const res = await fetch(link, { signal: AbortSignal.timeout(30_000) });
      if (res.status === 404 || res.status === 400)
        return { ok: false, note: `[allegato «${f.filename ?? fallbackName}» non più disponibile su Telegram]` };
      if (!res.ok) throw new MediaUnavailableError(`file download answered ${res.status}`);
      bytes = await readLimited(res, max);
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 400) return { ok: false, note: `[allegato «${f.filename ?? fallbackName}» non più disponibile su Telegram]` };
      throw new MediaUnavailableError(redactSecrets(`Telegram file ${f.kind} not downloadable now: ${(err as Error).message}`, [token]));
    }
    if (!bytes)
      return { ok: false, note: `[allegato «${f.filename ?? fallbackName}» non accettato: supera ${Math.floor(max / 1024 / 1024)} MB]` };
    return storeInboundMedia(this.storage, bytes, { filename: f.filename, declaredType: f.declaredType, maxBytes: max, fallbackName });
  }

  /** The bot's own answers (commands, refusals) honour the same per-bot and per-chat limits as replies. */
  private async say(account: LoadedAccount, chatId: number, text: string): Promise<void> {
    await this.limiter.acquire([
      { key: `telegram:bot:${account.id}`, perSecond: 30 },
      { key: `telegram:chat:${account.id}:${chatId}`, perSecond: 1 },
    ]);
    await this.bots.bot(account).telegram.sendMessage(chatId, text);
  }
}

function italianReason(err: RejectedInputError): string {
  if (err.field === 'text' && err.status === 413) return 'il testo è troppo lungo';
  if (err.field === 'text') return 'il messaggio è vuoto';
  if (err.field.startsWith('location')) return 'la posizione non è valida';
  return `dato non valido (${err.field})`;
}
