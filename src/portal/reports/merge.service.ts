import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { appendEvents } from '../../cases/event-log.js';
import { CaseLifecycle, LOCKED_CASE_COLUMNS, type LockedCase } from '../../cases/case-lifecycle.js';
import { isFinishedStatus } from '../../cases/phases.js';
import { TicketNotifier } from '../../cases/ticket-notifier.js';
import type { Principal } from '../../common/tenant-scope.js';
import { normalizeContact } from '../../console/consents.js';
import { isTicketId, visibleTickets } from '../../tickets/ticket-visibility.js';
import { fieldError } from './submission.js';
import { newFollowerSecret } from './followers.js';

/**
 * Operators' side of public reports: merging a duplicate into the report it repeats, and marking a
 * photo publishable on the public map. Both act on tickets the operator may see, in their scope.
 */
@Injectable()
export class ReportModerationService {
  constructor(
    private readonly ds: DataSource,
    private readonly lifecycle: CaseLifecycle,
    private readonly notifier: TicketNotifier,
  ) {}

  private async visible(principal: Principal, id: string, field: string): Promise<{ id: string; comune_id: number; type: string }> {
    if (!isTicketId(id)) throw fieldError(404, field, `segnalazione ${id} non trovata`);
    const params: unknown[] = [id];
    const vis = visibleTickets(principal, params);
    const [t] = await this.ds.query(`SELECT t.id, t.comune_id, t.type FROM tickets t WHERE t.id = $1 AND ${vis}`, params);
    if (!t) throw fieldError(404, field, `segnalazione ${id} non trovata`);
    return t;
  }

  /**
   * Closes the duplicate (through the one lifecycle), notes on it the report it was merged into,
   * moves its followers and its reporter (the e-mail address they left) onto the target as
   * followers, and writes the merge in both reports' event logs — one transaction.
   */
  async merge(
    principal: Principal,
    duplicateId: string,
    intoId: unknown,
  ): Promise<{ duplicate: string; into: string; followersMoved: number }> {
    const into = typeof intoId === 'number' ? String(intoId) : typeof intoId === 'string' ? intoId : '';
    if (!into) throw fieldError(400, 'into', 'è obbligatorio: l’id della segnalazione in cui unire questa');
    const dup = await this.visible(principal, duplicateId, 'id');
    const target = await this.visible(principal, into, 'into');
    if (dup.id === target.id) throw fieldError(400, 'into', 'una segnalazione non si unisce a sé stessa');
    // Another comune's report does not exist for the operator (a metropolitan administrator sees both).
    if (dup.comune_id !== target.comune_id) throw fieldError(404, 'into', `segnalazione ${into} non trovata`);
    if (dup.type !== 'report') throw fieldError(400, 'id', 'solo le segnalazioni si uniscono');
    if (target.type !== 'report') throw fieldError(400, 'into', 'solo le segnalazioni si uniscono');
    const actor = { type: 'operator' as const, operatorId: principal.operatorId };
    const moved = await this.ds.transaction(async (m) => {
      // Both rows locked in id order: two merges in opposite directions cannot deadlock.
      const rows: Array<LockedCase> = await m.query(
        `SELECT ${LOCKED_CASE_COLUMNS} FROM tickets WHERE id IN ($1, $2) ORDER BY id FOR UPDATE`,
        [dup.id, target.id],
      );
      const d = rows.find((r) => String(r.id) === String(dup.id))!;
      const t = rows.find((r) => String(r.id) === String(target.id))!;
      if (isFinishedStatus(d.status)) throw fieldError(409, 'id', `la segnalazione ${d.reference} è già conclusa`);
      if (isFinishedStatus(t.status))
        throw fieldError(409, 'into', `la segnalazione ${t.reference} è già conclusa: scegliere una segnalazione aperta`);
      await this.lifecycle.change(m, d, { status: 'closed' }, actor);
      await m.query(
        `UPDATE tickets SET payload = payload || jsonb_build_object('mergedInto', $2::text), updated_at = now() WHERE id = $1`,
        [d.id, t.reference],
      );
      // Followers of the duplicate follow the target (one row per address: an address already there stays as it is).
      const followers = await m.query(
        `WITH moved AS (
           INSERT INTO report_followers (comune_id, ticket_id, email, source, token_hash)
           SELECT comune_id, $2, email, 'merged', token_hash FROM report_followers WHERE ticket_id = $1
           ON CONFLICT (ticket_id, email) DO NOTHING RETURNING id)
         SELECT count(*)::int AS n FROM moved`,
        [d.id, t.id],
      );
      await m.query(`DELETE FROM report_followers WHERE ticket_id = $1`, [d.id]);
      // The reporter of the duplicate: the e-mail address they left with it, when they asked for updates.
      const [updates]: Array<{ contact: string | null; granted: boolean }> = await m.query(
        `SELECT contact, granted FROM citizen_consents WHERE ticket_id = $1 AND purpose = 'updates' ORDER BY id DESC LIMIT 1`,
        [d.id],
      );
      const contact = updates?.granted && updates.contact ? normalizeContact(updates.contact) : null;
      const email = contact?.kind === 'email' ? contact.value : null;
      let reporter = 0;
      if (email) {
        const r = await m.query(
          `INSERT INTO report_followers (comune_id, ticket_id, email, source, token_hash) VALUES ($1, $2, $3, 'merged', $4)
           ON CONFLICT (ticket_id, email) DO NOTHING RETURNING id`,
          [t.comune_id, t.id, email, newFollowerSecret().hash],
        );
        reporter = r.length;
      }
      const n = followers[0].n + reporter;
      await appendEvents(m, [
        {
          ticketId: String(d.id),
          comuneId: d.comune_id,
          type: 'ticket.merged',
          actorType: 'operator',
          actorOperatorId: principal.operatorId,
          data: { into: String(t.id), intoReference: t.reference, followersMoved: n },
        },
        {
          ticketId: String(t.id),
          comuneId: t.comune_id,
          type: 'ticket.duplicate_merged',
          actorType: 'operator',
          actorOperatorId: principal.operatorId,
          data: { from: String(d.id), fromReference: d.reference, followersMoved: n },
        },
      ]);
      return n;
    });
    await this.notifier.notify([String(dup.id), String(target.id)], 'ticket.updated', 'updated');
    return { duplicate: String(dup.id), into: String(target.id), followersMoved: moved };
  }

