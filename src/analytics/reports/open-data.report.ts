import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/tenant-scope.js';
import { cmp, type AnalyticsFilter } from './report-filter.js';
import { ReportScope } from './report-scope.js';
import { RollupReader } from './rollup-reader.js';

/** Open-data cells with fewer tickets than this are merged into "altro" (or dropped): no one is identifiable. */
export const OPEN_DATA_MIN_COUNT = 3;

/**
 * Counts per day, comune, category and channel; no personal data, small cells merged: per day
 * and comune, a category × channel cell under the minimum goes to "altro", and what is still
 * under the minimum after merging is left out. Sorted by date, comune, category and channel.
 */
@Injectable()
export class OpenDataReport {
  constructor(
    private readonly scope: ReportScope,
    private readonly rollups: RollupReader,
  ) {}

  async build(p: Principal, f: AnalyticsFilter) {
    const r = await this.scope.resolve(p, { ...f, breakdown: 'none' });
    const comuni = new Map((await this.scope.comuni()).map((c) => [c.id, c]));
    const maps = await this.rollups.countMaps(r, 'category_channel', true);
    const name = (id: number) => comuni.get(id)?.name ?? '';
    maps.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : cmp(name(a.comune_id), name(b.comune_id))));
    const rows: Array<{ date: string; comuneIstat: string; comune: string; category: string; channel: string; tickets: number }> = [];
    for (const m of maps) {
      const c = comuni.get(m.comune_id);
      const day: typeof rows = [];
      let small = 0;
      for (const [key, n] of Object.entries(m.counts)) {
        if (n >= OPEN_DATA_MIN_COUNT) {
          // "category|channel": a channel never contains "|", a category might.
          const bar = key.lastIndexOf('|');
          const category = key.slice(0, bar);
          day.push({
            date: m.day,
            comuneIstat: c?.istat_code ?? '',
            comune: c?.name ?? '',
            category: category === '-' ? 'non classificata' : category,
            channel: key.slice(bar + 1),
            tickets: n,
          });
        } else if (n > 0) small += n;
      }
      if (small >= OPEN_DATA_MIN_COUNT)
        day.push({
          date: m.day,
          comuneIstat: c?.istat_code ?? '',
          comune: c?.name ?? '',
          category: 'altro',
          channel: 'altro',
          tickets: small,
        });
      day.sort((a, b) => cmp(a.category, b.category) || cmp(a.channel, b.channel));
      for (const x of day) rows.push(x);
    }
    return { period: { from: r.from, to: r.to }, minimumCount: OPEN_DATA_MIN_COUNT, licence: 'CC-BY 4.0', rows };
  }
}
