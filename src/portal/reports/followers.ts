import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { appendEvents } from '../../cases/event-log.js';
import { isOpenStatus } from '../../cases/phases.js';
import { contactRoute } from '../../channels/notifications/contact-route.js';
import { insertMessage } from '../../conversations/messages.js';
import { appendOutbox, OutboxRelay } from '../../outbox/outbox.js';
import { InSystemScope, inComune } from '../../tenancy/db-scope.js';
import type { FollowResponse } from './reports.api.js';
import { checkEmail, fieldError } from './submission.js';
import { PortalReportsService } from './reports.service.js';
import { PollingPass } from '../../jobs/polling.js';

export type FollowerNoticeKind = 'followed' | 'taken_in_charge' | 'resolved';

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** A follower's token: `<comune>.<follower id>.<secret>`; only the secret's hash is stored. */
export function newFollowerSecret(): { secret: string; hash: string } {
  const secret = randomBytes(24).toString('base64url');
  return { secret, hash: hash(secret) };
}

export function followerToken(comuneId: number, followerId: string, secret: string): string {
  return `${comuneId}.${followerId}.${secret}`;
}

function followerText(kind: FollowerNoticeKind, reference: string, comune: string, unfollowUrl: string): string {
  const tail = `\n\nPer non ricevere più aggiornamenti su questa segnalazione: ${unfollowUrl}`;
  switch (kind) {
    case 'followed':
      return `Da ora riceverà a questo indirizzo gli aggiornamenti sulla segnalazione ${reference} del Comune di ${comune}: quando sarà presa in carico e quando sarà risolta.${tail}`;
    case 'taken_in_charge':
      return `La segnalazione ${reference} che segue è stata presa in carico dagli uffici del Comune di ${comune}.${tail}`;
    case 'resolved':
      return `La segnalazione ${reference} che segue è stata risolta. Grazie per la collaborazione con il Comune di ${comune}.${tail}`;
  }
}

/**
 * Queues one notice to one follower, exactly once per (follower, report, kind): the unique key of
 * report_follower_notices decides, in the caller's transaction. The notice is a system message on
 * the report (the operators see it; the case page of the reporter does not) sent on the comune's
 * e-mail channel through its outbound queue.
 */
export async function queueFollowerNotice(
  m: EntityManager,
  f: {
    followerId: string;
    ticketId: string;
    comuneId: number;
    email: string;
    reference: string;
    comune: string;
    /** The comune's slug: the unfollow page is the comune's (`/<slug>/segnalazioni/non-seguire`). */
    slug: string;
    secret?: string;
  },
  kind: FollowerNoticeKind,
  publicBaseUrl: string,
  eventId: string | null,
): Promise<boolean> {
  const [row] = await m.query(
    `INSERT INTO report_follower_notices (comune_id, follower_id, ticket_id, kind, event_id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (follower_id, ticket_id, kind) DO NOTHING RETURNING id`,
    [f.comuneId, f.followerId, f.ticketId, kind, eventId],
  );
  if (!row) return false;
  // A notice after the first carries a fresh token: the stored hash changes, the old links stop working.
  let secret = f.secret;
  if (!secret) {
    const s = newFollowerSecret();
    secret = s.secret;
    await m.query(`UPDATE report_followers SET token_hash = $2 WHERE id = $1`, [f.followerId, s.hash]);
  }
  const url = `${publicBaseUrl}/${f.slug}/segnalazioni/non-seguire?token=${encodeURIComponent(followerToken(f.comuneId, f.followerId, secret))}`;
  const route = await contactRoute(m, f.comuneId, { kind: 'email', value: f.email });
  const unavailable = 'unavailable' in route ? route.unavailable : null;
  const msg = await insertMessage(m, {
    ticketId: f.ticketId,
    comuneId: f.comuneId,
    direction: 'outbound',
    authorType: 'system',
    text: followerText(kind, f.reference, f.comune, url),
    channel: route.channel,
    deliveryStatus: unavailable ? 'failed' : 'queued',
    deliveryError: unavailable,
    recipientAddress: 'address' in route ? route.address : null,
  });
  await m.query(`UPDATE report_follower_notices SET message_id = $2 WHERE id = $1`, [row.id, msg.id]);
  await appendEvents(m, [
    {
      ticketId: f.ticketId,
      comuneId: f.comuneId,
      type: unavailable ? 'follower.not_notified' : 'follower.notified',
      actorType: 'system',
      data: { kind, followerId: f.followerId, messageId: String(msg.id), ...(unavailable ? { reason: unavailable } : {}) },
    },
  ]);
  if (!unavailable) await appendOutbox(m, 'message.deliver', { messageId: String(msg.id), comuneId: f.comuneId, channel: route.channel });
  return true;
}

