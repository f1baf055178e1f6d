import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { invalidField, notFoundField } from '../../common/errors.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { asSystem, runInScope } from '../../tenancy/db-scope.js';
import type { Citizen } from '../../portal/identity/citizen-auth.js';
import { ParticipationEvents } from './events.js';
import type { FlagReason, FlagResponse } from './participation.api.js';
import { cleanText, idOf, personKey, changed } from './rows.js';

const REASONS: readonly FlagReason[] = ['spam', 'offensive', 'off_topic'];
export const DEFAULT_HIDE_THRESHOLD = 3;

type Json = Record<string, unknown>;

/**
 * Citizens' reports of an item or a comment (spam, offensive, off-topic): one per person and
 * target (the unique index), counted on the target in the same transaction; at the comune's
 * threshold (default 3) the target is hidden at once and waits in the moderators' queue.
 */
@Injectable()
export class ParticipationFlags {
  constructor(
    private readonly ds: DataSource,
    private readonly events: ParticipationEvents,
  ) {}

  async flag(citizen: Citizen, body: unknown): Promise<FlagResponse> {
    if (typeof body !== 'object' || body === null) throw invalidField('body', 'richiesta non valida');
    const b = body as Json;
    const itemId = idOf('itemId', b.itemId);
    const contributionId = b.contributionId === undefined || b.contributionId === null ? null : idOf('contributionId', b.contributionId);
    if (!REASONS.includes(b.reason as FlagReason)) throw invalidField('reason', `motivo non valido: ${REASONS.join(', ')}`);
    const note = cleanText('note', b.note, { required: false, max: 500 });
    const [owner] = await asSystem('participation-lookup', () =>
      this.ds.query(`SELECT comune_id FROM participation_items WHERE id = $1`, [itemId]),
    );
    if (!owner) throw notFoundField('itemId', 'non trovato');
    const comuneId: number | null = owner.comune_id ?? null;
    return runInScope(TenantScope.citizenIn(citizen.id, comuneId), () =>
      this.ds.transaction(async (tx) => {
        const table = contributionId ? 'participation_contributions' : 'participation_items';
        const targetId = contributionId ?? itemId;
        const [target] = await tx.query(
          contributionId
            ? `SELECT c.id, c.visibility, c.space_id FROM participation_contributions c
                 JOIN participation_items i ON i.id = c.item_id AND i.visibility = 'published'
                WHERE c.id = $1 AND c.item_id = $2 AND c.body IS NOT NULL`
            : `SELECT i.id, i.visibility, i.space_id FROM participation_items i WHERE i.id = $1 AND $2::bigint = $1`,
          [targetId, itemId],
        );
        if (!target || target.visibility !== 'published') throw notFoundField(contributionId ? 'contributionId' : 'itemId', 'non trovato');
        const inserted = await tx.query(
          `INSERT INTO participation_flags (comune_id, item_id, contribution_id, account_id, person_key, reason, note)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
          [comuneId, itemId, contributionId, citizen.id, personKey(citizen), b.reason, note],
        );
        if (!inserted.length) return { created: false };
        const [{ flag_count: count }] = await changed(
          tx,
          `UPDATE ${table} SET flag_count = flag_count + 1 WHERE id = $1 RETURNING flag_count`,
          [targetId],
        );
        const [settings] = comuneId
          ? await tx.query(`SELECT hide_threshold FROM participation_settings WHERE comune_id = $1`, [comuneId])
          : [];
        const threshold = settings?.hide_threshold ?? DEFAULT_HIDE_THRESHOLD;
        if (count >= threshold) {
          const hidden = await changed(
            tx,
            `UPDATE ${table} SET visibility = 'hidden', hidden_reason = 'flags', updated_at = now()
              WHERE id = $1 AND visibility = 'published' RETURNING id`,
            [targetId],
          );
          if (hidden.length) {
            if (contributionId)
              await tx.query(
                `UPDATE participation_items SET comment_count = greatest(comment_count - 1, 0)
                  WHERE id = $1 AND EXISTS (SELECT 1 FROM participation_contributions WHERE id = $2 AND body IS NOT NULL)`,
                [itemId, contributionId],
              );
            await this.events.record(tx, {
              comuneId,
              spaceId: String(target.space_id),
              itemId,
              contributionId,
              type: 'moderation.auto_hidden',
              actor: { type: 'system' },
              data: { flags: count, threshold },
            });
          }
        }
        return { created: true };
      }),
    );
  }
}
