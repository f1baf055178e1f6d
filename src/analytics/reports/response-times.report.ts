import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/tenant-scope.js';
import type { AnalyticsFilter } from './report-filter.js';
import { ReportScope } from './report-scope.js';
import { labelledRows, RollupReader, type PeriodCell } from './rollup-reader.js';
import type { MetricSummary, ResponseTimes } from '../analytics.api.js';

/** First response, next response and resolution times of a period: averages and percentiles, wall clock and business time. */
@Injectable()
export class ResponseTimesReport {
  constructor(
    private readonly scope: ReportScope,
    private readonly rollups: RollupReader,
  ) {}

  async build(p: Principal, f: AnalyticsFilter): Promise<ResponseTimes> {
    const r = await this.scope.resolve(p, f);
    const cells = await this.rollups.breakdownCells(r, true);
    const labels = await this.scope.labels(r.breakdown, [...cells.keys()]);
    return {
      period: { from: r.from, to: r.to },
      breakdown: r.breakdown,
      filter: r.filter,
      rows: labelledRows(cells, labels).map(({ key, label, c }) => ({
        key,
        label,
        firstResponse: summary(c.frt),
        nextResponse: summary(c.nrt),
        resolution: summary(c.res),
      })),
    };
  }
}

function summary(m: PeriodCell['frt']): MetricSummary {
  return {
    count: m.n,
    breached: m.breached,
    avgWallSeconds: m.n ? Math.round(m.wallSum / m.n) : null,
    avgBusinessSeconds: m.n ? Math.round(m.busSum / m.n) : null,
    p50WallSeconds: m.histWall.percentile(0.5),
    p90WallSeconds: m.histWall.percentile(0.9),
    p50BusinessSeconds: m.histBus.percentile(0.5),
    p90BusinessSeconds: m.histBus.percentile(0.9),
  };
}
