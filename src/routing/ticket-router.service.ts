import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseTypeRegistry } from '../cases/case-type.registry.js';
import { appendEvents } from '../cases/event-log.js';
import { currentCorrelationId } from '../common/correlation.js';
import { TenantScope } from '../common/tenant-scope.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Metrics } from '../ops/metrics.js';
import { TicketNotifier } from '../cases/ticket-notifier.js';
import { Dispatcher } from './dispatcher.service.js';
import { chooseGroup, DEFAULT_ROUTING_RULES, parseRoutingRules } from './routing-rules.js';
import { lockTicket } from './ticket-lock.js';

/**
 * The routing decision: a freshly stored ticket gets its group (the comune's routing rules over
 * its type, category and first texts) and joins that group's first-in-first-out queue, unless its
 * case type needs no operator: then it keeps the group (whose views show it) but is queued for no one.
 */
@Injectable()
export class TicketRouter {
  private readonly logger = new Logger(TicketRouter.name);

  constructor(
    private readonly ds: DataSource,
    private readonly dispatcher: Dispatcher,
    private readonly notifier: TicketNotifier,
    private readonly metrics: Metrics,
    private readonly types: CaseTypeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Job step: pick the group of a freshly stored ticket and put it in that group's queue (if its type needs an operator). */
  async route(ticketId: string, comuneId: number): Promise<void> {
    const lap = this.metrics.laps(this.config.stageTiming);
    const scope = TenantScope.ofComune(comuneId);
    const routed = await this.ds.transaction(async (m) => {
      const t = await lockTicket(m, ticketId, scope);
      if (!t || t.queue_state !== 'unrouted') return null;
      const [comune] = await m.query(`SELECT routing_rules FROM comuni WHERE id = $1`, [t.comune_id]);
      const groups: Array<{ id: number; code: string; is_default: boolean }> = await m.query(
        `SELECT id, code, is_default FROM competence_groups WHERE comune_id = $1 ORDER BY id`,
        [t.comune_id],
      );
      if (groups.length === 0) throw new Error(`comune ${t.comune_id} has no competence groups`);
      const texts: Array<{ text: string | null }> = await m.query(
        `SELECT text FROM messages WHERE ticket_id = $1 AND direction = 'inbound' ORDER BY id LIMIT 5`,
        [t.id],
      );
      let rules = DEFAULT_ROUTING_RULES;
      if (comune?.routing_rules) {
        try {
          rules = parseRoutingRules(comune.routing_rules);
        } catch (err) {
          this.logger.warn(`comune ${t.comune_id} has invalid routing rules, using defaults: ${(err as Error).message}`);
        }
      }
      const defaultGroup = (groups.find((g) => g.is_default) ?? groups[0]).code;
      const code = chooseGroup(
        { type: t.type, category: t.category, text: [t.subject, ...texts.map((x) => x.text)].filter(Boolean).join(' ') },
        rules,
        groups.map((g) => g.code),
        defaultGroup,
      );
      const group = groups.find((g) => g.code === code)!;
      if (!this.types.needsOperator(t.type)) {
        // Nothing for an operator to take: no queue, no offer, no waiting time.
        await m.query(`UPDATE tickets SET group_id = $2, queue_state = 'done', updated_at = now() WHERE id = $1`, [t.id, group.id]);
        await appendEvents(m, [
          {
            ticketId: t.id,
            comuneId: t.comune_id,
            type: 'ticket.routed',
            actorType: 'system',
            data: { groupId: group.id, group: code, needsOperator: false },
          },
        ]);
        return { ticket: t, queued: false };
      }
      await m.query(
        `UPDATE tickets SET group_id = $2, queue_state = 'queued', waiting_since = COALESCE(waiting_since, now()),
                updated_at = now() WHERE id = $1`,
        [t.id, group.id],
      );
      await appendEvents(m, [
        { ticketId: t.id, comuneId: t.comune_id, type: 'ticket.routed', actorType: 'system', data: { groupId: group.id, group: code } },
      ]);
      return { ticket: t, queued: true };
    });
    lap('route.tx');
    if (!routed) return;
    await this.notifier.notify([ticketId], 'ticket.created', 'routed', [], currentCorrelationId());
    lap('route.notify');
    if (routed.queued) await this.dispatcher.dispatch(comuneId);
  }
}
