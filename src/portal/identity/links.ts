import { Body, Controller, Delete, Get, HttpCode, Inject, Injectable, Logger, Param, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { createHmac, randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChannelRegistry } from '../../channels/channel-registry.js';
import { notFoundField } from '../../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { InboundMessage } from '../../conversations/inbound-message.js';
import {
  InboundInterceptorProvider,
  type Absorbed,
  type InboundInterceptor,
  type InterceptContext,
} from '../../conversations/interceptors.js';
import { Limiters } from '../../security/limiters.js';
import { CitizenAuth, CurrentCitizen, type Citizen } from './citizen-auth.js';
import { EmailLogin } from './email-login.js';
import { maskAddress } from './mask.js';
import type { LinkCode, LinkedChannel } from '../settings/settings.api.js';

export type LinkChannel = 'whatsapp' | 'telegram' | 'email';
export const LINK_CHANNELS: readonly LinkChannel[] = ['whatsapp', 'telegram', 'email'];
/** The message a citizen sends from the channel: `COLLEGA 482913`. */
const LINK_MESSAGE = /^\s*collega\s+(\d{6})\s*[.!]?\s*$/i;
export const LINK_CODE_TTL_SECONDS = 15 * 60;

/** The portal's channel for an inbound message's channel (both WhatsApp integrations are «WhatsApp»). */
const portalChannel = (channel: string): LinkChannel | null =>
  channel === 'whatsapp' || channel === 'whatsapp-web' ? 'whatsapp' : channel === 'telegram' || channel === 'email' ? channel : null;

/** The code's line of a message: an e-mail's first non-empty line (a signature or a quote may follow). */
export function linkCodeOf(text: string | null | undefined): string | null {
  const first = (text ?? '').split(/\r?\n/).find((l) => l.trim()) ?? '';
  return LINK_MESSAGE.exec(first)?.[1] ?? null;
}

const INSTRUCTIONS: Record<LinkChannel, (code: string) => string> = {
  whatsapp: (c) => `Invia il messaggio «COLLEGA ${c}» al numero WhatsApp del tuo comune entro 15 minuti.`,
  telegram: (c) => `Invia il messaggio «COLLEGA ${c}» al bot Telegram del tuo comune entro 15 minuti.`,
  email: (c) => `Invia un'e-mail con il testo «COLLEGA ${c}» all'indirizzo di posta del tuo comune entro 15 minuti.`,
};

export const LINKED_TEXT =
  'Collegamento riuscito: questo contatto è ora collegato alla tua area personale di Sportello. Puoi scollegarlo in qualsiasi momento dal portale.';
export const INVALID_TEXT =
  'Codice non valido o scaduto: nessun collegamento è stato fatto. Chiedi un nuovo codice nella tua area personale del portale.';
const LOCKED_TEXT = 'Troppi codici errati da questo contatto: riprova più tardi.';

/**
 * Linking a channel identity (a WhatsApp number, a Telegram chat, an e-mail address) to a portal
 * account, by a one-time code the citizen sends from that channel — never by a guess. The portal
 * hands out the code (hashed in portal_link_codes, 15 minutes); the code's message is claimed by
 * the inbound interceptor below before it opens or joins a case.
 */
@Injectable()
export class ChannelLinks {
  private readonly key: string;

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.key = createHmac('sha256', 'sportello-portal-link-code').update(config.jwtSecret).digest('hex');
  }

  hash(code: string): string {
    return createHmac('sha256', this.key).update(code).digest('hex');
  }

  /** A new code for the citizen (in the citizen's scope); an earlier unused code of the same channel is replaced. */
  async issue(accountId: string, channel: LinkChannel): Promise<LinkCode> {
    await this.ds.query(`DELETE FROM portal_link_codes WHERE account_id = $1 AND (channel = $2 OR expires_at < now())`, [
      accountId,
      channel,
    ]);
    for (;;) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const rows = await this.ds.query(
        `INSERT INTO portal_link_codes (code_hash, account_id, channel, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4)) ON CONFLICT (code_hash) DO NOTHING RETURNING expires_at`,
        [this.hash(code), accountId, channel, LINK_CODE_TTL_SECONDS],
      );
      // A live code of someone else with the same digits: draw again.
      if (rows.length) return { code, expiresAt: new Date(rows[0].expires_at).toISOString(), instructions: INSTRUCTIONS[channel](code) };
    }
  }

  /** The citizen's linked channels (their scope sees their own rows only). */
  async list(): Promise<LinkedChannel[]> {
    const rows = await this.ds.query(`SELECT id::text AS id, channel, address, linked_at FROM citizen_account_links ORDER BY id`);
    return rows.map((r: { id: string; channel: string; address: string; linked_at: Date }) => ({
      id: r.id,
      channel: r.channel,
      address: r.address,
      display: maskAddress(r.channel, r.address),
      linkedAt: new Date(r.linked_at).toISOString(),
    }));
  }

  /** Unlinks one of the citizen's channels; another citizen's (or none) → false. */
  async unlink(id: string): Promise<boolean> {
    if (!/^\d{1,18}$/.test(id)) return false;
    const rows = await this.ds.query(`WITH d AS (DELETE FROM citizen_account_links WHERE id = $1 RETURNING id) SELECT id FROM d`, [id]);
    return rows.length > 0;
  }
}

