import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { invalidField, notFoundField } from '../../common/errors.js';
import { TenantScope, type Principal } from '../../common/tenant-scope.js';
import { recordPrivacyEvent } from './privacy-events.js';
import type { ComunePrivacy, PrivacyEventView } from './privacy.api.js';
import { DEFAULT_RETENTION_MONTHS } from './retention.js';

const MAX_MONTHS = 1200;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * A comune's privacy settings (comune_privacy_settings) and event log (privacy_events), read and
 * changed in the operator's scope: row-level security shows a manager their comune's rows only, and
 * another comune's id answers 404 before any query.
 */
@Injectable()
export class ComunePrivacySettings {
  constructor(private readonly ds: DataSource) {}

  private async comune(p: Principal, raw: string): Promise<number> {
    const id = /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(id) || !TenantScope.ofPrincipal(p).allows(id)) throw notFoundField('id', 'comune non trovato');
    const [c] = await this.ds.query(`SELECT id FROM comuni WHERE id = $1`, [id]);
    if (!c) throw notFoundField('id', 'comune non trovato');
    return id;
  }

  async get(p: Principal, raw: string): Promise<ComunePrivacy> {
    const comuneId = await this.comune(p, raw);
    const [s] = await this.ds.query(
      `SELECT closed_case_retention_months AS months, updated_at FROM comune_privacy_settings WHERE comune_id = $1`,
      [comuneId],
    );
    const events = await this.ds.query(
      `SELECT id::text AS id, kind, actor_type, actor_id, comune_id, counts, created_at FROM privacy_events
        WHERE comune_id = $1 ORDER BY id DESC LIMIT 200`,
      [comuneId],
    );
    return {
      comuneId,
      retentionMonths: s ? s.months : DEFAULT_RETENTION_MONTHS,
      defaultMonths: DEFAULT_RETENTION_MONTHS,
      updatedAt: s ? iso(s.updated_at) : null,
      events: events.map((e: any): PrivacyEventView => ({
        id: e.id,
        kind: e.kind,
        actorType: e.actor_type,
        actorId: e.actor_id,
        comuneId: e.comune_id,
        counts: e.counts,
        at: iso(e.created_at)!,
      })),
    };
  }

  async setRetention(p: Principal, raw: string, body: unknown): Promise<ComunePrivacy> {
    const comuneId = await this.comune(p, raw);
    const b = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    if (!('retentionMonths' in b))
      throw invalidField('retentionMonths', 'indicare i mesi di conservazione delle pratiche chiuse (o null per conservarle)');
    const months = b.retentionMonths;
    if (months !== null && (typeof months !== 'number' || !Number.isInteger(months) || months < 1 || months > MAX_MONTHS))
      throw invalidField('retentionMonths', `deve essere un numero intero di mesi da 1 a ${MAX_MONTHS}, oppure null per conservare`);
    await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO comune_privacy_settings (comune_id, closed_case_retention_months, updated_at, updated_by) VALUES ($1, $2, now(), $3)
         ON CONFLICT (comune_id) DO UPDATE SET closed_case_retention_months = EXCLUDED.closed_case_retention_months,
                                               updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [comuneId, months, p.operatorId],
      );
      await recordPrivacyEvent(m, {
        kind: 'retention_set',
        actorType: 'operator',
        actorId: String(p.operatorId),
        comuneId,
        counts: { retentionMonths: months },
      });
    });
    return this.get(p, raw);
  }
}
