import type { EntityManager } from 'typeorm';
import { appendEvents } from '../../cases/event-log.js';
import { updateReturning } from '../../database/sql.js';
import type { AttachmentStorage } from '../../storage/storage.js';

export type AnonymiseReason = 'erasure' | 'retention';

/** What replaces a message the citizen wrote. */
export const REMOVED_TEXT: Record<AnonymiseReason, string> = {
  erasure: '[rimosso su richiesta dell’interessato]',
  retention: '[rimosso: scaduto il periodo di conservazione]',
};

/** The marker of an identity whose address was removed (the unique (channel, address) is freed). */
export const REMOVED_ADDRESS_PREFIX = 'rimosso:';

/** Keys of a case's payload that may name or reach a person (the rest — the address of a report, a category's fields — stays). */
const PERSONAL_PAYLOAD_KEYS = ['name', 'email', 'phone', 'contact', 'citizen', 'fiscalCode', 'description'];

export interface AnonymisedCounts {
  cases: number;
  messages: number;
  attachments: number;
  identities: number;
  /** Cases per comune (the event log records one line per comune). */
  byComune: Record<number, number>;
}

export const noCounts = (): AnonymisedCounts => ({ cases: 0, messages: 0, attachments: 0, identities: 0, byComune: {} });

export function addCounts(a: AnonymisedCounts, b: AnonymisedCounts): AnonymisedCounts {
  const byComune = { ...a.byComune };
  for (const [k, v] of Object.entries(b.byComune)) byComune[Number(k)] = (byComune[Number(k)] ?? 0) + v;
  return {
    cases: a.cases + b.cases,
    messages: a.messages + b.messages,
    attachments: a.attachments + b.attachments,
    identities: a.identities + b.identities,
    byComune,
  };
}

/**
 * Removes the personal data of closed cases, keeping what the administration must keep: the case row
 * with its reference, comune, type, category, status, dates and event log (the fact that a request
 * existed and how it was handled). The one piece of code behind an erasure request and the retention
 * sweep (src/portal/privacy/erasure.ts, retention.ts).
 *
 * Removed: the texts the citizen wrote and the automatic messages that quote them or address the
 * citizen (acknowledgements, notices: replaced by a marker; an operator's answer is the administration's
 * and stays), the files the citizen sent (deleted from
 * storage; their rows marked removed, the file name cleared), the subject, personal keys of the payload,
 * rating comments, the contact of the case's consents, the followers' e-mail addresses, the recipient
 * address of the messages sent. Then the case's channel identities, once none of their cases keeps
 * personal data and no portal account holds them: address and name removed, and the citizen's name
 * once no identity of theirs has an address left.
 *
 * Open cases and cases already anonymised are skipped (the caller may pass any ids); runs in the
 * caller's transaction and scope (a system scope: a file may be shared by cases of other comuni).
 * Idempotent: a second run finds nothing left to do; files are deleted before the commit, and
 * deleting one already gone is no error, so a run interrupted after deleting files repeats cleanly.
 */
