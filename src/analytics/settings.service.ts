import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidInputException, invalidField, type FieldProblem } from '../common/errors.js';
import { assertRefsInScope } from '../common/scope-refs.js';
import { TenantScope, type Principal } from '../common/tenant-scope.js';
import { PRIORITIES } from '../tickets/ticket.entity.js';
import { updateReturning } from '../database/sql.js';
import { validateCalendar, type BusinessCalendar } from '../comuni/business-calendar.js';
import { CalendarStore, toPolicy, type SlaPolicy } from './calendars.js';
import { OPEN_STATUS_SQL } from '../cases/phases.js';

const POLICY_FIELDS = [
  'comuneId',
  'name',
  'groupId',
  'priority',
  'ticketType',
  'firstResponseSecs',
  'nextResponseSecs',
  'resolutionSecs',
  'warnBeforeSecs',
];
const CALENDAR_FIELDS = ['timezone', 'openingHours', 'nationalHolidays', 'patronDay', 'patronSaint', 'closures'];
const MAX_TARGET = 365 * 24 * 3600;

/**
 * Business calendars and SLA policies of a comune: read by its supervisors and managers, changed
 * by its managers (and the metropolitan admin). A change queues the comune's open tickets for
 * recomputation, so their due times follow the new rules.
 */
@Injectable()
export class SettingsService {
  constructor(
    private readonly ds: DataSource,
    private readonly store: CalendarStore,
  ) {}

  private check(p: Principal, comuneId: number): void {
    // Another comune's settings do not exist for you.
    if (!TenantScope.ofPrincipal(p).allows(comuneId)) throw new NotFoundException(`comune ${comuneId} not found`);
  }

  async getCalendar(p: Principal, comuneId: number) {
    this.check(p, comuneId);
    const [r] = await this.ds.query(
      `SELECT comune_id, timezone, opening_hours, national_holidays, patron_day, patron_saint,
              ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(closures) d ORDER BY d) AS closures, updated_at
         FROM comune_calendars WHERE comune_id = $1`,
      [comuneId],
    );
    if (!r) throw new NotFoundException(`comune ${comuneId} not found`);
    return {
      comuneId: r.comune_id,
      timezone: r.timezone,
      openingHours: r.opening_hours,
      nationalHolidays: r.national_holidays,
      patronDay: r.patron_day,
      patronSaint: r.patron_saint,
      closures: r.closures,
      updatedAt: new Date(r.updated_at).toISOString(),
    };
  }

  async putCalendar(p: Principal, comuneId: number, body: unknown) {
    this.check(p, comuneId);
    const b = asObject(body, CALENDAR_FIELDS);
    const problems: FieldProblem[] = validateCalendar(b as Partial<BusinessCalendar>);
    if (b.nationalHolidays !== undefined && typeof b.nationalHolidays !== 'boolean')
      problems.push({ field: 'nationalHolidays', message: 'must be true or false' });
    if (b.patronSaint !== undefined && b.patronSaint !== null && (typeof b.patronSaint !== 'string' || b.patronSaint.length > 120)) {
      problems.push({ field: 'patronSaint', message: 'must be a text of at most 120 characters' });
    }
    if (problems.length) throw new InvalidInputException(problems, problems.map((x) => `${x.field}: ${x.message}`).join('; '));
    const rows = await updateReturning(
      this.ds,
      `UPDATE comune_calendars SET
          timezone = coalesce($2, timezone), opening_hours = coalesce($3::jsonb, opening_hours),
          national_holidays = coalesce($4, national_holidays),
          patron_day = CASE WHEN $5::boolean THEN $6 ELSE patron_day END,
          patron_saint = CASE WHEN $7::boolean THEN $8 ELSE patron_saint END,
          closures = coalesce($9::date[], closures), updated_at = now()
        WHERE comune_id = $1 RETURNING comune_id`,
      [
        comuneId,
        b.timezone ?? null,
        b.openingHours !== undefined ? JSON.stringify(b.openingHours) : null,
        b.nationalHolidays ?? null,
        b.patronDay !== undefined,
        b.patronDay ?? null,
        b.patronSaint !== undefined,
        b.patronSaint ?? null,
        (b.closures as string[] | undefined) ?? null,
      ],
    );
    if (!rows.length) throw new NotFoundException(`comune ${comuneId} not found`);
    await this.changed(comuneId);
    return this.getCalendar(p, comuneId);
  }

