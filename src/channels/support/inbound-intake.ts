import { Injectable, NotFoundException, ServiceUnavailableException, type Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RejectedInputError } from '../../common/errors.js';
import type { InboundAttachment, InboundMessage, IngestResult } from '../../conversations/inbound-message.js';
import { IngestService } from '../../conversations/ingest.service.js';
import { ChannelAccountsService, type LoadedAccount } from '../accounts/channel-accounts.service.js';

/** A citizen's chat message as a messaging adapter read it, its media already stored. */
export interface ChatMessage {
  address: string;
  displayName: string | null;
  text: string | null;
  attachments: InboundAttachment[];
  location: { lat: number; lng: number } | null;
  /** Thread into this ticket (a citizen answering a notice we sent to the contact they left). */
  reference?: string | null;
}

/** What became of a chat message: stored (or found stored by the pipeline), already stored before its media were fetched, or refused. */
export type IntakeOutcome = { kind: 'stored'; result: IngestResult } | { kind: 'seen' } | { kind: 'refused'; error: RejectedInputError };

/**
 * The inbound half every messaging adapter (Telegram, WhatsApp Cloud, whatsapp-web) shares, so
 * they differ only in how they read their provider: the account a webhook names, storing a chat
 * message through the ingest pipeline, and answering the provider only once it is committed.
 *
 * The contract with the providers: 200 after commit (a crash before it makes them deliver again,
 * and the provider's message id makes that harmless); 5xx when it could not be stored now (they
 * retry); a message the pipeline refuses (empty, too long, a position that is not one) is still
 * acknowledged, since a provider would deliver it again for days.
 */
@Injectable()
export class InboundIntake {
  constructor(
    private readonly accounts: ChannelAccountsService,
    private readonly ingest: IngestService,
    private readonly ds: DataSource,
  ) {}

  /** The enabled account of a channel that a webhook URL names; an unknown and a disabled one are the same 404. */
  async webhookAccount(channel: string, accountId: string, notFound: string): Promise<LoadedAccount> {
    const account = await this.accounts.load(accountId, channel);
    if (!account || !account.enabled) throw new NotFoundException(notFound);
    return account;
  }

  /**
   * Stores one chat message of an account; resolves once it is committed. `prepare` reads the
   * message and fetches its media, and is skipped for a message stored already (a provider's
   * re-delivery). A refused message resolves with the refusal, for the adapter to tell the
   * citizen or log: it is acknowledged like the others.
   */
  async receive(channel: string, account: LoadedAccount, externalId: string, prepare: () => Promise<ChatMessage>): Promise<IntakeOutcome> {
    const seen = await this.ds.query(`SELECT 1 FROM messages WHERE channel = $1 AND external_id = $2`, [channel, externalId]);
    if (seen.length) return { kind: 'seen' };
    const m = await prepare();
    const message: InboundMessage = {
      channel,
      comuneId: account.comuneId,
      externalId,
      sender: { address: m.address, displayName: m.displayName },
      text: m.text,
      attachments: m.attachments,
      location: m.location,
      // A chat provider cannot be answered with an error: a position outside the comuni is kept as a note.
      locationOutside: 'note',
      // A shared position is a new report (the core's caseTypeOf decides), not a reply to a notice.
      ticket: m.reference && !m.location ? { reference: m.reference } : undefined,
    };
    try {
      return { kind: 'stored', result: await this.ingest.ingest(message) };
    } catch (err) {
      if (err instanceof RejectedInputError) return { kind: 'refused', error: err };
      throw err;
    }
  }

  /**
   * Runs what a webhook delivery carries, to commit. Any failure becomes a 503 (logged as
   * `failure`, the retry message being the provider-facing answer) so that the provider delivers
   * the same payload again.
   */
  async acknowledgeAfterCommit<T>(logger: Logger, on: { failure: string; retry: string }, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      logger.warn(`${on.failure}: ${(err as Error).message}`);
      throw new ServiceUnavailableException(on.retry);
    }
  }
}
