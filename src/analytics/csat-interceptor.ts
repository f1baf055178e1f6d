import { Injectable } from '@nestjs/common';
import type { InboundMessage } from '../conversations/inbound-message.js';
import { InboundInterceptorProvider, type Claimed, type InboundInterceptor, type InterceptContext } from '../conversations/interceptors.js';
import { parseCsatReply, recordCsatReply } from './csat-replies.js';

/**
 * The satisfaction survey's text answer (src/analytics/csat-replies.ts) as the first inbound
 * interceptor: a message that reads as a 1–5 rating, from a known sender, answers the survey when
 * the survey is the last thing the citizen was asked (after the open ticket's last message, if any).
 */
@InboundInterceptorProvider()
@Injectable()
export class CsatReplyInterceptor implements InboundInterceptor {
  readonly name = 'csat-reply';
  readonly order = 100;

  candidate(msg: InboundMessage): boolean {
    return !msg.ticket?.forceNew && !msg.attachments?.length && !msg.location && parseCsatReply(msg.text) !== null;
  }

  async claim(msg: InboundMessage, ctx: InterceptContext): Promise<Claimed | null> {
    // An unknown sender was never surveyed; a reply naming an open ticket belongs to that ticket.
    if (ctx.identityId === null || ctx.citizenId === null || ctx.openTicketReferenced) return null;
    const csat = await recordCsatReply(ctx.m, {
      channel: msg.channel,
      comuneId: ctx.comuneId,
      externalId: msg.externalId,
      text: msg.text,
      identityId: ctx.identityId,
      citizenId: ctx.citizenId,
      reference: msg.ticket?.reference ? msg.ticket.reference.toUpperCase() : null,
      openTicketId: ctx.openTicketId,
      correlationId: ctx.correlationId,
    });
    return csat ? { ticket: csat.ticket, message: csat.message, outboxAdded: true } : null;
  }
}
