import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/tenant-scope.js';
import type { AnalyticsFilter } from './report-filter.js';
import { ReportScope } from './report-scope.js';
import { labelledRows, RollupReader } from './rollup-reader.js';
import type { Csat } from '../analytics.api.js';

/** Satisfaction answers of a period: how many, their average and each rating's count (keys without answers left out). */
@Injectable()
export class CsatReport {
  constructor(
    private readonly scope: ReportScope,
    private readonly rollups: RollupReader,
  ) {}

  async build(p: Principal, f: AnalyticsFilter): Promise<Csat> {
    const r = await this.scope.resolve(p, f);
    const cells = await this.rollups.breakdownCells(r);
    const labels = await this.scope.labels(r.breakdown, [...cells.keys()]);
    return {
      period: { from: r.from, to: r.to },
      breakdown: r.breakdown,
      filter: r.filter,
      rows: labelledRows(cells, labels)
        .filter(({ c }) => c.csatN > 0)
        .map(({ key, label, c }) => ({
          key,
          label,
          responses: c.csatN,
          average: Math.round((100 * c.csatSum) / c.csatN) / 100,
          rating1: c.csatByRating[0],
          rating2: c.csatByRating[1],
          rating3: c.csatByRating[2],
          rating4: c.csatByRating[3],
          rating5: c.csatByRating[4],
        })),
    };
  }
}
