import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import type { InboundMessage } from './inbound-message.js';

/** The case a message went to, as the ingest announces it. */
export interface CaseRow {
  id: string;
  reference: string;
  comune_id: number;
  group_id: number | null;
  assignee_id: number | null;
  offered_to_id: number | null;
  status: string;
}

/**
 * What an interceptor sees, in the transaction that will store the message if nobody claims it:
 * the sender's advisory lock is held, the open ticket (if any) is locked (`ingest_lookup`).
 */
export interface InterceptContext {
  m: EntityManager;
  comuneId: number;
  identityId: string | null;
  citizenId: string | null;
  /** The sender's open ticket in this comune, the one the message would join. */
  openTicketId: string | null;
  /** The message names that open ticket by its reference: it is a reply to it. */
  openTicketReferenced: boolean;
  correlationId?: string;
}

/** A claimed message: stored by the interceptor, on the case it chose, in the same transaction. */
export interface Claimed {
  ticket: CaseRow;
  /** The citizen's message as inserted (the shape ingest announces). */
  message: Record<string, unknown>;
  /** It queued outbox work (the relay is kicked after the commit). */
  outboxAdded: boolean;
}

/**
 * A message the interceptor handled without any case (a channel-linking code of the portal): it is
 * stored on no case and opens none; `afterCommit` runs once the interceptor's writes are committed
 * (its answer to the sender). The ingest then answers the channel with an empty ticket (`absorbed`).
 */
export interface Absorbed {
  absorbed: true;
  afterCommit?: () => Promise<void>;
}

export const isAbsorbed = (c: Claimed | Absorbed): c is Absorbed => 'absorbed' in c;

/**
 * May claim an inbound message before it opens or joins a case (a survey's answer, an FAQ answer, a
 * booking's "ANNULLA"). `candidate` is a cheap test without the database: a message no interceptor
 * is a candidate for goes through the group-commit path; the others take the per-message path where
 * `claim` runs, in order, until one claims.
 */
export interface InboundInterceptor {
  readonly name: string;
  /** Lower runs first. */
  readonly order: number;
  candidate(msg: InboundMessage): boolean;
  claim(msg: InboundMessage, ctx: InterceptContext): Promise<Claimed | Absorbed | null>;
}

/** Marks a provider as an inbound interceptor: a module adds one by providing such a class, no edit to the core. */
export const InboundInterceptorProvider = DiscoveryService.createDecorator<void>();

/** The ordered chain, found among the application's providers. */
@Injectable()
export class InboundInterceptors implements OnModuleInit {
  private chain: InboundInterceptor[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    this.chain = this.discovery
      .getProviders({ metadataKey: InboundInterceptorProvider.KEY })
      .map((w) => w.instance as InboundInterceptor)
      .filter((i) => i && typeof i.claim === 'function')
      .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  }

  get names(): string[] {
    return this.chain.map((i) => i.name);
  }

  /** The interceptors that may claim this message (none: the batch path). */
  candidates(msg: InboundMessage): InboundInterceptor[] {
    return this.chain.filter((i) => i.candidate(msg));
  }

  async claim(candidates: InboundInterceptor[], msg: InboundMessage, ctx: InterceptContext): Promise<Claimed | Absorbed | null> {
    for (const i of candidates) {
      const claimed = await i.claim(msg, ctx);
      if (claimed) return claimed;
    }
    return null;
  }
}
