import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { updateReturning } from '../../database/sql.js';
import { AttachmentStorage } from '../../storage/storage.js';
import { addCounts, anonymiseCases, noCounts, releaseIdentities } from './anonymise.js';
import { recordPrivacyEvent } from './privacy-events.js';

/** What an erasure did, kept on the request (privacy_erasure_requests.result) and in the event log. */
export interface ErasureResult {
  accountDeleted: boolean;
  casesAnonymised: number;
  /** Open cases: kept until closed, then anonymised by the retention sweep (tickets.erasure_requested_at). */
  casesPendingUntilClosed: number;
  messages: number;
  attachments: number;
  identities: number;
  follows: number;
}

/**
 * Carries out an erasure request (job `privacy.erase`, system scope `privacy-erasure`), in one
 * transaction: the account's cases are marked as asked to erase; the closed ones are anonymised now
 * (anonymise.ts, the retention sweep's code), the open ones when closed; the account goes with its
 * sessions, links, link codes, e-mail login codes and follows; its channel identities lose address
 * and name once no case of theirs keeps personal data. Idempotent: a request already done answers
 * its result; a run interrupted before its commit left nothing but deleted files, which a re-run
 * deletes again without error.
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    private readonly ds: DataSource,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
  ) {}

  async run(requestId: string): Promise<ErasureResult | null> {
    const result = await this.ds.transaction(async (m) => {
      const [req] = await m.query(
        `SELECT id::text AS id, account_id::text AS account_id, status, result FROM privacy_erasure_requests WHERE id = $1 FOR UPDATE`,
        [requestId],
      );
      if (!req) return null;
      if (req.status === 'done') return req.result as ErasureResult;
      const accountId: string = req.account_id;
      const [account] = await m.query(`SELECT lower(coalesce(email_key, email)) AS email FROM citizen_accounts WHERE id = $1 FOR UPDATE`, [
        accountId,
      ]);
      const identities: string[] = (
        await m.query(`SELECT identity_id::text AS id FROM citizen_account_links WHERE account_id = $1`, [accountId])
      ).map((r: { id: string }) => r.id);
      const cases: Array<{ id: string; comune_id: number; open: boolean }> = identities.length
        ? await updateReturning<{ id: string; comune_id: number; open: boolean }>(
            m,
            `UPDATE tickets SET erasure_requested_at = coalesce(erasure_requested_at, now())
              WHERE citizen_identity_id = ANY($1::bigint[]) AND anonymised_at IS NULL
              RETURNING id::text AS id, comune_id, case_is_open(status) AS open`,
            [identities],
          )
        : [];
      const done = await anonymiseCases(
        m,
        this.storage,
        cases.filter((c) => !c.open).map((c) => c.id),
        'erasure',
      );
      const pending = cases.filter((c) => c.open);
      let follows = 0;
      if (account?.email)
        follows = (await updateReturning(m, `DELETE FROM report_followers WHERE email = $1 RETURNING id`, [account.email])).length;
      if (account?.email) await m.query(`DELETE FROM portal_email_codes WHERE email = $1`, [account.email]);
      await m.query(`DELETE FROM portal_link_codes WHERE account_id = $1`, [accountId]);
      await m.query(`DELETE FROM citizen_sessions WHERE account_id = $1`, [accountId]);
      await m.query(`DELETE FROM citizen_account_links WHERE account_id = $1`, [accountId]);
      await m.query(`DELETE FROM citizen_accounts WHERE id = $1`, [accountId]);
      // Unlinked now: identities without a case that keeps personal data lose address and name.
      const counts = addCounts(done, { ...noCounts(), identities: await releaseIdentities(m, identities) });
      const out: ErasureResult = {
        accountDeleted: Boolean(account),
        casesAnonymised: counts.cases,
        casesPendingUntilClosed: pending.length,
        messages: counts.messages,
        attachments: counts.attachments,
        identities: counts.identities,
        follows,
      };
      await m.query(`UPDATE privacy_erasure_requests SET status = 'done', completed_at = now(), result = $2::jsonb WHERE id = $1`, [
        requestId,
        JSON.stringify(out),
      ]);
      const comuni = new Set<number>([...cases.map((c) => c.comune_id)]);
      for (const comuneId of comuni)
        await recordPrivacyEvent(m, {
          kind: 'erasure_completed',
          actorType: 'system',
          actorId: null,
          comuneId,
          requestId,
          counts: {
            casesAnonymised: counts.byComune[comuneId] ?? 0,
            casesPendingUntilClosed: pending.filter((c) => c.comune_id === comuneId).length,
          },
        });
      await recordPrivacyEvent(m, {
        kind: 'erasure_completed',
        actorType: 'system',
        actorId: null,
        comuneId: null,
        requestId,
        counts: { ...out, accountDeleted: out.accountDeleted ? 1 : 0 },
      });
      return out;
    });
    if (result)
      this.logger.log(
        `erasure ${requestId}: ${result.casesAnonymised} cases anonymised, ${result.casesPendingUntilClosed} open cases kept until closed`,
      );
    return result;
  }
}
