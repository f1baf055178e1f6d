import { DEFAULT_OPENING_HOURS, localToInstant, type BusinessCalendar } from '../../src/comuni/business-calendar.js';
import { computeTicketFacts, type TicketEventRow, type TicketState } from '../../src/analytics/ticket-metrics.js';
import {
  exactPercentile,
  addTo,
  percentile,
  HistogramSum,
  RELATIVE_ERROR,
  toPgArray,
  type Histogram,
} from '../../src/analytics/histogram.js';

const ROME = 'Europe/Rome';
const bari: BusinessCalendar = {
  timezone: ROME,
  openingHours: DEFAULT_OPENING_HOURS,
  nationalHolidays: true,
  patronDay: '05-08',
  closures: [],
};
const rome = (s: string) => {
  const [date, time] = s.split(' ');
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  return localToInstant(y, m, d, hh * 60 + mm, ROME);
};
const noSla = { policyId: null, firstResponseSecs: null, nextResponseSecs: null, resolutionSecs: null };
const ticket: TicketState = {
  id: '1',
  comuneId: 1,
  channel: 'webchat',
  type: 'request',
  category: 'tributi',
  priority: 'normal',
  groupId: 2,
  assigneeId: 7,
  createdAt: rome('2025-03-04 09:00'),
  location: null,
};

/** A hand-built event log: [local time, type, data, operator]. */
function log(...rows: Array<[string, string, Record<string, unknown>?, number?]>): TicketEventRow[] {
  return rows.map(([at, type, data, op], i) => ({
    id: String(i + 1),
    type,
    data: data ?? {},
    createdAt: rome(at),
    actorType: op !== undefined ? 'operator' : type === 'message.received' ? 'citizen' : 'system',
    actorOperatorId: op ?? null,
  }));
}

describe('metric definitions on the event log', () => {
  it('an internal note and a bot reply are not a first response; a transfer does not restart the clock', () => {
    const f = computeTicketFacts(
      ticket,
      log(
        ['2025-03-04 09:00', 'ticket.created', { type: 'request' }],
        ['2025-03-04 09:00', 'message.received'],
        ['2025-03-04 09:00', 'ticket.routed', { groupId: 1 }],
        ['2025-03-04 09:05', 'bot.replied'],
        ['2025-03-04 09:30', 'note.added', {}, 5],
        ['2025-03-04 10:00', 'ticket.transferred', { fromGroupId: 1, toGroupId: 2, toOperatorId: 7 }, 5],
        ['2025-03-04 11:00', 'message.sent', {}, 7],
      ),
      bari,
      noSla,
    );
    expect(f.samples).toEqual([
      expect.objectContaining({ metric: 'first_response', wallS: 7200, businessS: 7200, operatorId: 7, groupId: 2 }),
    ]);
    expect(f.messagesIn).toEqual({ '2025-03-04': 1 });
  });

  it('measures next responses from the first unanswered citizen message, in business time across the night', () => {
    const f = computeTicketFacts(
      ticket,
      log(
        ['2025-03-04 09:00', 'ticket.created'],
        ['2025-03-04 09:00', 'message.received'],
        ['2025-03-04 09:10', 'message.sent', {}, 7],
        ['2025-03-04 16:30', 'message.received'],
        ['2025-03-04 16:45', 'message.received'],
        ['2025-03-05 09:30', 'message.sent', {}, 8],
        ['2025-03-05 09:31', 'message.sent', {}, 8],
      ),
      bari,
      noSla,
    );
    expect(f.samples.map((s) => [s.metric, s.wallS, s.businessS, s.operatorId])).toEqual([
      ['first_response', 600, 600, 7],
      // 16:30 → 17:00 on Tuesday, 9:00 → 9:30 on Wednesday.
      ['next_response', 17 * 3600, 3600, 8],
    ]);
  });

  it('pauses while waiting for the citizen and measures a reopened ticket from the reopening', () => {
    const f = computeTicketFacts(
      ticket,
      log(
        ['2025-03-04 09:00', 'ticket.created'],
        ['2025-03-04 09:00', 'message.received'],
        ['2025-03-04 09:20', 'message.sent', {}, 7],
        ['2025-03-04 09:30', 'status.changed', { from: 'open', to: 'waiting_citizen' }, 7],
        ['2025-03-04 11:30', 'message.received'],
        ['2025-03-04 11:30', 'status.changed', { from: 'waiting_citizen', to: 'open' }],
        ['2025-03-04 12:00', 'message.sent', {}, 7],
        ['2025-03-04 12:30', 'status.changed', { from: 'open', to: 'resolved' }, 7],
        ['2025-03-06 10:00', 'ticket.reopened', { from: 'resolved', to: 'open' }, 7],
        ['2025-03-06 11:00', 'status.changed', { from: 'open', to: 'closed' }, 9],
      ),
      bari,
      noSla,
    );
    const res = f.samples.filter((s) => s.metric === 'resolution');
    // 3.5 h of wall time, 2 h of them waiting for the citizen.
    expect(res[0]).toMatchObject({ wallS: 3.5 * 3600, businessS: 1.5 * 3600, operatorId: 7 });
    expect(res[1]).toMatchObject({ wallS: 3600, businessS: 3600, operatorId: 9, day: '2025-03-06' });
    expect(f.samples.filter((s) => s.metric === 'next_response')).toEqual([expect.objectContaining({ wallS: 1800, businessS: 1800 })]);
    expect(f.reopenCount).toBe(1);
    expect(f.due).toEqual({ firstResponse: null, nextResponse: null, resolution: null });
  });

  it('stops counting when the ticket is resolved, and carries due times of the running clocks', () => {
    const sla = { policyId: 1, firstResponseSecs: 3600, nextResponseSecs: 1800, resolutionSecs: 8 * 3600 };
    const open = computeTicketFacts(
      ticket,
      log(['2025-03-07 12:30', 'ticket.created'], ['2025-03-07 12:30', 'message.received']),
      bari,
      sla,
    );
    // Friday 12:30 + 1 business hour → Monday 9:30.
    expect(open.due.firstResponse).toBe(rome('2025-03-10 09:30'));
    // 0.5 h on Friday, 4 h on Monday, 3.5 h on Tuesday morning.
    expect(open.due.resolution).toBe(rome('2025-03-11 12:30'));
    const late = computeTicketFacts(
      ticket,
      log(
        ['2025-03-07 12:30', 'ticket.created'],
        ['2025-03-07 12:30', 'message.received'],
        ['2025-03-10 10:00', 'message.sent', {}, 7],
        ['2025-03-10 10:05', 'status.changed', { from: 'open', to: 'resolved' }, 7],
      ),
      bari,
      sla,
    );
    expect(late.samples.find((s) => s.metric === 'first_response')).toMatchObject({ businessS: 5400, breached: true });
    expect(late.samples.find((s) => s.metric === 'resolution')).toMatchObject({ businessS: 5700, breached: false });
    expect(late.due).toEqual({ firstResponse: null, nextResponse: null, resolution: null });
    // A paused clock has no due time.
    const paused = computeTicketFacts(
      ticket,
      log(
        ['2025-03-07 12:30', 'ticket.created'],
        ['2025-03-07 12:30', 'message.received'],
        ['2025-03-07 12:40', 'message.sent', {}, 7],
        ['2025-03-07 12:45', 'status.changed', { from: 'open', to: 'waiting_citizen' }, 7],
      ),
      bari,
      sla,
    );
    expect(paused.due.resolution).toBeNull();
    expect(paused.paused).toBe(true);
  });
});

