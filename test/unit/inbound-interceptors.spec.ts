import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { InboundMessage } from '../../src/conversations/inbound-message.js';
import {
  InboundInterceptorProvider,
  InboundInterceptors,
  type Claimed,
  type InboundInterceptor,
  type InterceptContext,
} from '../../src/conversations/interceptors.js';
import { caseTypeOf } from '../../src/conversations/ingest.service.js';

/** A module adds an interceptor by providing a class; the chain runs in `order` until one claims. */
describe('inbound interceptors', () => {
  const calls: string[] = [];

  @InboundInterceptorProvider()
  @Injectable()
  class Annulla implements InboundInterceptor {
    readonly name = 'annulla';
    readonly order = 200;
    candidate(msg: InboundMessage) {
      return msg.text === 'ANNULLA';
    }
    async claim(_msg: InboundMessage, ctx: InterceptContext): Promise<Claimed | null> {
      calls.push(this.name);
      return ctx.openTicketId
        ? {
            ticket: {
              id: ctx.openTicketId,
              reference: 'X',
              comune_id: 1,
              group_id: null,
              assignee_id: null,
              offered_to_id: null,
              status: 'closed',
            },
            message: { id: '1' },
            outboxAdded: false,
          }
        : null;
    }
  }

  @InboundInterceptorProvider()
  @Injectable()
  class Faq implements InboundInterceptor {
    readonly name = 'faq';
    readonly order = 50;
    candidate() {
      return true;
    }
    async claim(): Promise<Claimed | null> {
      calls.push(this.name);
      return null;
    }
  }

  /** Not an interceptor: no decorator, not in the chain. */
  @Injectable()
  class Other {}

  const msg = (text: string): InboundMessage => ({ channel: 'telegram', comuneId: 1, externalId: 'x', sender: { address: 'a' }, text });

  it('finds the decorated providers, in order, and stops at the first claim', async () => {
    const mod = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [InboundInterceptors, Annulla, Faq, Other],
    }).compile();
    await mod.init();
    const chain = mod.get(InboundInterceptors);
    expect(chain.names).toEqual(['faq', 'annulla']);
    expect(chain.candidates(msg('ciao')).map((i) => i.name)).toEqual(['faq']);
    const candidates = chain.candidates(msg('ANNULLA'));
    const ctx = { m: {} as never, comuneId: 1, identityId: '1', citizenId: '1', openTicketReferenced: false };
    expect(await chain.claim(candidates, msg('ANNULLA'), { ...ctx, openTicketId: null })).toBeNull();
    expect(((await chain.claim(candidates, msg('ANNULLA'), { ...ctx, openTicketId: '7' })) as Claimed | null)?.ticket.id).toBe('7');
    expect(calls).toEqual(['faq', 'annulla', 'faq', 'annulla']);
    await mod.close();
  });

  it('a position means a report, unless the message names its type', () => {
    expect(caseTypeOf(msg('qui'))).toBe('request');
    expect(caseTypeOf({ ...msg('qui'), location: { lat: 41.1, lng: 16.8 } })).toBe('report');
    expect(caseTypeOf({ ...msg('qui'), location: { lat: 41.1, lng: 16.8 }, ticket: { type: 'request' } })).toBe('request');
  });
});