export async function anonymiseCases(
  m: EntityManager,
  storage: AttachmentStorage,
  ticketIds: readonly string[],
  reason: AnonymiseReason,
): Promise<AnonymisedCounts> {
  const counts = noCounts();
  if (!ticketIds.length) return counts;
  const cases: Array<{ id: string; comune_id: number; identity_id: string }> = await m.query(
    `SELECT id::text AS id, comune_id, citizen_identity_id::text AS identity_id FROM tickets
      WHERE id = ANY($1::bigint[]) AND anonymised_at IS NULL AND NOT case_is_open(status)
      ORDER BY id FOR UPDATE`,
    [ticketIds],
  );
  if (!cases.length) return counts;
  const ids = cases.map((c) => c.id);

  // Files the citizen sent: rows marked removed, then the bytes deleted unless another live row shares them.
  const files = await updateReturning<{ id: string; storage_key: string }>(
    m,
    `UPDATE attachments a SET removed_at = now(), filename = 'rimosso'
       FROM messages msg
      WHERE msg.id = a.message_id AND msg.ticket_id = ANY($1::bigint[]) AND msg.author_type = 'citizen' AND a.removed_at IS NULL
      RETURNING a.id::text AS id, a.storage_key`,
    [ids],
  );
  if (files.length) {
    const keys = [...new Set(files.map((f) => f.storage_key))];
    const shared: Array<{ storage_key: string }> = await m.query(
      `SELECT DISTINCT storage_key FROM attachments WHERE storage_key = ANY($1::text[]) AND removed_at IS NULL`,
      [keys],
    );
    const keep = new Set(shared.map((s) => s.storage_key));
    for (const key of keys) if (!keep.has(key)) await storage.remove(key);
  }

  const texts = await updateReturning(
    m,
    `UPDATE messages SET text = $2
      WHERE ticket_id = ANY($1::bigint[]) AND author_type IN ('citizen', 'system', 'bot') AND text IS NOT NULL AND text <> $2 RETURNING id`,
    [ids, REMOVED_TEXT[reason]],
  );
  await m.query(`UPDATE messages SET recipient_address = NULL WHERE ticket_id = ANY($1::bigint[]) AND recipient_address IS NOT NULL`, [
    ids,
  ]);
  await m.query(`UPDATE email_messages SET subject = NULL WHERE ticket_id = ANY($1::bigint[]) AND subject IS NOT NULL`, [ids]);
  await m.query(`UPDATE csat_surveys SET comment = NULL WHERE ticket_id = ANY($1::bigint[]) AND comment IS NOT NULL`, [ids]);
  await m.query(`UPDATE citizen_consents SET contact = NULL WHERE ticket_id = ANY($1::bigint[]) AND contact IS NOT NULL`, [ids]);
  await m.query(`DELETE FROM report_followers WHERE ticket_id = ANY($1::bigint[])`, [ids]);
  await m.query(`UPDATE tickets SET anonymised_at = now(), subject = NULL, payload = payload - $2::text[] WHERE id = ANY($1::bigint[])`, [
    ids,
    PERSONAL_PAYLOAD_KEYS,
  ]);

  await appendEvents(
    m,
    cases.map((c) => ({ ticketId: c.id, comuneId: c.comune_id, type: 'case.anonymised', actorType: 'system' as const, data: { reason } })),
  );

  counts.cases = cases.length;
  counts.messages = texts.length;
  counts.attachments = files.length;
  for (const c of cases) counts.byComune[c.comune_id] = (counts.byComune[c.comune_id] ?? 0) + 1;
  counts.identities = await releaseIdentities(m, [...new Set(cases.map((c) => c.identity_id))]);
  return counts;
}

/**
 * Removes the address and name of channel identities that no account holds and none of whose cases
 * keeps personal data (no case, or all anonymised); then the name of their citizens once no identity
 * of theirs has an address left, and the contact of those citizens' consents. Returns how many
 * identities it changed. Idempotent.
 */
export async function releaseIdentities(m: EntityManager, identityIds: readonly string[]): Promise<number> {
  if (!identityIds.length) return 0;
  const released = await updateReturning<{ citizen_id: string }>(
    m,
    `UPDATE citizen_identities ci SET address = $2 || ci.id, display_name = NULL
      WHERE ci.id = ANY($1::bigint[]) AND ci.address NOT LIKE $2 || '%'
        AND NOT EXISTS (SELECT 1 FROM citizen_account_links l WHERE l.identity_id = ci.id)
        AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.citizen_identity_id = ci.id AND t.anonymised_at IS NULL)
      RETURNING ci.citizen_id::text AS citizen_id`,
    [identityIds, REMOVED_ADDRESS_PREFIX],
  );
  const citizens = [...new Set(released.map((r) => r.citizen_id))];
  if (citizens.length) {
    const gone = await updateReturning<{ id: string }>(
      m,
      `UPDATE citizens c SET display_name = NULL
        WHERE c.id = ANY($1::bigint[])
          AND NOT EXISTS (SELECT 1 FROM citizen_identities ci WHERE ci.citizen_id = c.id AND ci.address NOT LIKE $2 || '%')
        RETURNING c.id::text AS id`,
      [citizens, REMOVED_ADDRESS_PREFIX],
    );
    if (gone.length)
      await m.query(`UPDATE citizen_consents SET contact = NULL WHERE citizen_id = ANY($1::bigint[]) AND contact IS NOT NULL`, [
        gone.map((g) => g.id),
      ]);
  }
  return released.length;
}
