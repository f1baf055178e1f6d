import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { TenantScope, type Principal } from '../common/tenant-scope.js';
import { PRESENCES, type Presence } from './operator.entity.js';
import { PresenceService } from './presence.service.js';
import type { GroupRow, OperatorRow } from './operators.api.js';

export class PresenceDto {
  @ApiProperty({ enum: PRESENCES })
  @IsIn(PRESENCES, { message: `must be one of ${PRESENCES.join(', ')}` })
  presence!: Presence;
}

@ApiTags('operators')
@ApiBearerAuth()
@Controller('api')
export class OperatorsController {
  constructor(
    private readonly ds: DataSource,
    private readonly presence: PresenceService,
  ) {}

  @Post('presence')
  setPresence(@CurrentPrincipal() p: Principal, @Body() body: PresenceDto) {
    return this.presence.set(p, body.presence);
  }

  /** Operators of my comune(s) with presence and current load. */
  @Get('operators')
  async operators(@CurrentPrincipal() p: Principal): Promise<OperatorRow[]> {
    const params: unknown[] = [];
    const rows = await this.ds.query(
      `SELECT o.id, o.comune_id, o.name, o.email, o.role, o.capacity, o.presence, o.presence_changed_at,
              COALESCE(array_agg(og.group_id) FILTER (WHERE og.group_id IS NOT NULL), '{}') AS group_ids,
              (SELECT count(*)::int FROM tickets t WHERE (t.assignee_id = o.id AND t.queue_state = 'assigned')
                  OR (t.offered_to_id = o.id AND t.queue_state = 'offered')) AS load
         FROM operators o LEFT JOIN operator_groups og ON og.operator_id = o.id
        WHERE o.comune_id IS NOT NULL AND ${TenantScope.ofPrincipal(p).sql('o.comune_id', params)}
        GROUP BY o.id ORDER BY o.comune_id, o.name`,
      params,
    );
    return rows.map((r: any): OperatorRow => ({
      id: r.id,
      comuneId: r.comune_id,
      name: r.name,
      email: r.email,
      role: r.role,
      capacity: r.capacity,
      presence: r.presence,
      presenceChangedAt: r.presence_changed_at && new Date(r.presence_changed_at).toISOString(),
      groupIds: r.group_ids,
      load: r.load,
    }));
  }

  /** Competence groups of my comune(s), with queue length and the oldest wait. */
  @Get('groups')
  async groups(@CurrentPrincipal() p: Principal): Promise<GroupRow[]> {
    const params: unknown[] = [];
    const rows = await this.ds.query(
      `SELECT g.id, g.comune_id, g.code, g.name, g.name_en, g.is_default,
              count(t.id)::int AS queued, min(t.waiting_since) AS oldest_waiting_since
         FROM competence_groups g LEFT JOIN tickets t ON t.group_id = g.id AND t.queue_state = 'queued'
        WHERE ${TenantScope.ofPrincipal(p).sql('g.comune_id', params)}
        GROUP BY g.id ORDER BY g.comune_id, g.id`,
      params,
    );
    return rows.map((r: any): GroupRow => ({
      id: r.id,
      comuneId: r.comune_id,
      code: r.code,
      name: r.name,
      nameEn: r.name_en,
      isDefault: r.is_default,
      queued: r.queued,
      oldestWaitingSince: r.oldest_waiting_since && new Date(r.oldest_waiting_since).toISOString(),
    }));
  }
}