  /** Marks an attachment of a report publishable on the public map (or not any more). */
  async setPublic(
    principal: Principal,
    ticketId: string,
    attachmentId: string,
    body: { public?: unknown },
  ): Promise<{ id: string; public: boolean }> {
    if (typeof body.public !== 'boolean') throw fieldError(400, 'public', 'deve essere true o false');
    const t = await this.visible(principal, ticketId, 'id');
    if (!isTicketId(attachmentId)) throw fieldError(404, 'aid', 'allegato non trovato');
    return this.ds.transaction(async (m) => {
      const [a] = await m.query(
        `SELECT a.id, a.content_type FROM attachments a JOIN messages msg ON msg.id = a.message_id
          WHERE a.id = $1 AND msg.ticket_id = $2 AND NOT msg.internal`,
        [attachmentId, t.id],
      );
      if (!a) throw fieldError(404, 'aid', 'allegato non trovato');
      if (body.public && (t.type !== 'report' || !String(a.content_type).startsWith('image/')))
        throw fieldError(400, 'public', 'solo le foto di una segnalazione si possono pubblicare sulla mappa');
      await m.query(`UPDATE attachments SET public = $2 WHERE id = $1`, [a.id, body.public]);
      await appendEvents(m, [
        {
          ticketId: String(t.id),
          comuneId: t.comune_id,
          type: body.public ? 'attachment.published' : 'attachment.unpublished',
          actorType: 'operator',
          actorOperatorId: principal.operatorId,
          data: { attachmentId: String(a.id) },
        },
      ]);
      return { id: String(a.id), public: body.public as boolean };
    });
  }
}
