import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CaseTypeRegistry } from '../cases/case-type.registry.js';
import { CalendarStore, matchingPolicies, targetsFor } from './calendars.js';
import { computeTicketFacts, type TicketEventRow, type TicketState } from './ticket-metrics.js';
import { accumulate, applyDeltas, contribOf, type RollupCell, type StoredContrib, type StoredSample } from './rollups.js';

export interface RecomputedTicket {
  ticketId: string;
  comuneId: number;
  status: string;
  resolvedAt: Date | null;
}

/**
 * Recomputes the metrics of a batch of tickets from their event logs, inside the caller's
 * transaction: replaces their samples and metrics rows, and moves the rollups by the difference
 * between what each ticket contributed before and what it contributes now. Reads only the
 * batch's own events; never a whole table.
 */
@Injectable()
export class MetricsRecomputer {
  private readonly logger = new Logger(MetricsRecomputer.name);

  constructor(
    private readonly calendars: CalendarStore,
    private readonly caseTypes: CaseTypeRegistry,
  ) {}

  async recompute(m: EntityManager, ticketIds: string[]): Promise<RecomputedTicket[]> {
    if (ticketIds.length === 0) return [];
    const tickets: any[] = await m.query(
      `SELECT t.id, t.comune_id, t.channel, t.type, t.category, t.priority, t.group_id, t.assignee_id, t.status, t.resolved_at,
              t.created_at, ST_Y(t.location::geometry) AS lat, ST_X(t.location::geometry) AS lng
         FROM tickets t WHERE t.id = ANY($1::bigint[]) ORDER BY t.id`,
      [ticketIds],
    );
    const events: any[] = await m.query(
      `SELECT id, ticket_id, type, actor_type, actor_operator_id, data, created_at FROM ticket_events
        WHERE ticket_id = ANY($1::bigint[]) ORDER BY ticket_id, id`,
      [ticketIds],
    );
    const oldMetrics: any[] = await m.query(`SELECT ticket_id, contrib FROM ticket_metrics WHERE ticket_id = ANY($1::bigint[])`, [
      ticketIds,
    ]);
    const oldSamples: any[] = await m.query(
      `SELECT ticket_id, metric, to_char(day, 'YYYY-MM-DD') AS day, wall_s, business_s, breached, operator_id, group_id, channel, type, category, priority
         FROM analytics_samples WHERE ticket_id = ANY($1::bigint[])`,
      [ticketIds],
    );

    const eventsBy = groupBy(events, (e) => String(e.ticket_id));
    const samplesBy = groupBy(oldSamples, (s) => String(s.ticket_id));
    const contribBy = new Map(oldMetrics.map((r) => [String(r.ticket_id), r.contrib as StoredContrib]));
    const deltasByComune = new Map<number, Map<string, RollupCell>>();
    const out: RecomputedTicket[] = [];

    for (const t of tickets) {
      const id = String(t.id);
      const comuneId: number = t.comune_id;
      const cal = await this.calendars.calendar(comuneId);
      const matching = matchingPolicies(await this.calendars.slaPolicies(comuneId), {
        groupId: t.group_id,
        priority: t.priority,
        type: t.type,
      });
      const policy = matching[0] ?? null;
      const state: TicketState = {
        id,
        comuneId,
        channel: t.channel,
        type: t.type,
        category: t.category,
        priority: t.priority,
        groupId: t.group_id,
        assigneeId: t.assignee_id,
        createdAt: new Date(t.created_at).getTime(),
        location: t.lat !== null && t.lat !== undefined ? { lat: Number(t.lat), lng: Number(t.lng) } : null,
      };
      const rows: TicketEventRow[] = (eventsBy.get(id) ?? []).map((e) => ({
        id: String(e.id),
        type: e.type,
        actorType: e.actor_type,
        actorOperatorId: e.actor_operator_id,
        data: e.data,
        createdAt: new Date(e.created_at).getTime(),
      }));
      const targets = targetsFor(matching);
      // A case no operator handles has no response to wait for: only its resolution clock runs.
      if (!this.caseTypes.needsOperator(t.type)) Object.assign(targets, { firstResponseSecs: null, nextResponseSecs: null });
      const facts = computeTicketFacts(state, rows, cal, targets);

      let deltas = deltasByComune.get(comuneId);
      if (!deltas) {
        deltas = new Map();
        deltasByComune.set(comuneId, deltas);
      }
      const old = contribBy.get(id);
      if (old) {
        accumulate(
          deltas,
          old,
          (samplesBy.get(id) ?? []).map((r): StoredSample => ({
            metric: r.metric,
            day: r.day,
            wallS: r.wall_s,
            businessS: r.business_s,
            breached: r.breached,
            operatorId: r.operator_id,
            groupId: r.group_id,
            channel: r.channel,
            type: r.type,
            category: r.category,
            priority: r.priority,
          })),
          -1,
        );
      }
      const newSamples: StoredSample[] = facts.samples.map((x) => ({ ...x, channel: t.channel }));
      accumulate(deltas, contribOf(facts), newSamples, 1);

      await m.query(`DELETE FROM analytics_samples WHERE ticket_id = $1`, [id]);
      if (facts.samples.length) {
        const params: unknown[] = [];
        const values = facts.samples.map((x) => {
          params.push(
            id,
            x.metric,
            x.seq,
            comuneId,
            x.day,
            new Date(x.startedAt),
            new Date(x.endedAt),
            x.wallS,
            x.businessS,
            x.breached,
            x.operatorId,
            x.groupId,
            t.channel,
            x.type,
            x.category,
            x.priority,
          );
          const b = params.length - 16;
          return `(${Array.from({ length: 16 }, (_, i) => `$${b + i + 1}`).join(', ')})`;
        });
        await m.query(
          `INSERT INTO analytics_samples (ticket_id, metric, seq, comune_id, day, started_at, ended_at, wall_s, business_s, breached,
                                          operator_id, group_id, channel, type, category, priority) VALUES ${values.join(', ')}`,
          params,
        );
      }
      const dues: Array<[string, number | null]> = [
        ['first_response', facts.due.firstResponse],
        ['next_response', facts.due.nextResponse],
        ['resolution', facts.due.resolution],
      ];
      const next = dues.filter((d): d is [string, number] => d[1] !== null).sort((a, b) => a[1] - b[1])[0] ?? null;
      const first = facts.samples.find((x) => x.metric === 'first_response');
      const res = [...facts.samples].reverse().find((x) => x.metric === 'resolution');
      const ts = (v: number | null) => (v === null ? null : new Date(v));
      await m.query(
        `INSERT INTO ticket_metrics (ticket_id, comune_id, sla_policy_id, first_response_wall_s, first_response_business_s,
                resolution_wall_s, resolution_business_s, reopen_count, breaches, first_response_due_at, next_response_due_at,
                resolution_due_at, paused, next_due_at, next_due_kind, contrib, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, now())
         ON CONFLICT (ticket_id) DO UPDATE SET sla_policy_id = EXCLUDED.sla_policy_id,
                first_response_wall_s = EXCLUDED.first_response_wall_s, first_response_business_s = EXCLUDED.first_response_business_s,
                resolution_wall_s = EXCLUDED.resolution_wall_s, resolution_business_s = EXCLUDED.resolution_business_s,
                reopen_count = EXCLUDED.reopen_count, breaches = EXCLUDED.breaches,
                first_response_due_at = EXCLUDED.first_response_due_at, next_response_due_at = EXCLUDED.next_response_due_at,
                resolution_due_at = EXCLUDED.resolution_due_at, paused = EXCLUDED.paused, next_due_at = EXCLUDED.next_due_at,
                next_due_kind = EXCLUDED.next_due_kind, contrib = EXCLUDED.contrib, updated_at = now()`,
        [
          id,
          comuneId,
          policy?.id ?? null,
          first?.wallS ?? null,
          first?.businessS ?? null,
          res?.wallS ?? null,
          res?.businessS ?? null,
          facts.reopenCount,
          facts.samples.filter((x) => x.breached).length,
          ts(facts.due.firstResponse),
          ts(facts.due.nextResponse),
          ts(facts.due.resolution),
          facts.paused,
          ts(next?.[1] ?? null),
          next?.[0] ?? null,
          JSON.stringify(contribOf(facts)),
        ],
      );
      out.push({ ticketId: id, comuneId, status: t.status, resolvedAt: t.resolved_at ? new Date(t.resolved_at) : null });
    }
    for (const [comuneId, deltas] of [...deltasByComune.entries()].sort((a, b) => a[0] - b[0])) await applyDeltas(m, comuneId, deltas);
    return out;
  }
}

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
