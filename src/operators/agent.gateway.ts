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
import type { Namespace, Socket } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { AuthService } from '../auth/auth.service.js';
import { TenantScope, type Principal } from '../common/tenant-scope.js';
import { runInScope } from '../tenancy/db-scope.js';
import { Metrics } from '../ops/metrics.js';
import { PRESENCES, type Presence } from '../common/staff.js';
import { PresenceService } from './presence.service.js';
import type { AgentClientEvents, AgentServerEvents } from '../realtime/events.api.js';
import { rooms, roomsForPrincipal } from '../realtime/rooms.js';
import { ConversationSignals } from '../channels/webchat/conversation-signals.js';

type AgentSocket = Socket<AgentClientEvents, AgentServerEvents, Record<string, never>, { principal: Principal }>;

/**
 * The operators' real-time connection. The handshake carries the access token and is refused
 * before anything else happens when it is wrong; the socket then joins only the rooms of the
 * operator's own comune, groups and self.
 */
@WebSocketGateway({ namespace: '/agent' })
export class AgentGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(AgentGateway.name);
  @WebSocketServer() server!: Namespace;

  constructor(
    private readonly auth: AuthService,
    private readonly presence: PresenceService,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly signals: ConversationSignals,
  ) {}

  afterInit(ns: Namespace): void {
    ns.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      this.auth
        .verify(typeof token === 'string' ? token : undefined)
        .then((principal) => {
          socket.data.principal = principal;
          next();
        })
        .catch((err: Error) => next(new Error(`unauthorized: ${err.message}`)));
    });
  }

  async handleConnection(socket: AgentSocket): Promise<void> {
    const principal = socket.data.principal;
    if (!principal) return void socket.disconnect(true);
    this.metrics.socketConnections.inc({ namespace: '/agent' });
    await socket.join(roomsForPrincipal(principal));
    const wanted = (socket.handshake.auth as { presence?: string }).presence;
    const presence: Presence = wanted === 'away' || wanted === 'offline' ? wanted : 'online';
    try {
      await runInScope(TenantScope.ofPrincipal(principal), () => this.presence.set(principal, presence));
    } catch (err) {
      this.logger.warn(`presence on connect failed for operator ${principal.operatorId}: ${(err as Error).message}`);
    }
  }

  async handleDisconnect(socket: AgentSocket): Promise<void> {
    this.metrics.socketConnections.dec({ namespace: '/agent' });
    const principal = socket.data.principal;
    if (!principal) return;
    // A reload or a network blip is not leaving: wait, then go offline only if no socket came back.
    const timer = setTimeout(() => void this.offlineIfGone(principal), this.config.presenceGraceMs);
    timer.unref();
  }

  private async offlineIfGone(principal: Principal): Promise<void> {
    try {
      const sockets = await this.server.in(rooms.operator(principal.operatorId)).fetchSockets();
      if (sockets.length === 0) await runInScope(TenantScope.ofPrincipal(principal), () => this.presence.set(principal, 'offline'));
    } catch (err) {
      this.logger.warn(`presence check failed for operator ${principal.operatorId}: ${(err as Error).message}`);
    }
  }

  @SubscribeMessage('presence.set')
  async setPresence(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: { presence?: unknown }) {
    const presence = body?.presence;
    if (typeof presence !== 'string' || !(PRESENCES as readonly string[]).includes(presence)) {
      return { ok: false, error: `presence must be one of ${PRESENCES.join(', ')}` };
    }
    await this.presence.set(socket.data.principal, presence as Presence);
    return { ok: true };
  }

  @SubscribeMessage('typing')
  async typing(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: { ticketId?: unknown; typing?: unknown }): Promise<void> {
    if (typeof body?.ticketId !== 'string') return;
    await this.signals
      .operatorTyping(socket.data.principal, body.ticketId, body.typing === true)
      .catch((err: Error) => this.logger.debug(`typing signal dropped: ${err.message}`));
  }

  @SubscribeMessage('ticket.read')
  async read(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: { ticketId?: unknown; upToMessageId?: unknown }) {
    if (typeof body?.ticketId !== 'string' || typeof body.upToMessageId !== 'string')
      return { ok: false, error: 'ticketId and upToMessageId are required' };
    const ok = await this.signals.operatorRead(socket.data.principal, body.ticketId, body.upToMessageId);
    return ok ? { ok: true } : { ok: false, error: `ticket ${body.ticketId} not found` };
  }
}
