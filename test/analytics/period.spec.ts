import { InvalidInputException } from '../../src/common/errors.js';
import { planPeriod, readPlan, resolvePeriod, splitPeriod } from '../../src/analytics/period.js';

/** The period module is pure (no database, no clock): these run without the harness. */
describe('period split', () => {
  it('reads whole months from monthly rollups and the edges from daily ones', () => {
    expect(splitPeriod('2025-01-20', '2025-03-10')).toEqual({
      months: ['2025-02-01'],
      days: [
        ['2025-01-20', '2025-01-31'],
        ['2025-03-01', '2025-03-10'],
      ],
    });
    expect(splitPeriod('2024-02-01', '2024-02-29')).toEqual({ months: ['2024-02-01'], days: [] });
    expect(splitPeriod('2025-03-05', '2025-03-05')).toEqual({ months: [], days: [['2025-03-05', '2025-03-05']] });
  });

  it('reads a month mostly inside the period as its monthly row minus the days outside, when that is fewer rows', () => {
    // A year to the end of this month: December 2025 is its month minus 1 December (2 rows, not 30).
    expect(planPeriod('2025-12-02', '2026-12-31')).toEqual({
      months: [
        '2025-12-01',
        '2026-01-01',
        '2026-02-01',
        '2026-03-01',
        '2026-04-01',
        '2026-05-01',
        '2026-06-01',
        '2026-07-01',
        '2026-08-01',
        '2026-09-01',
        '2026-10-01',
        '2026-11-01',
        '2026-12-01',
      ],
      days: [],
      minusDays: [['2025-12-01', '2025-12-01']],
    });
    // Few days of a month: read as days. Half a month: days (15 rows) beat month + 16 days back.
    expect(planPeriod('2025-01-20', '2025-03-10')).toEqual({
      months: ['2025-02-01'],
      days: [
        ['2025-01-20', '2025-01-31'],
        ['2025-03-01', '2025-03-10'],
      ],
      minusDays: [],
    });
    expect(planPeriod('2025-03-16', '2025-03-31')).toEqual({ months: [], days: [['2025-03-16', '2025-03-31']], minusDays: [] });
    expect(planPeriod('2025-03-15', '2025-03-31')).toEqual({ months: ['2025-03-01'], days: [], minusDays: [['2025-03-01', '2025-03-14']] });
    // Both ends inside one month: the month minus the days before and after.
    expect(planPeriod('2025-03-02', '2025-03-30')).toEqual({
      months: ['2025-03-01'],
      days: [],
      minusDays: [
        ['2025-03-01', '2025-03-01'],
        ['2025-03-31', '2025-03-31'],
      ],
    });
    // Leap February: 2 days outside of 29.
    expect(planPeriod('2024-02-03', '2024-03-01')).toEqual({
      months: ['2024-02-01'],
      days: [['2024-03-01', '2024-03-01']],
      minusDays: [['2024-02-01', '2024-02-02']],
    });
  });
});

describe('period of a request', () => {
  const today = '2025-03-20';
  it('defaults to the 30 days up to today, or up to the given "to"', () => {
    expect(resolvePeriod({}, today)).toEqual({ from: '2025-02-19', to: '2025-03-20' });
    expect(resolvePeriod({ to: '2025-01-31' }, today)).toEqual({ from: '2025-01-02', to: '2025-01-31' });
    expect(resolvePeriod({ from: '2025-03-01' }, today)).toEqual({ from: '2025-03-01', to: '2025-03-20' });
  });

  it('refuses impossible dates, a reversed period and one longer than two years, naming the field', () => {
    const field = (f: { from?: string; to?: string }) => {
      try {
        resolvePeriod(f, today);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidInputException);
        const { fields } = (err as InvalidInputException).getResponse() as { fields: Array<{ field: string; message: string }> };
        return [fields[0].field, fields[0].message];
      }
      return null;
    };
    expect(field({ from: '2025-02-30' })).toEqual(['from', 'must be a date YYYY-MM-DD']);
    expect(field({ to: '2025-13-01' })).toEqual(['to', 'must be a date YYYY-MM-DD']);
    expect(field({ from: '2025-03-02', to: '2025-03-01' })).toEqual(['from', 'must not be after "to"']);
    expect(field({ from: '2023-03-20', to: '2025-03-20' })).toEqual(['from', 'the period is limited to 731 days']);
    expect(field({ from: '2023-03-21', to: '2025-03-20' })).toBeNull();
  });

  it('reads a month that ends after today as whole when the period reaches today', () => {
    // Nothing is recorded after the 20th: 2–31 March is March's monthly row minus 1 March.
    expect(readPlan('2025-03-02', '2025-03-20', false, today)).toEqual({
      months: ['2025-03-01'],
      days: [],
      minusDays: [['2025-03-01', '2025-03-01']],
    });
    // A period that ends before today is planned as it is: 10–19 March from daily rows (the month would take back 22 days).
    expect(readPlan('2025-03-10', '2025-03-19', false, today)).toEqual({ months: [], days: [['2025-03-10', '2025-03-19']], minusDays: [] });
    // Per-day tables read daily rows only.
    expect(readPlan('2025-01-01', '2025-03-20', true, today)).toEqual({ months: [], days: [['2025-01-01', '2025-03-20']], minusDays: [] });
  });
});
