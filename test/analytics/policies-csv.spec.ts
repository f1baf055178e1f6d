import { matchingPolicies, targetsFor, type SlaPolicy } from '../../src/analytics/calendars.js';
import { toCsv } from '../../src/analytics/csv.js';
import { planPeriod, splitPeriod } from '../../src/analytics/analytics.service.js';

const policy = (p: Partial<SlaPolicy> & { id: number }): SlaPolicy => ({
  comuneId: 1,
  name: `p${p.id}`,
  groupId: null,
  priority: null,
  ticketType: null,
  firstResponseSecs: null,
  nextResponseSecs: null,
  resolutionSecs: null,
  warnBeforeSecs: 1800,
  ...p,
});

describe('SLA policy choice', () => {
  const policies = [
    policy({ id: 1, firstResponseSecs: 14_400, nextResponseSecs: 28_800, resolutionSecs: 144_000 }),
    policy({ id: 2, priority: 'urgent', firstResponseSecs: 3600, resolutionSecs: 28_800 }),
    policy({ id: 3, groupId: 7, firstResponseSecs: 600 }),
    policy({ id: 4, groupId: 7, ticketType: 'report', resolutionSecs: 7200 }),
  ];
  it('takes each target from the most specific policy that sets it', () => {
    expect(targetsFor(matchingPolicies(policies, { groupId: 7, priority: 'normal', type: 'report' }))).toEqual({
      policyId: 4,
      firstResponseSecs: 600,
      nextResponseSecs: 28_800,
      resolutionSecs: 7200,
    });
    expect(targetsFor(matchingPolicies(policies, { groupId: 8, priority: 'urgent', type: 'request' }))).toEqual({
      policyId: 2,
      firstResponseSecs: 3600,
      nextResponseSecs: 28_800,
      resolutionSecs: 28_800,
    });
    expect(targetsFor(matchingPolicies([], { groupId: 8, priority: 'urgent', type: 'request' }))).toEqual({
      policyId: null,
      firstResponseSecs: null,
      nextResponseSecs: null,
      resolutionSecs: null,
    });
  });
});

describe('CSV export', () => {
  it('flattens, quotes and defuses spreadsheet formulas', () => {
    const csv = toCsv([
      { label: 'Tributi, "TARI"', m: { p50: 60 } },
      { label: '=HYPERLINK("x")', m: { p50: null }, extra: 1 },
    ]);
    expect(csv).toBe('label,m.p50,extra\r\n"Tributi, ""TARI""",60,\r\n"\'=HYPERLINK(""x"")",,1\r\n');
  });
});

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