  async listPolicies(p: Principal, comuneId?: number, groupId?: number): Promise<SlaPolicy[]> {
    if (comuneId !== undefined) this.check(p, comuneId);
    await assertRefsInScope(this.ds, p, { groupId });
    const params: unknown[] = [];
    const where = [TenantScope.ofPrincipal(p).sql('comune_id', params)];
    if (comuneId !== undefined) {
      params.push(comuneId);
      where.push(`comune_id = $${params.length}`);
    }
    return (await this.ds.query(`SELECT * FROM sla_policies WHERE ${where.join(' AND ')} ORDER BY comune_id, id`, params)).map(toPolicy);
  }

  async createPolicy(p: Principal, body: unknown): Promise<SlaPolicy> {
    const b = asObject(body, POLICY_FIELDS);
    const comuneId = p.role === 'metro_admin' ? b.comuneId : (b.comuneId ?? p.comuneId);
    if (typeof comuneId !== 'number' || !Number.isInteger(comuneId)) throw invalidField('comuneId', 'is required (a comune id)');
    this.check(p, comuneId);
    await assertRefsInScope(this.ds, p, { groupId: b.groupId });
    const v = await this.validatePolicy(comuneId, b, true);
    const rows = await this.insertOrConflict(() =>
      this.ds.query(
        `INSERT INTO sla_policies (comune_id, name, group_id, priority, ticket_type, first_response_secs, next_response_secs, resolution_secs, warn_before_secs)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, 1800)) RETURNING *`,
        [
          comuneId,
          v.name,
          v.groupId ?? null,
          v.priority ?? null,
          v.ticketType ?? null,
          v.firstResponseSecs ?? null,
          v.nextResponseSecs ?? null,
          v.resolutionSecs ?? null,
          v.warnBeforeSecs ?? null,
        ],
      ),
    );
    await this.changed(comuneId);
    return toPolicy(rows[0]);
  }

  async updatePolicy(p: Principal, id: number, body: unknown): Promise<SlaPolicy> {
    const current = await this.findPolicy(p, id);
    const b = asObject(body, POLICY_FIELDS);
    if (b.comuneId !== undefined && b.comuneId !== current.comuneId)
      throw invalidField('comuneId', 'a policy cannot move to another comune');
    await assertRefsInScope(this.ds, p, { groupId: b.groupId });
    const v = await this.validatePolicy(current.comuneId, b, false);
    const merged = { ...current, ...v };
    const rows = await this.insertOrConflict(() =>
      updateReturning(
        this.ds,
        `UPDATE sla_policies SET name = $2, group_id = $3, priority = $4, ticket_type = $5, first_response_secs = $6, next_response_secs = $7,
              resolution_secs = $8, warn_before_secs = $9, updated_at = now() WHERE id = $1 RETURNING *`,
        [
          id,
          merged.name,
          merged.groupId,
          merged.priority,
          merged.ticketType,
          merged.firstResponseSecs,
          merged.nextResponseSecs,
          merged.resolutionSecs,
          merged.warnBeforeSecs,
        ],
      ),
    );
    await this.changed(current.comuneId);
    return toPolicy(rows[0]);
  }

  async deletePolicy(p: Principal, id: number): Promise<void> {
    const current = await this.findPolicy(p, id);
    await this.ds.query(`DELETE FROM sla_policies WHERE id = $1`, [id]);
    await this.changed(current.comuneId);
  }

