import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, runsWorkers, type AppConfig } from '../../config/config.js';
import { redisOptionsFromUrl } from '../../jobs/redis-connection.js';
import { AttachmentStorage } from '../../storage/storage.js';
import type { InboundAttachment } from '../../conversations/inbound-message.js';
import { OutboundDelivery } from '../outbound-delivery.js';
import { ChannelAccountsService, type LoadedAccount } from '../accounts/channel-accounts.service.js';
import { InboundIntake } from '../support/inbound-intake.js';
import { storeInboundMedia, withNotes } from '../support/inbound-media.js';
import { normalizeWwebjsMessage, WHATSAPP_WEB_CHANNEL, type WwebjsMessage } from './wwebjs-normalize.js';
import { InSystemScope } from '../../tenancy/db-scope.js';
import { InAccountComune } from '../../tenancy/db-scope.js';
import type { Pairing } from './whatsapp-web.api.js';

/** What this channel needs of a whatsapp-web.js Client: its events, start, send, stop. */
export interface WwebjsClient extends EventEmitter {
  initialize(): Promise<void>;
  sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>): Promise<{ id: { _serialized: string } }>;
  destroy(): Promise<void>;
}
export type WwebjsClientFactory = (
  account: LoadedAccount,
) => Promise<{ client: WwebjsClient; media: (mimetype: string, data: string, filename: string) => unknown }>;
export const WWEBJS_CLIENT_FACTORY = Symbol('WWEBJS_CLIENT_FACTORY');

export type { Pairing, PairingState } from './whatsapp-web.api.js';

/**
 * Runs one whatsapp-web.js client (a headless Chromium from CHROMIUM_PATH, never downloaded) per
 * enabled whatsapp-web account, in the worker process. The session is kept with LocalAuth under
 * WHATSAPP_WEB_DATA_DIR, so a restart reconnects without a new QR code. The pairing state (and the
 * QR code to scan, when one is needed) is written to Redis, where the API reads it for the console.
 * A Redis lease makes sure only one process drives a session.
 */
