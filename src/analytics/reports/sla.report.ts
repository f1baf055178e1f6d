import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/tenant-scope.js';
import type { AnalyticsFilter } from './report-filter.js';
import { ReportScope } from './report-scope.js';
import { labelledRows, RollupReader, type PeriodCell } from './rollup-reader.js';

/** SLA breaches of a period and the share of each target met. */
@Injectable()
export class SlaReport {
  constructor(
    private readonly scope: ReportScope,
    private readonly rollups: RollupReader,
  ) {}

  async build(p: Principal, f: AnalyticsFilter) {
    const r = await this.scope.resolve(p, f);
    const cells = await this.rollups.breakdownCells(r);
    const labels = await this.scope.labels(r.breakdown, [...cells.keys()]);
    const pct = (m: PeriodCell['frt']) => (m.n ? Math.round((1000 * (m.n - m.breached)) / m.n) / 10 : null);
    return {
      period: { from: r.from, to: r.to },
      breakdown: r.breakdown,
      filter: r.filter,
      rows: labelledRows(cells, labels).map(({ key, label, c }) => ({
        key,
        label,
        firstResponseBreaches: c.frt.breached,
        nextResponseBreaches: c.nrt.breached,
        resolutionBreaches: c.res.breached,
        firstResponseMetPct: pct(c.frt),
        nextResponseMetPct: pct(c.nrt),
        resolutionMetPct: pct(c.res),
      })),
    };
  }
}
