import { Injectable } from '@nestjs/common';
import { updateReturning } from '../database/sql.js';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/tenant-scope.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { rooms } from '../realtime/rooms.js';
import { AssignmentService } from '../routing/assignment.service.js';
import { Dispatcher } from '../routing/dispatcher.service.js';
import type { Presence } from './operator.entity.js';

/**
 * Operator presence. Online operators receive offers; away keeps their tickets but takes no new
 * ones; offline hands their unanswered work back to the queues.
 */
@Injectable()
export class PresenceService {
  constructor(
    private readonly ds: DataSource,
    private readonly assignment: AssignmentService,
    private readonly dispatcher: Dispatcher,
    private readonly realtime: RealtimeService,
  ) {}

  async set(principal: Principal, presence: Presence): Promise<{ presence: Presence; changed: boolean }> {
    const rows = await updateReturning(
      this.ds,
      `UPDATE operators SET presence = $2, presence_changed_at = now() WHERE id = $1 AND presence <> $2 RETURNING id`,
      [principal.operatorId, presence],
    );
    const changed = rows.length > 0;
    if (changed) {
      const to = principal.comuneId === null ? [rooms.metro()] : [rooms.comune(principal.comuneId), rooms.metro()];
      this.realtime.toAgents(to, 'presence.updated', { operatorId: principal.operatorId, presence, comuneId: principal.comuneId });
    }
    if (principal.comuneId !== null) {
      if (presence === 'offline') await this.assignment.handBack(principal.operatorId, principal.comuneId);
      if (presence === 'online') await this.dispatcher.dispatch(principal.comuneId);
    }
    return { presence, changed };
  }

  async current(operatorId: number): Promise<Presence> {
    const [r] = await this.ds.query(`SELECT presence FROM operators WHERE id = $1`, [operatorId]);
    return r?.presence ?? 'offline';
  }
}
