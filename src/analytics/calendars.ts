import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BusinessCalendar } from '../comuni/business-calendar.js';
import { ComuniService } from '../comuni/comuni.service.js';
import type { SlaTargets } from './ticket-metrics.js';
import { InScope } from '../tenancy/db-scope.js';
import { TenantScope } from '../common/tenant-scope.js';

export interface SlaPolicy {
  id: number;
  comuneId: number;
  name: string;
  groupId: number | null;
  priority: string | null;
  ticketType: string | null;
  firstResponseSecs: number | null;
  nextResponseSecs: number | null;
  resolutionSecs: number | null;
  warnBeforeSecs: number;
}

export function toPolicy(r: any): SlaPolicy {
  return {
    id: r.id,
    comuneId: r.comune_id,
    name: r.name,
    groupId: r.group_id,
    priority: r.priority,
    ticketType: r.ticket_type,
    firstResponseSecs: r.first_response_secs,
    nextResponseSecs: r.next_response_secs,
    resolutionSecs: r.resolution_secs,
    warnBeforeSecs: r.warn_before_secs,
  };
}

/** Policies matching a ticket (group, priority, type; an unset field matches anything), most specific first. */
export function matchingPolicies(policies: SlaPolicy[], t: { groupId: number | null; priority: string; type: string }): SlaPolicy[] {
  const score = (p: SlaPolicy) => (p.groupId !== null ? 4 : 0) + (p.ticketType !== null ? 2 : 0) + (p.priority !== null ? 1 : 0);
  return policies
    .filter(
      (p) =>
        (p.groupId === null || p.groupId === t.groupId) &&
        (p.priority === null || p.priority === t.priority) &&
        (p.ticketType === null || p.ticketType === t.type),
    )
    .sort((a, b) => score(b) - score(a) || a.id - b.id);
}

/**
 * Targets for a ticket: each target from the most specific matching policy that sets it, so a
 * group's policy may set only a first-response target and inherit the comune's others.
 */
export function targetsFor(policies: SlaPolicy[]): SlaTargets {
  const pick = (f: 'firstResponseSecs' | 'nextResponseSecs' | 'resolutionSecs') => policies.find((p) => p[f] !== null)?.[f] ?? null;
  return {
    policyId: policies[0]?.id ?? null,
    firstResponseSecs: pick('firstResponseSecs'),
    nextResponseSecs: pick('nextResponseSecs'),
    resolutionSecs: pick('resolutionSecs'),
  };
}

/**
 * Each comune's business calendar and SLA policies, cached briefly: they change a few times a
 * year and are read for every recomputed ticket. Writes through this class clear the cache.
 */
@Injectable()
export class CalendarStore {
  private readonly policies = new Map<number, { value: SlaPolicy[]; at: number }>();
  private static readonly TTL_MS = 30_000;

  constructor(
    private readonly ds: DataSource,
    private readonly comuni: ComuniService,
  ) {}

  /** The comune's calendar (owned and cached by ComuniService, shared with the web chat). */
  calendar(comuneId: number): Promise<BusinessCalendar> {
    return this.comuni.calendar(comuneId);
  }

  @InScope((comuneId: number) => TenantScope.ofComune(comuneId))
  async slaPolicies(comuneId: number): Promise<SlaPolicy[]> {
    const hit = this.policies.get(comuneId);
    if (hit && Date.now() - hit.at < CalendarStore.TTL_MS) return hit.value;
    const rows = await this.ds.query(`SELECT * FROM sla_policies WHERE comune_id = $1 ORDER BY id`, [comuneId]);
    const value = rows.map(toPolicy);
    this.policies.set(comuneId, { value, at: Date.now() });
    return value;
  }

  forget(comuneId: number): void {
    this.comuni.forgetCalendar(comuneId);
    this.policies.delete(comuneId);
  }
}
