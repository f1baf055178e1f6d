import { Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { RejectedInputError } from '../common/errors.js';
import { CsatService } from './csat.service.js';

type CsatAck = { ok: true } | { ok: false; error: { status: number; field: string; message: string } };

/**
 * The `csat` event of the web chat: the citizen's rating of a resolved request. It lives on the
 * web-chat namespace, whose handshake (WebchatGateway) already authenticated the session and set
 * its comune and address; this gateway only adds the one event.
 */
@WebSocketGateway({ namespace: '/webchat' })
export class CsatGateway {
  private readonly logger = new Logger(CsatGateway.name);

  constructor(private readonly csat: CsatService) {}

  @SubscribeMessage('csat')
  async onCsat(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<CsatAck> {
    const data = socket.data as { comune?: { id: number }; address?: string };
    if (!data.comune || !data.address) return { ok: false, error: { status: 401, field: 'session', message: 'no web-chat session' } };
    try {
      await this.csat.answer('webchat', data.address, data.comune.id, body);
      return { ok: true };
    } catch (err) {
      if (err instanceof RejectedInputError) return { ok: false, error: { status: err.status, field: err.field, message: err.message } };
      this.logger.error({ err }, 'CSAT answer failed');
      return { ok: false, error: { status: 503, field: 'csat', message: 'the rating could not be stored, please retry' } };
    }
  }
}
