import { Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import { DataSource } from 'typeorm';
import { inComune } from '../../tenancy/db-scope.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RejectedInputError } from '../../common/errors.js';
import { newCorrelationId, withCorrelation } from '../../common/correlation.js';
import { ComuniService } from '../../comuni/comuni.service.js';
import type { Comune } from '../../comuni/comune.entity.js';
import { Metrics } from '../../ops/metrics.js';
import type { WebchatAck, WebchatClientEvents, WebchatServerEvents } from '../../realtime/events.api.js';
import { rooms } from '../../realtime/rooms.js';
import { ConversationSignals } from './conversation-signals.js';
import { MESSAGE_COLUMNS, toCitizenMessageView, toMessageView } from '../../cases/ticket-views.js';
import { IngestService } from '../../conversations/ingest.service.js';
import { WebchatSessions } from './webchat-session.js';
import { WebchatThrottle } from '../../security/throttle.js';

interface WebchatData {
  comune: Comune;
  address: string;
  token: string;
  sent: number[];
  /** No valid token came: a new session (throttled per address). */ newSession: boolean;
}
type WebchatSocket = Socket<WebchatClientEvents, WebchatServerEvents, Record<string, never>, WebchatData>;

export const WEBCHAT_CHANNEL = 'webchat';
const BURST = 10;
const BURST_WINDOW_MS = 10_000;

/** The citizen's side of the web chat a comune embeds in its site. */
@WebSocketGateway({ namespace: '/webchat' })
export class WebchatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(WebchatGateway.name);
  private readonly sessions: WebchatSessions;
  @WebSocketServer() server!: Namespace;

  constructor(
    private readonly comuni: ComuniService,
    private readonly ingest: IngestService,
    private readonly ds: DataSource,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly signals: ConversationSignals,
    private readonly throttle: WebchatThrottle,
  ) {
    this.sessions = new WebchatSessions(config.jwtSecret, config.channelSecurity.webchatSessionIdleMs);
  }

  afterInit(ns: Namespace): void {
    ns.use((socket, next) => {
      const auth = (socket.handshake.auth ?? {}) as { tenant?: unknown; sessionToken?: unknown };
      if (typeof auth.tenant !== 'string' || !/^[a-z0-9-]{1,60}$/.test(auth.tenant)) {
        return next(new Error('tenant: the comune slug is missing or malformed'));
      }
      this.comuni
        .findBySlug(auth.tenant)
        .then((comune) => {
          if (!comune) return next(new Error(`tenant: unknown comune "${String(auth.tenant)}"`));
          const session = this.openSession(comune, auth.sessionToken);
          socket.data.comune = comune;
          socket.data.sent = [];
          socket.data.address = session.address;
          socket.data.token = session.token;
          socket.data.newSession = session.isNew;
          next();
        })
        .catch(() => next(new Error('service temporarily unavailable')));
    });
    ns.use(this.throttle.newSessions()); // new sessions and new conversations per address (src/security/throttle.ts)
  }

  /**
   * The session of a connecting citizen: a still-valid token resumes its session with a renewed
   * token (sent back in `session`); none, a forged or an expired one starts a new session.
   */
  private openSession(comune: Comune, token: unknown): { address: string; token: string; isNew: boolean } {
    const resumed = this.sessions.resume(token, comune.id);
    return resumed ? { ...resumed, isNew: false } : { ...this.sessions.issue(comune.id), isNew: true };
  }

  async handleConnection(socket: WebchatSocket): Promise<void> {
    this.metrics.socketConnections.inc({ namespace: '/webchat' });
    const { comune, address } = socket.data;
    if (!comune) return void socket.disconnect(true);
    await socket.join(rooms.webchatSession(address));
    socket.emit('session', { sessionToken: socket.data.token, comune: { slug: comune.slug, name: comune.name } });
    try {
      socket.emit('history', await inComune(comune.id, () => this.history(address)));
    } catch (err) {
      this.logger.warn(`history for a web-chat session failed: ${(err as Error).message}`);
    }
  }

  handleDisconnect(): void {
    this.metrics.socketConnections.dec({ namespace: '/webchat' });
  }

  @SubscribeMessage('message')
  async onMessage(@ConnectedSocket() socket: WebchatSocket, @MessageBody() body: unknown): Promise<WebchatAck> {
    return withCorrelation(newCorrelationId(), async () => {
      try {
        const now = Date.now();
        socket.data.sent = socket.data.sent.filter((t) => now - t < BURST_WINDOW_MS);
        if (socket.data.sent.length >= BURST) throw new RejectedInputError('message', 'too many messages, please wait a few seconds', 429);
        socket.data.sent.push(now);
        const input = parseWebchatMessage(body);
        const result = await this.ingest.ingest({
          channel: WEBCHAT_CHANNEL,
          comuneId: socket.data.comune.id,
          externalId: `${socket.data.address}:${input.clientMessageId ?? randomUUID()}`,
          sender: { address: socket.data.address },
          text: input.text,
          location: input.location,
          // The web chat's position is the conversation's place, not a report of its own (caseTypeOf would make it one).
          ticket: { type: 'request' },
        });
        return { ok: true, ticketReference: result.ticketReference, messageId: result.messageId, duplicate: result.duplicate };
      } catch (err) {
        if (err instanceof RejectedInputError) {
          return { ok: false, error: { status: err.status, field: err.field, message: err.message } };
        }
        this.logger.error({ err }, 'web-chat message failed');
        return { ok: false, error: { status: 503, field: 'message', message: 'the message could not be stored, please retry' } };
      }
    });
  }

  @SubscribeMessage('typing')
  async onTyping(@ConnectedSocket() socket: WebchatSocket, @MessageBody() body: { typing?: unknown }): Promise<void> {
    await this.signals
      .citizenTyping(socket.data.address, body?.typing === true)
      .catch((err: Error) => this.logger.debug(`typing signal dropped: ${err.message}`));
  }

  @SubscribeMessage('read')
  async onRead(@ConnectedSocket() socket: WebchatSocket, @MessageBody() body: { upToMessageId?: unknown }): Promise<void> {
    if (typeof body?.upToMessageId !== 'string') return;
    await this.signals
      .citizenRead(socket.data.address, body.upToMessageId)
      .catch((err: Error) => this.logger.warn(`read state not stored: ${err.message}`));
  }

  /** The messages of the session's latest ticket, as the citizen sees them (no internal notes). */
  private async history(address: string): Promise<Parameters<WebchatServerEvents['history']>[0]> {
    const [t] = await this.ds.query(
      `SELECT t.id, t.reference FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id
        WHERE i.channel = $1 AND i.address = $2 ORDER BY t.id DESC LIMIT 1`,
      [WEBCHAT_CHANNEL, address],
    );
    if (!t) return { ticketReference: null, messages: [] };
    const rows = await this.ds.query(
      `SELECT ${MESSAGE_COLUMNS}, o.name AS operator_name FROM messages m LEFT JOIN operators o ON o.id = m.author_operator_id
        WHERE m.ticket_id = $1 AND NOT m.internal ORDER BY m.id DESC LIMIT 200`,
      [t.id],
    );
    return {
      ticketReference: t.reference,
      messages: rows.reverse().map((r: any) => toCitizenMessageView(toMessageView(r), t.reference, r.operator_name ?? undefined)),
    };
  }
}

export function parseWebchatMessage(body: unknown): {
  text: string | null;
  clientMessageId?: string;
  location: { lat: number; lng: number } | null;
} {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new RejectedInputError('message', 'must be an object with a "text"');
  const b = body as Record<string, unknown>;
  if (b.text !== undefined && b.text !== null && typeof b.text !== 'string') throw new RejectedInputError('text', 'must be a text');
  if (b.clientMessageId !== undefined && (typeof b.clientMessageId !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(b.clientMessageId))) {
    throw new RejectedInputError('clientMessageId', 'must be 1–100 letters, digits, "-" or "_"');
  }
  let location: { lat: number; lng: number } | null = null;
  if (b.location !== undefined && b.location !== null) {
    const l = b.location as Record<string, unknown>;
    if (typeof l !== 'object' || typeof l.lat !== 'number' || typeof l.lng !== 'number')
      throw new RejectedInputError('location', 'must be {lat, lng} numbers');
    location = { lat: l.lat, lng: l.lng };
  }
  return { text: (b.text as string | undefined) ?? null, clientMessageId: b.clientMessageId, location };
}