/** "Segui questa": an e-mail address told when a report is taken in charge and resolved. */
@Injectable()
export class FollowersService {
  constructor(
    private readonly ds: DataSource,
    private readonly reports: PortalReportsService,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async follow(referenceRaw: string, body: { email?: unknown; consent?: unknown }): Promise<FollowResponse & { created: boolean }> {
    const email = checkEmail(body.email);
    if (body.consent !== true && body.consent !== 'true')
      throw fieldError(400, 'consent', 'occorre acconsentire all’uso dell’indirizzo e-mail per gli aggiornamenti');
    const reference = referenceRaw.trim().toUpperCase();
    const comune = await this.reports.comuneOfReference(reference);
    if (!comune) throw fieldError(404, 'reference', 'segnalazione non trovata');
    const created = await inComune(comune.id, () =>
      this.ds.transaction(async (m) => {
        const [t] = await m.query(
          `SELECT id, reference, status, comune_id FROM tickets WHERE reference = $1 AND type = 'report' AND comune_id = $2`,
          [reference, comune.id],
        );
        if (!t) throw fieldError(404, 'reference', 'segnalazione non trovata');
        if (!isOpenStatus(t.status)) throw fieldError(409, 'reference', 'la segnalazione è già conclusa: non si può più seguire');
        const s = newFollowerSecret();
        const [f] = await m.query(
          `INSERT INTO report_followers (comune_id, ticket_id, email, source, token_hash) VALUES ($1, $2, $3, 'follow', $4)
           ON CONFLICT (ticket_id, email) DO NOTHING RETURNING id`,
          [t.comune_id, t.id, email, s.hash],
        );
        if (!f) return false;
        await appendEvents(m, [
          {
            ticketId: String(t.id),
            comuneId: t.comune_id,
            type: 'report.followed',
            actorType: 'citizen',
            data: { followerId: String(f.id) },
          },
        ]);
        await queueFollowerNotice(
          m,
          {
            followerId: String(f.id),
            ticketId: String(t.id),
            comuneId: t.comune_id,
            email,
            reference: t.reference,
            comune: comune.name,
            slug: comune.slug,
            secret: s.secret,
          },
          'followed',
          this.config.messaging.publicBaseUrl,
          null,
        );
        return true;
      }),
    );
    if (created) this.relay.kick();
    return { reference, created };
  }

  async unfollow(token: unknown): Promise<void> {
    const m = typeof token === 'string' ? /^(\d{1,9})\.(\d{1,18})\.([A-Za-z0-9_-]{20,64})$/.exec(token) : null;
    if (!m) throw fieldError(404, 'token', 'collegamento non valido o già usato');
    const removed = await inComune(Number(m[1]), async () => {
      const rows = await this.ds.query(`SELECT id, ticket_id, comune_id FROM report_followers WHERE id = $1 AND token_hash = $2`, [
        m[2],
        hash(m[3]),
      ]);
      if (!rows.length) return false;
      await this.ds.transaction(async (tx) => {
        await tx.query(`DELETE FROM report_followers WHERE id = $1`, [rows[0].id]);
        await appendEvents(tx, [
          {
            ticketId: String(rows[0].ticket_id),
            comuneId: rows[0].comune_id,
            type: 'report.unfollowed',
            actorType: 'citizen',
            data: { followerId: String(rows[0].id) },
          },
        ]);
      });
      return true;
    });
    if (!removed) throw fieldError(404, 'token', 'collegamento non valido o già usato');
  }
}

/** Events older than this are not told to followers any more. */
const LOOKBACK = '1 hour';

/**
 * Tells followers of a report (and the reporters of duplicates merged into it) when it is taken in
 * charge and when it is resolved: reads the event log, and queues each notice once per follower
 * and kind (queueFollowerNotice). Runs with the workers.
 */
@Injectable()
export class FollowerNotifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly polling: PollingPass;

