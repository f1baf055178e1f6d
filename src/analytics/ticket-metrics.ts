import { isFinishedStatus } from '../cases/phases.js';
import { addBusinessMs, businessMs, localDate, localParts, type BusinessCalendar } from '../comuni/business-calendar.js';

/**
 * Metric definitions, computed from one ticket's event log:
 * - first response: from the citizen's first message to the first reply the citizen can see
 *   (`message.sent`); internal notes and bot replies do not stop the clock;
 * - next response: from a citizen message that is waiting for an answer to the next reply;
 * - resolution: from creation (or from the latest reopening) to resolution or closure;
 * each in wall-clock seconds and in business seconds of the comune's calendar, with the time in
 * `waiting_citizen` paused. A transfer does not restart a clock: the citizen is still waiting.
 * A resolved ticket stops every clock.
 */
export type MetricName = 'first_response' | 'next_response' | 'resolution';
export const METRICS: readonly MetricName[] = ['first_response', 'next_response', 'resolution'];

export interface TicketEventRow {
  id: string;
  type: string;
  actorType: string;
  actorOperatorId: number | null;
  data: Record<string, any>;
  createdAt: number;
}

export interface TicketState {
  id: string;
  comuneId: number;
  channel: string;
  type: string;
  category: string | null;
  priority: string;
  groupId: number | null;
  assigneeId: number | null;
  createdAt: number;
  location: { lat: number; lng: number } | null;
}

export interface SlaTargets {
  policyId: number | null;
  firstResponseSecs: number | null;
  nextResponseSecs: number | null;
  resolutionSecs: number | null;
}

export interface Sample {
  metric: MetricName;
  seq: number;
  startedAt: number;
  endedAt: number;
  day: string;
  wallS: number;
  businessS: number;
  breached: boolean;
  operatorId: number | null;
  groupId: number | null;
  type: string;
  category: string | null;
  priority: string;
}

/** The dimensions a ticket is counted under in the rollups. */
export interface Dims {
  group: string;
  operator: string;
  channel: string;
  type: string;
  category: string;
  priority: string;
  area: string | null;
}

export interface TicketFacts {
  dims: Dims;
  created: { day: string; hour: number };
  messagesIn: Record<string, number>;
  reopened: Record<string, number>;
  csat: { day: string; rating: number } | null;
  samples: Sample[];
  reopenCount: number;
  due: { firstResponse: number | null; nextResponse: number | null; resolution: number | null };
  /** A clock is running but paused while the ticket waits for the citizen. */
  paused: boolean;
}

interface Clock {
  start: number;
  pieces: Array<[number, number]>;
  runningSince: number | null;
}

const NONE = '-';

export function areaKey(location: { lat: number; lng: number } | null, category: string | null): string | null {
  if (!location) return null;
  // ~1 km cells: fine enough to see where reports cluster, coarse enough to identify no one.
  return `${Math.floor(location.lat * 100)}:${Math.floor(location.lng * 100)}:${category ?? NONE}`;
}

