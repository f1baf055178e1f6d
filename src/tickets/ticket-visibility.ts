import { seesWholeComune, TenantScope, type Principal } from '../common/tenant-scope.js';

/**
 * SQL restricting tickets `t` to what the principal may see (every ticket route and panel uses it):
 * their comune; for a plain operator, their groups' tickets and those assigned or offered to them.
 */
export function visibleTickets(principal: Principal, params: unknown[]): string {
  const tenant = TenantScope.ofPrincipal(principal).sql('t.comune_id', params);
  if (seesWholeComune(principal)) return tenant;
  params.push(principal.groupIds, principal.operatorId);
  const g = params.length - 1;
  return `${tenant} AND (t.group_id = ANY($${g}::int[]) OR t.assignee_id = $${g + 1} OR t.offered_to_id = $${g + 1})`;
}

/** Ticket and attachment ids are bigints: anything else cannot exist. */
export const isTicketId = (id: string): boolean => /^\d{1,18}$/.test(id);