  constructor(
    private readonly ds: DataSource,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.polling = new PollingPass('follower scan', () => this.pass(), config.messaging.notifyPollMs, new Logger(FollowerNotifier.name));
  }

  onApplicationBootstrap(): void {
    this.polling.start(() => this.scan());
  }

  onApplicationShutdown(): void {
    this.polling.stop();
  }

  @InSystemScope('portal-followers')
  scan(): Promise<number> {
    return this.polling.run();
  }

  private async pass(): Promise<number> {
    const pending: Array<{
      event_id: string;
      kind: FollowerNoticeKind;
      follower_id: string;
      ticket_id: string;
      comune_id: number;
      email: string;
      reference: string;
      comune: string;
      slug: string;
    }> = await this.ds.query(
      `WITH e AS (
         SELECT e.id, e.ticket_id, CASE WHEN e.type = 'ticket.assigned' THEN 'taken_in_charge' ELSE 'resolved' END AS kind
           FROM ticket_events e
          WHERE e.created_at > now() - interval '${LOOKBACK}'
            AND (e.type = 'ticket.assigned' OR (e.type = 'status.changed' AND e.data->>'to' = 'resolved'))
            AND EXISTS (SELECT 1 FROM report_followers f WHERE f.ticket_id = e.ticket_id))
       SELECT DISTINCT ON (f.id, e.kind) e.id AS event_id, e.kind, f.id AS follower_id, f.ticket_id, f.comune_id, f.email,
              t.reference, c.name AS comune, c.slug
         FROM e JOIN report_followers f ON f.ticket_id = e.ticket_id
         JOIN tickets t ON t.id = e.ticket_id JOIN comuni c ON c.id = t.comune_id
        WHERE NOT EXISTS (SELECT 1 FROM report_follower_notices n WHERE n.follower_id = f.id AND n.ticket_id = f.ticket_id AND n.kind = e.kind)
          -- News no longer true is not sent (resolved, then reopened).
          AND ((e.kind = 'resolved' AND t.status = 'resolved') OR (e.kind = 'taken_in_charge' AND t.status IN ('new','open','waiting_citizen')))
        ORDER BY f.id, e.kind, e.id
        LIMIT 500`,
    );
    let queued = 0;
    for (const p of pending) {
      const done = await this.ds.transaction(async (m) => {
        // The report row first, as every writer of a ticket does.
        await m.query(`SELECT id FROM tickets WHERE id = $1 FOR NO KEY UPDATE`, [p.ticket_id]);
        const [still] = await m.query(`SELECT 1 FROM report_followers WHERE id = $1 AND ticket_id = $2`, [p.follower_id, p.ticket_id]);
        if (!still) return false;
        return queueFollowerNotice(
          m,
          {
            followerId: String(p.follower_id),
            ticketId: String(p.ticket_id),
            comuneId: p.comune_id,
            email: p.email,
            reference: p.reference,
            comune: p.comune,
            slug: p.slug,
          },
          p.kind,
          this.config.messaging.publicBaseUrl,
          String(p.event_id),
        );
      });
      if (done) queued++;
    }
    if (queued) this.relay.kick();
    return queued;
  }
}