/**
 * `COLLEGA 482913` from WhatsApp, Telegram or e-mail: links the sender's channel identity to the
 * account that asked for the code, and answers on the same channel. A wrong or expired code is
 * answered «codice non valido». Either way the message is absorbed: it opens no case and joins
 * none. Wrong codes count against the sender (the login limiter, per channel address).
 */
@InboundInterceptorProvider()
@Injectable()
export class ChannelLinkInterceptor implements InboundInterceptor {
  readonly name = 'portal-link';
  readonly order = 50;
  private readonly logger = new Logger('PortalLinks');

  constructor(
    private readonly links: ChannelLinks,
    private readonly limiters: Limiters,
    private readonly registry: ChannelRegistry,
    private readonly mail: EmailLogin,
  ) {}

  candidate(msg: InboundMessage): boolean {
    return portalChannel(msg.channel) !== null && !msg.attachments?.length && !msg.location && linkCodeOf(msg.text) !== null;
  }

  async claim(msg: InboundMessage, ctx: InterceptContext): Promise<Absorbed | null> {
    const channel = portalChannel(msg.channel);
    const code = linkCodeOf(msg.text);
    if (!channel || !code) return null;
    // A provider's second delivery of a message already handled: absorbed again, not answered again.
    const first = await ctx.m.query(
      `INSERT INTO portal_link_messages (channel, external_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING external_id`,
      [msg.channel, msg.externalId],
    );
    if (!first.length) return { absorbed: true };
    const senderKey = `link:${msg.channel}:${msg.sender.address}`;
    const locked = (await this.limiters.loginAccount.peek(senderKey)).blockedMs > 0;
    let linked = false;
    if (!locked) {
      // The sender's identity in the registry, known to this comune from now on (created when new), under its RLS rules.
      const [identity] = await ctx.m.query(`SELECT identity_id FROM sportello_identity_link($1, $2, $3, $4)`, [
        msg.channel,
        msg.sender.address,
        ctx.comuneId,
        msg.sender.displayName ?? null,
      ]);
      const identityId = String(identity.identity_id);
      const [r] = await ctx.m.query(`SELECT sportello_redeem_link_code($1, $2, $3) AS account_id`, [
        this.links.hash(code),
        channel,
        identityId,
      ]);
      linked = r.account_id !== null;
      if (!linked) await this.limiters.loginAccount.hit(senderKey).catch(() => undefined);
    }
    const text = linked ? LINKED_TEXT : locked ? LOCKED_TEXT : INVALID_TEXT;
    return { absorbed: true, afterCommit: () => this.answer(msg, ctx.comuneId, text) };
  }

  /**
   * The answer on the sender's channel, after the commit. Not through the outbound queue: its
   * messages belong to a case (messages.ticket_id), and this exchange has none. WhatsApp and
   * Telegram through the channel's adapter (which applies the provider's rate limits), e-mail
   * through the portal's system mailer.
   */
  private async answer(msg: InboundMessage, comuneId: number, text: string): Promise<void> {
    if (msg.channel === 'email') {
      await this.mail.send(msg.sender.address, 'Sportello: collegamento del contatto', text);
      return;
    }
    const adapter = this.registry.get(msg.channel);
    if (!adapter) return this.logger.warn(`no adapter for ${msg.channel}: the link answer was not sent`);
    await adapter.deliver({
      messageId: `link-${msg.externalId}`,
      ticketId: '',
      ticketReference: '',
      comuneId,
      text,
      recipient: { channel: msg.channel, address: msg.sender.address, displayName: msg.sender.displayName ?? null },
      operatorName: null,
      attachments: [],
      createdAt: new Date(),
    });
  }
}

export class NewLinkDto {
  @ApiProperty({ enum: LINK_CHANNELS })
  @IsIn(LINK_CHANNELS, { message: 'deve essere whatsapp, telegram oppure email' })
  channel!: LinkChannel;
}

/** The citizen's linked channels: list, ask for a link code, unlink. */
@ApiTags('portal')
@Controller('api/portal/v1/me/links')
export class ChannelLinksController {
  constructor(private readonly links: ChannelLinks) {}

  @CitizenAuth({ assurance: 'email' })
  @Get()
  list(): Promise<LinkedChannel[]> {
    return this.links.list();
  }

  @CitizenAuth({ assurance: 'email' })
  @Post()
  @HttpCode(201)
  create(@CurrentCitizen() citizen: Citizen, @Body() body: NewLinkDto): Promise<LinkCode> {
    return this.links.issue(citizen.id, body.channel);
  }

  @CitizenAuth({ assurance: 'email' })
  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    if (!(await this.links.unlink(id))) throw notFoundField('id', 'collegamento non trovato');
  }
}
