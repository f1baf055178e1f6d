import { matchingPolicies, targetsFor, type SlaPolicy } from '../../src/analytics/calendars.js';
import { toCsv } from '../../src/analytics/csv.js';

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
