import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Telegraf } from 'telegraf';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { LoadedAccount } from '../accounts/channel-accounts.service.js';

/**
 * One telegraf instance per bot (per Telegram channel account), made on first use and replaced when
 * the account's token changes. Inbound handlers are installed by whoever asks for the bot first
 * (TelegramInbound); outbound uses only `bot.telegram`.
 */
@Injectable()
export class TelegramBots implements OnApplicationShutdown {
  private readonly logger = new Logger(TelegramBots.name);
  private readonly bots = new Map<number, { token: string; bot: Telegraf; polling: boolean }>();
  private installer: ((bot: Telegraf, account: LoadedAccount) => void) | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Set by the inbound side: how a new bot learns to handle updates. */
  onCreate(installer: (bot: Telegraf, account: LoadedAccount) => void): void {
    this.installer = installer;
  }

  bot(account: LoadedAccount): Telegraf {
    const token = String(account.secrets.botToken ?? '');
    const known = this.bots.get(account.id);
    if (known && known.token === token) return known.bot;
    if (known) this.drop(account.id);
    const bot = new Telegraf(token, {
      telegram: { apiRoot: this.config.messaging.telegramApiRoot, webhookReply: false },
      handlerTimeout: 60_000,
    });
    // telegraf asks getMe before handling the first update and keeps a failed answer for good (its
    // botInfoCall promise): one 502, or a bot whose API is unreachable, would refuse every update
    // until a restart. What it needs is known from the account (the id is the token's first part,
    // the username is stored), so an inbound update never waits on an outbound call.
    bot.botInfo = botInfoOf(account, token);
    // telegraf's default error handler sets process.exitCode and logs the update: errors go back
    // to the caller instead, who answers Telegram with a 5xx so the update is delivered again.
    bot.catch((err) => {
      throw err;
    });
    this.installer?.(bot, account);
    this.bots.set(account.id, { token, bot, polling: false });
    return bot;
  }

  /** Development: long polling instead of a webhook (telegraf deletes the webhook first). */
  startPolling(account: LoadedAccount): void {
    const bot = this.bot(account);
    const entry = this.bots.get(account.id)!;
    if (entry.polling) return;
    entry.polling = true;
    bot.launch({ allowedUpdates: ['message', 'edited_message'] }).catch((err: Error) => {
      entry.polling = false;
      this.logger.error(
        `polling for Telegram account ${account.id} stopped: ${err.message.split(String(account.secrets.botToken)).join('***')}`,
      );
    });
    this.logger.log(`Telegram account ${account.id}: long polling started`);
  }

  drop(accountId: number): void {
    const entry = this.bots.get(accountId);
    if (!entry) return;
    if (entry.polling) {
      try {
        entry.bot.stop('account changed');
      } catch {
        /* not running */
      }
    }
    this.bots.delete(accountId);
  }

  onApplicationShutdown(): void {
    for (const id of [...this.bots.keys()]) this.drop(id);
  }
}

/** What getMe would answer, from the account itself (Bot API `User` of the bot). */
export function botInfoOf(account: LoadedAccount, token: string): NonNullable<Telegraf['botInfo']> {
  const id = Number(/^(\d{1,20}):/.exec(token)?.[1] ?? 0);
  const username = typeof account.config.botUsername === 'string' ? account.config.botUsername : `bot${id}`;
  return {
    id,
    is_bot: true,
    first_name: account.label || username,
    username,
    can_join_groups: false,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
}
