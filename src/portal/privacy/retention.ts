import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEFAULT_RETENTION_MONTHS } from '../../database/migrations/1765710000000-PrivacyRights.js';
import { AttachmentStorage } from '../../storage/storage.js';
import { InSystemScope } from '../../tenancy/db-scope.js';
import { addCounts, anonymiseCases, noCounts, type AnonymisedCounts } from './anonymise.js';
import { recordPrivacyEvent } from './privacy-events.js';

export { DEFAULT_RETENTION_MONTHS };

/** Cases per transaction of the sweep. */
const BATCH = 200;

/**
 * The retention sweep (job `privacy.retention`, repeated; system scope): anonymises, in batches, the
 * closed cases past their comune's retention period (comune_privacy_settings; NULL: kept; no row:
 * the default) and the closed cases whose citizen asked for erasure while they were open. The same
 * code as an erasure (anonymise.ts). Each batch is one transaction with its event-log lines, one per
 * comune; cases locked by another run are skipped (SKIP LOCKED), and an anonymised case is never
 * chosen again, so concurrent or repeated runs do each case once.
 */
@Injectable()
export class RetentionSweep {
  constructor(
    private readonly ds: DataSource,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
  ) {}

  /** Returns how many cases it anonymised. */
  @InSystemScope('privacy-retention')
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.batch();
      total += n;
      if (n < BATCH) return total;
    }
  }

  private batch(): Promise<number> {
    return this.ds.transaction(async (m) => {
      const due: Array<{ id: string; erasure: boolean }> = await m.query(
        `SELECT t.id::text AS id, t.erasure_requested_at IS NOT NULL AS erasure
           FROM tickets t LEFT JOIN comune_privacy_settings s ON s.comune_id = t.comune_id
          WHERE t.anonymised_at IS NULL AND NOT case_is_open(t.status)
            AND (t.erasure_requested_at IS NOT NULL
                 OR coalesce(t.resolved_at, t.updated_at)
                      < now() - make_interval(months => CASE WHEN s.comune_id IS NULL THEN $2 ELSE s.closed_case_retention_months END))
          ORDER BY t.id LIMIT $1 FOR UPDATE OF t SKIP LOCKED`,
        [BATCH, DEFAULT_RETENTION_MONTHS],
      );
      if (!due.length) return 0;
      const erasure = await anonymiseCases(
        m,
        this.storage,
        due.filter((d) => d.erasure).map((d) => d.id),
        'erasure',
      );
      const retention = await anonymiseCases(
        m,
        this.storage,
        due.filter((d) => !d.erasure).map((d) => d.id),
        'retention',
      );
      const all: AnonymisedCounts = addCounts(addCounts(noCounts(), erasure), retention);
      for (const [comune, cases] of Object.entries(all.byComune))
        await recordPrivacyEvent(m, {
          kind: 'retention_anonymised',
          actorType: 'system',
          actorId: null,
          comuneId: Number(comune),
          counts: { cases, afterErasureRequest: erasure.byComune[Number(comune)] ?? 0 },
        });
      return due.length;
    });
  }
}