describe('percentiles from histograms', () => {
  it('agree with the direct nearest-rank computation within the stated error', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const n of [1, 2, 7, 100, 5000]) {
      const values = Array.from({ length: n }, () => Math.round(Math.exp(rand() * 13)));
      const h: Histogram = {};
      values.forEach((v) => addTo(h, v));
      for (const p of [0.5, 0.9, 0.99]) {
        const exact = exactPercentile(values, p)!;
        const approx = percentile(h, p)!;
        expect(Math.abs(approx - exact)).toBeLessThanOrEqual(exact * RELATIVE_ERROR + 1);
      }
    }
    expect(percentile({}, 0.5)).toBeNull();
  });

  it('are the same read from the stored array form, summed and with days taken back', () => {
    expect(toPgArray({})).toBe('{}');
    expect(toPgArray({ 3: 2, 5: 1, 9: 0 })).toBe('[3:5]={2,0,1}');
    expect(toPgArray({ 0: 4, 2: -1 })).toBe('[0:2]={4,0,-1}');
    let seed = 9;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const month: Histogram = {};
    const dayOut: Histogram = {};
    const kept: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const v = Math.round(Math.exp(rand() * 14));
      addTo(month, v);
      if (i % 7 === 0) addTo(dayOut, v);
      else kept.push(v);
    }
    const sum = new HistogramSum();
    sum.addPgArray(toPgArray(month));
    sum.addPgArray(toPgArray(dayOut), -1);
    const direct: Histogram = {};
    kept.forEach((v) => addTo(direct, v));
    for (const p of [0.5, 0.9, 0.99]) expect(sum.percentile(p)).toBe(percentile(direct, p));
    // PostgreSQL prints an array with lower bound 1 without its bounds.
    const plain = new HistogramSum();
    plain.addPgArray('{2,0,1}');
    expect(plain.percentile(0.5)).toBe(percentile({ 1: 2, 3: 1 }, 0.5));
    expect(new HistogramSum().percentile(0.5)).toBeNull();
  });
});