@Injectable()
export class WhatsappWebSessions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WhatsappWebSessions.name);
  private readonly sessions = new Map<
    number,
    { client: WwebjsClient; media: (m: string, d: string, f: string) => unknown; ready: boolean; lease: NodeJS.Timeout | null }
  >();
  private readonly redis: Redis;
  private readonly owner = randomUUID();

  constructor(
    private readonly accounts: ChannelAccountsService,
    private readonly intake: InboundIntake,
    private readonly delivery: OutboundDelivery,
    private readonly ds: DataSource,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(WWEBJS_CLIENT_FACTORY) private readonly factory?: WwebjsClientFactory,
  ) {
    this.redis = new Redis({ ...redisOptionsFromUrl(config.redisUrl), lazyConnect: true, maxRetriesPerRequest: 2 });
    this.redis.on('error', () => undefined);
    accounts.addListener({ channel: WHATSAPP_WEB_CHANNEL, saved: (a) => this.restart(a) });
  }

  private key(accountId: number, what: 'pairing' | 'lease'): string {
    return `${this.config.redisPrefix}:wwebjs:${what}:${accountId}`;
  }

  @InSystemScope('whatsapp-web-start')
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.messaging.whatsappWebEnabled || !runsWorkers(this.config)) return;
    for (const account of await this.accounts.enabledOf(WHATSAPP_WEB_CHANNEL)) {
      void this.start(account).catch((err) =>
        this.logger.error(`whatsapp-web account ${account.id} did not start: ${(err as Error).message}`),
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const id of [...this.sessions.keys()]) await this.stop(id);
    this.redis.disconnect();
  }

  async pairing(accountId: number): Promise<Pairing> {
    const raw = await this.redis.get(this.key(accountId, 'pairing'));
    return raw ? (JSON.parse(raw) as Pairing) : { state: 'stopped', qr: null, detail: null, updatedAt: new Date(0).toISOString() };
  }

  isReady(accountId: number): boolean {
    return this.sessions.get(accountId)?.ready === true;
  }

  /** Starts the account's client with the configured factory (Chromium + LocalAuth by default). */
  async start(account: LoadedAccount): Promise<void> {
    if (this.sessions.has(account.id)) return;
    const got = await this.redis.set(this.key(account.id, 'lease'), this.owner, 'PX', 60_000, 'NX');
    if (got !== 'OK' && (await this.redis.get(this.key(account.id, 'lease'))) !== this.owner) {
      this.logger.log(`whatsapp-web account ${account.id} is driven by another process`);
      return;
    }
    const { client, media } = await (this.factory ?? defaultFactory(this.config))(account);
    this.attach(account, client, media);
    await this.setPairing(account.id, { state: 'starting', qr: null, detail: null });
    await client.initialize();
  }

  /** Wires a client's events; separate from start so a test can hand in a client built on loopback pieces. */
  attach(account: LoadedAccount, client: WwebjsClient, media: (m: string, d: string, f: string) => unknown): void {
    const lease = setInterval(() => {
      void this.redis.set(this.key(account.id, 'lease'), this.owner, 'PX', 60_000).catch(() => undefined);
    }, 20_000);
    lease.unref();
    const entry = { client, media, ready: false, lease };
    this.sessions.set(account.id, entry);
    client.on('qr', (qr: string) => {
      void this.setPairing(account.id, { state: 'qr', qr, detail: 'Inquadrare il codice con WhatsApp › Dispositivi collegati' });
    });
    client.on('authenticated', () => {
      void this.setPairing(account.id, { state: 'authenticated', qr: null, detail: null });
    });
    client.on('auth_failure', (msg: string) => {
      entry.ready = false;
      void this.setPairing(account.id, { state: 'auth_failure', qr: null, detail: String(msg) });
    });
    client.on('ready', () => {
      entry.ready = true;
      void this.setPairing(account.id, { state: 'ready', qr: null, detail: null });
    });
    client.on('disconnected', (reason: string) => {
      entry.ready = false;
      void this.setPairing(account.id, { state: 'disconnected', qr: null, detail: String(reason) });
    });
    client.on('message_ack', (msg: { id?: { _serialized?: string; fromMe?: boolean } }, ack: number) => {
      void this.acknowledged(account, msg, ack).catch((err) =>
        this.logger.warn(`whatsapp-web receipt for ${msg?.id?._serialized} not applied: ${(err as Error).message}`),
      );
    });
    client.on('message', (msg: WwebjsMessage) => {
      void this.receive(account, msg).catch((err) =>
        this.logger.error(`whatsapp-web message ${msg?.id?._serialized} not stored: ${(err as Error).message}`),
      );
    });
  }

  async stop(accountId: number): Promise<void> {
    const s = this.sessions.get(accountId);
    if (!s) return;
    this.sessions.delete(accountId);
    if (s.lease) clearInterval(s.lease);
    await s.client.destroy().catch(() => undefined);
    await this.redis.del(this.key(accountId, 'lease')).catch(() => undefined);
    await this.setPairing(accountId, { state: 'stopped', qr: null, detail: null }).catch(() => undefined);
  }

  private async restart(account: LoadedAccount): Promise<{ ok: boolean; detail: string }> {
    if (!this.config.messaging.whatsappWebEnabled)
      return { ok: true, detail: 'WHATSAPP_WEB_ENABLED is false: the session starts where it is enabled' };
    await this.stop(account.id);
    if (!account.enabled) return { ok: true, detail: 'session stopped' };
    void this.start(account).catch((err) =>
      this.logger.error(`whatsapp-web account ${account.id} did not start: ${(err as Error).message}`),
    );
    return { ok: true, detail: 'session starting: see the pairing state for the QR code' };
  }

  /** Sends on the account's session; the caller maps a missing or not-ready session to a retry. */
  async send(
    accountId: number,
    chatId: string,
    text: string,
    attachments: Array<{ bytes: Buffer; contentType: string; filename: string }>,
  ): Promise<string | undefined> {
    const s = this.sessions.get(accountId);
    if (!s || !s.ready) throw new Error('session not ready');
    let first: string | undefined;
    if (text.trim()) first = (await s.client.sendMessage(chatId, text)).id._serialized;
    for (const a of attachments) {
      const sent = await s.client.sendMessage(chatId, s.media(a.contentType, a.bytes.toString('base64'), a.filename));
      first ??= sent.id._serialized;
    }
    return first;
  }

  /** Stores a citizen's message; the library gives no redelivery, so the id keeps a replayed event harmless. */
  @InAccountComune()
  async receive(account: LoadedAccount, msg: WwebjsMessage): Promise<void> {
    const n = normalizeWwebjsMessage(account.id, msg);
    if (!n) return;
    const outcome = await this.intake.receive(WHATSAPP_WEB_CHANNEL, account, n.externalId, async () => {
      const attachments: InboundAttachment[] = [];
      const notes = [...n.notes];
      if (n.wantsMedia) {
        const media = await msg.downloadMedia().catch(() => undefined);
        if (!media) notes.push('[allegato non scaricabile da WhatsApp]');
        else {
          const got = await storeInboundMedia(this.storage, Buffer.from(media.data, 'base64'), {
            filename: media.filename ?? n.filename,
            declaredType: media.mimetype,
            maxBytes: this.config.maxAttachmentBytes,
            fallbackName: msg.type === 'ptt' ? 'messaggio-vocale' : msg.type,
          });
          if (got.ok) attachments.push(got.attachment);
          else notes.push(got.note);
        }
      }
      return { address: n.address, displayName: n.displayName, text: withNotes(n.text, notes), attachments, location: n.location };
    });
    if (outcome.kind === 'refused')
      this.logger.warn(`whatsapp-web message ${n.externalId} refused: ${outcome.error.field} ${outcome.error.message}`);
  }

  /**
   * A receipt for a message we sent (whatsapp-web.js's ACK: 1 server, 2 device, 3 read, 4 played,
   * -1 error) moves its delivery state forward, as the Cloud API's status webhooks do.
   */
  @InAccountComune()
  async acknowledged(account: LoadedAccount, msg: { id?: { _serialized?: string; fromMe?: boolean } }, ack: number): Promise<void> {
    const id = msg?.id?._serialized;
    if (!id || msg.id?.fromMe !== true) return;
    const status = ack === -1 ? 'failed' : ack === 1 ? 'sent' : ack === 2 ? 'delivered' : ack >= 3 ? 'read' : null;
    if (!status) return;
    // The first receipt can come before sendMessage returned and we stored the id: it is kept until then.
    await this.delivery.reportStatus(
      WHATSAPP_WEB_CHANNEL,
      `${account.id}:${id}`,
      status,
      status === 'failed' ? 'WhatsApp non ha potuto consegnare il messaggio' : null,
    );
  }

  private async setPairing(accountId: number, p: Omit<Pairing, 'updatedAt'>): Promise<void> {
    const value = JSON.stringify({ ...p, updatedAt: new Date().toISOString() });
    // A QR code is only good for a short while: it is not kept beyond that.
    if (p.state === 'qr') await this.redis.set(this.key(accountId, 'pairing'), value, 'PX', 120_000);
    else await this.redis.set(this.key(accountId, 'pairing'), value);
  }
}

/** The real thing: whatsapp-web.js with LocalAuth and the system Chromium, loaded only when used. */
export function defaultFactory(config: AppConfig): WwebjsClientFactory {
  return async (account) => {
    const lib = (await import('whatsapp-web.js')).default;
    const dataPath = resolve(config.messaging.whatsappWebDataDir);
    const client = new lib.Client({
      authStrategy: new lib.LocalAuth({ clientId: `account-${account.id}`, dataPath }),
      // The WhatsApp Web page is kept (and can be pinned) in the data dir, not in the working directory.
      webVersionCache: { type: 'local', path: join(dataPath, 'web-cache') },
      ...(config.messaging.whatsappWebVersion ? { webVersion: config.messaging.whatsappWebVersion } : {}),
      puppeteer: {
        executablePath: config.messaging.chromiumPath,
        headless: true,
        // LocalAuth puts Chromium's profile (the session) under dataPath/session-account-<id>.
        args: ['--no-sandbox', '--disable-dev-shm-usage'],
      },
    }) as unknown as WwebjsClient;
    return { client, media: (mimetype, data, filename) => new lib.MessageMedia(mimetype, data, filename) };
  };
}
