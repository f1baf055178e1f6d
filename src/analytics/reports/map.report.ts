import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/tenant-scope.js';
import type { AnalyticsFilter } from './report-filter.js';
import { ReportScope } from './report-scope.js';
import { RollupReader } from './rollup-reader.js';
import type { AreaMapReport } from '../analytics.api.js';

/** Where requests come from: counts per ~1 km cell and category (only tickets with a position). */
@Injectable()
export class MapReport {
  constructor(
    private readonly scope: ReportScope,
    private readonly rollups: RollupReader,
  ) {}

  async build(p: Principal, f: AnalyticsFilter): Promise<AreaMapReport> {
    const r = await this.scope.resolve(p, { ...f, breakdown: 'none', category: undefined });
    const sums = new Map<string, { comuneId: number; key: string; count: number }>();
    for (const row of await this.rollups.countMaps(r, 'area', false)) {
      for (const [key, count] of Object.entries(row.counts)) {
        const n = row.sign * count;
        const k = `${row.comune_id}|${key}`;
        const x = sums.get(k);
        if (x) x.count += n;
        else sums.set(k, { comuneId: row.comune_id, key, count: n });
      }
    }
    const rows = [...sums.values()]
      .filter((c) => c.count > 0)
      .map((c) => {
        const [la, ln, ...cat] = c.key.split(':');
        return {
          comuneId: c.comuneId,
          lat: (Number(la) + 0.5) / 100,
          lng: (Number(ln) + 0.5) / 100,
          category: cat.join(':'),
          count: c.count,
        };
      })
      .filter((x) => f.category === undefined || x.category === f.category);
    return { period: { from: r.from, to: r.to }, cellSizeDegrees: 0.01, rows: rows.sort((a, b) => b.count - a.count) };
  }
}