export function computeTicketFacts(ticket: TicketState, events: TicketEventRow[], cal: BusinessCalendar, sla: SlaTargets): TicketFacts {
  const tz = cal.timezone;
  const day = (ms: number) => localDate(ms, tz);
  const sorted = [...events].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));

  // Attributes as they were at the start, walked forward through their change events.
  const firstChange = (type: string) => sorted.find((e) => e.type === type)?.data?.from;
  const created = sorted.find((e) => e.type === 'ticket.created');
  let type: string = firstChange('type.changed') ?? created?.data?.type ?? ticket.type;
  let category: string | null = firstChange('category.changed') !== undefined ? firstChange('category.changed') : ticket.category;
  let priority: string = firstChange('priority.changed') ?? ticket.priority;
  let groupId: number | null = null;
  let assigneeId: number | null = null;

  const samples: Sample[] = [];
  const seq: Record<MetricName, number> = { first_response: 0, next_response: 0, resolution: 0 };
  const messagesIn: Record<string, number> = {};
  const reopened: Record<string, number> = {};
  let csat: TicketFacts['csat'] = null;
  let reopenCount = 0;
  let waiting = false;
  let firstAnswered = false;
  let response: (Clock & { metric: MetricName }) | null = null;
  const createdAt = created?.createdAt ?? ticket.createdAt;
  let resolution: Clock | null = { start: createdAt, pieces: [], runningSince: createdAt };

  const pause = (c: Clock | null, t: number) => {
    if (c && c.runningSince !== null) {
      c.pieces.push([c.runningSince, t]);
      c.runningSince = null;
    }
  };
  const resume = (c: Clock | null, t: number) => {
    if (c && c.runningSince === null) c.runningSince = t;
  };
  const target = (m: MetricName) =>
    m === 'first_response' ? sla.firstResponseSecs : m === 'next_response' ? sla.nextResponseSecs : sla.resolutionSecs;
  const stop = (c: Clock, metric: MetricName, t: number, operatorId: number | null) => {
    pause(c, t);
    const bms = c.pieces.reduce((s, [a, b]) => s + businessMs(cal, a, b), 0);
    const businessS = Math.round(bms / 1000);
    const limit = target(metric);
    samples.push({
      metric,
      seq: ++seq[metric],
      startedAt: c.start,
      endedAt: t,
      day: day(t),
      wallS: Math.max(0, Math.round((t - c.start) / 1000)),
      businessS,
      breached: limit !== null && bms > limit * 1000,
      operatorId,
      groupId,
      type,
      category,
      priority,
    });
  };

  for (const e of sorted) {
    const t = e.createdAt;
    const d = e.data ?? {};
    switch (e.type) {
      case 'message.received':
        messagesIn[day(t)] = (messagesIn[day(t)] ?? 0) + 1;
        if (!response && resolution) {
          response = { metric: firstAnswered ? 'next_response' : 'first_response', start: t, pieces: [], runningSince: waiting ? null : t };
        }
        break;
      case 'message.sent':
        if (response) {
          stop(response, response.metric, t, e.actorOperatorId);
          if (response.metric === 'first_response') firstAnswered = true;
          response = null;
        }
        break;
      case 'status.changed': {
        const to = d.to as string,
          from = d.from as string;
        if (isFinishedStatus(to) && !isFinishedStatus(from)) {
          if (resolution) stop(resolution, 'resolution', t, e.actorType === 'operator' ? e.actorOperatorId : assigneeId);
          resolution = null;
          response = null;
          waiting = false;
        } else if (to === 'waiting_citizen') {
          waiting = true;
          pause(response, t);
          pause(resolution, t);
        } else if (from === 'waiting_citizen') {
          waiting = false;
          resume(response, t);
          resume(resolution, t);
        }
        break;
      }
      case 'ticket.reopened':
        reopenCount++;
        reopened[day(t)] = (reopened[day(t)] ?? 0) + 1;
        waiting = d.to === 'waiting_citizen';
        resolution = { start: t, pieces: [], runningSince: waiting ? null : t };
        response = null;
        break;
      case 'ticket.routed':
        groupId = d.groupId ?? groupId;
        break;
      case 'ticket.transferred':
        groupId = d.toGroupId ?? groupId;
        assigneeId = d.toOperatorId ?? null;
        break;
      case 'ticket.assigned':
        assigneeId = d.operatorId ?? e.actorOperatorId;
        break;
      case 'ticket.handed_back':
        assigneeId = null;
        break;
      case 'type.changed':
        type = d.to;
        break;
      case 'category.changed':
        category = d.to ?? null;
        break;
      case 'priority.changed':
        priority = d.to;
        break;
      case 'csat.received':
        if (Number.isInteger(d.rating) && d.rating >= 1 && d.rating <= 5) csat = { day: day(t), rating: d.rating };
        break;
      default:
        // note.added, bot.replied, offers and the rest: not a response, no clock moves.
        break;
    }
  }

  const dueOf = (c: Clock | null, secs: number | null): number | null => {
    if (!c || secs === null || c.runningSince === null) return null;
    const limit = secs * 1000;
    let acc = 0;
    for (const [a, b] of c.pieces) {
      const bms = businessMs(cal, a, b);
      if (acc + bms >= limit) return addBusinessMs(cal, a, limit - acc);
      acc += bms;
    }
    return addBusinessMs(cal, c.runningSince, limit - acc);
  };
  const cp = localParts(createdAt, tz);
  const str = (v: unknown) => (v === null || v === undefined ? NONE : String(v));
  return {
    dims: {
      group: str(ticket.groupId),
      operator: str(ticket.assigneeId),
      channel: ticket.channel,
      type: ticket.type,
      category: str(ticket.category),
      priority: ticket.priority,
      area: areaKey(ticket.location, ticket.category),
    },
    created: { day: day(createdAt), hour: cp.h },
    messagesIn,
    reopened,
    csat,
    samples,
    reopenCount,
    due: {
      firstResponse: response?.metric === 'first_response' ? dueOf(response, sla.firstResponseSecs) : null,
      nextResponse: response?.metric === 'next_response' ? dueOf(response, sla.nextResponseSecs) : null,
      resolution: dueOf(resolution, sla.resolutionSecs),
    },
    paused: waiting && (response !== null || resolution !== null),
  };
}
