import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { invalidField, notFoundField } from '../../common/errors.js';
import { assertRefsInScope } from '../../common/scope-refs.js';
import { TenantScope, type Principal } from '../../common/tenant-scope.js';
import { localDate } from '../../comuni/business-calendar.js';
import { resolvePeriod } from '../period.js';
import { breakdownAndFilter, type AnalyticsFilter, type Breakdown, type ResolvedFilter } from './report-filter.js';

export interface ComuneRow {
  id: number;
  name: string;
  istat_code: string;
  slug: string;
}

/**
 * What every report starts from: the comuni a caller may see (managers and supervisors their
 * comune, the metropolitan admin every comune), the checked request, and the labels of its keys.
 */
@Injectable()
export class ReportScope {
  private comuniCache: { at: number; rows: ComuneRow[] } | null = null;

  constructor(private readonly ds: DataSource) {}

  async comuni(): Promise<ComuneRow[]> {
    if (this.comuniCache && Date.now() - this.comuniCache.at < 60_000) return this.comuniCache.rows;
    const rows = await this.ds.query(`SELECT id, name, istat_code, slug FROM comuni ORDER BY name`);
    this.comuniCache = { at: Date.now(), rows };
    return rows;
  }

  /** The comuni a request covers: a manager's own, or for the metropolitan admin every one or the one named. */
  async scopeComuni(p: Principal, comuneId?: number): Promise<number[]> {
    const scope = TenantScope.ofPrincipal(p);
    if (comuneId !== undefined) {
      // Another comune does not exist for this caller: the same 404 as an unknown id.
      if (!scope.allows(comuneId)) throw notFoundField('comuneId', `comune ${comuneId} not found`);
      if (!(await this.comuni()).some((c) => c.id === comuneId)) throw invalidField('comuneId', `unknown comune ${comuneId}`);
      return [comuneId];
    }
    return scope.isMetropolitan ? (await this.comuni()).map((c) => c.id) : [...scope.comuneIds!];
  }

  async resolve(p: Principal, f: AnalyticsFilter): Promise<ResolvedFilter> {
    const comuneIds = await this.scopeComuni(p, f.comuneId);
    const { from, to } = resolvePeriod(f, today());
    const { breakdown, filter } = breakdownAndFilter(f);
    await assertRefsInScope(this.ds, p, { groupId: f.groupId, operatorId: f.operatorId });
    return { comuneIds, from, to, breakdown, filter };
  }

  /** Names for the keys of a breakdown (comuni, groups, operators); other keys are their own label. */
  async labels(breakdown: Breakdown, keys: string[]): Promise<Map<string, string>> {
    const ids = keys.filter((k) => /^\d+$/.test(k)).map(Number);
    const out = new Map<string, string>([
      ['-', 'non assegnato'],
      ['total', 'Totale'],
    ]);
    if (breakdown === 'comune') for (const c of await this.comuni()) out.set(String(c.id), c.name);
    if (breakdown === 'group' && ids.length) {
      for (const g of await this.ds.query(`SELECT id, name FROM competence_groups WHERE id = ANY($1::int[])`, [ids]))
        out.set(String(g.id), g.name);
    }
    if (breakdown === 'operator' && ids.length) {
      for (const o of await this.ds.query(`SELECT id, name FROM operators WHERE id = ANY($1::int[])`, [ids])) out.set(String(o.id), o.name);
    }
    return out;
  }
}

/** Today in Rome: the dashboard's days are the comuni's days. */
export function today(): string {
  return localDate(Date.now(), 'Europe/Rome');
}