  private async findPolicy(p: Principal, id: number): Promise<SlaPolicy> {
    const params: unknown[] = [id];
    const rows = await this.ds.query(
      `SELECT * FROM sla_policies WHERE id = $1 AND ${TenantScope.ofPrincipal(p).sql('comune_id', params)}`,
      params,
    );
    if (!rows.length) throw new NotFoundException(`SLA policy ${id} not found`);
    return toPolicy(rows[0]);
  }

  private async validatePolicy(comuneId: number, b: Record<string, unknown>, creating: boolean): Promise<Partial<SlaPolicy>> {
    const problems: FieldProblem[] = [];
    const out: Partial<SlaPolicy> = {};
    if (b.name !== undefined || creating) {
      if (typeof b.name !== 'string' || !b.name.trim() || b.name.length > 120)
        problems.push({ field: 'name', message: 'is required, 1–120 characters' });
      else out.name = b.name.trim();
    }
    if (b.groupId !== undefined) {
      if (b.groupId === null) out.groupId = null;
      else if (typeof b.groupId !== 'number' || !Number.isInteger(b.groupId))
        problems.push({ field: 'groupId', message: 'must be a group id or null' });
      else if (!(await this.ds.query(`SELECT 1 FROM competence_groups WHERE id = $1 AND comune_id = $2`, [b.groupId, comuneId])).length) {
        problems.push({ field: 'groupId', message: `group ${b.groupId} is not a group of this comune` });
      } else out.groupId = b.groupId;
    }
    if (b.priority !== undefined) {
      if (b.priority !== null && !(PRIORITIES as readonly unknown[]).includes(b.priority))
        problems.push({ field: 'priority', message: `must be one of ${PRIORITIES.join(', ')} or null` });
      else out.priority = b.priority as string | null;
    }
    if (b.ticketType !== undefined) {
      if (b.ticketType !== null && (typeof b.ticketType !== 'string' || !/^[a-z][a-z0-9_-]{0,39}$/.test(b.ticketType)))
        problems.push({ field: 'ticketType', message: 'must be a ticket type name or null' });
      else out.ticketType = b.ticketType;
    }
    for (const f of ['firstResponseSecs', 'nextResponseSecs', 'resolutionSecs'] as const) {
      const v = b[f];
      if (v === undefined) continue;
      if (v !== null && (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_TARGET))
        problems.push({ field: f, message: `must be whole seconds between 1 and ${MAX_TARGET}, or null (no target)` });
      else out[f] = v;
    }
    if (b.warnBeforeSecs !== undefined) {
      const v = b.warnBeforeSecs;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 86_400)
        problems.push({ field: 'warnBeforeSecs', message: 'must be whole seconds between 0 and 86400' });
      else out.warnBeforeSecs = v;
    }
    if (problems.length) throw new InvalidInputException(problems, problems.map((x) => `${x.field}: ${x.message}`).join('; '));
    return out;
  }

  private async insertOrConflict<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw invalidField('groupId', 'a policy for this group, priority and ticket type already exists');
      throw err;
    }
  }

  /** New rules: forget cached ones and queue the comune's open tickets for recomputation. */
  private async changed(comuneId: number): Promise<void> {
    this.store.forget(comuneId);
    await this.ds.query(
      `INSERT INTO analytics_dirty (ticket_id, comune_id)
       SELECT id, comune_id FROM tickets WHERE comune_id = $1 AND status IN ${OPEN_STATUS_SQL}`,
      [comuneId],
    );
    await this.ds.query(`SELECT pg_notify('analytics_dirty', '')`);
  }
}

function asObject(body: unknown, allowed: string[]): Record<string, any> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidField('body', 'must be a JSON object');
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length)
    throw new InvalidInputException(
      unknown.map((field) => ({ field, message: 'is not a known field' })),
      `${unknown[0]}: is not a known field`,
    );
  return body as Record<string, any>;
}
