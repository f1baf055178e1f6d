import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/tenant-scope.js';
import type { AnalyticsFilter } from './report-filter.js';
import { ReportScope } from './report-scope.js';
import { addCell, emptyPeriodCell, labelledRows, RollupReader } from './rollup-reader.js';
import type { Volumes } from '../analytics.api.js';

/** Tickets created, messages received, reopenings and resolutions of a period, and new tickets by hour of day. */
@Injectable()
export class VolumesReport {
  constructor(
    private readonly scope: ReportScope,
    private readonly rollups: RollupReader,
  ) {}

  async build(p: Principal, f: AnalyticsFilter): Promise<Volumes> {
    const r = await this.scope.resolve(p, f);
    const cells = await this.rollups.breakdownCells(r);
    const labels = await this.scope.labels(r.breakdown, [...cells.keys()]);
    const total = emptyPeriodCell();
    for (const c of cells.values()) addCell(total, c);
    return {
      period: { from: r.from, to: r.to },
      breakdown: r.breakdown,
      filter: r.filter,
      rows: labelledRows(cells, labels).map(({ key, label, c }) => ({
        key,
        label,
        created: c.created,
        messagesIn: c.messagesIn,
        reopened: c.reopened,
        resolved: c.res.n,
      })),
      byHourOfDay: total.createdByHour.map((created, hour) => ({ hour, created })),
    };
  }
}
