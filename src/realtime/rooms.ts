import type { Principal } from '../common/tenant-scope.js';

/** Room names in the `/agent` namespace. Each is scoped to a tenant by construction. */
export const rooms = {
  operator: (id: number) => `operator:${id}`,
  group: (id: number) => `group:${id}`,
  /** Supervisors, managers: every ticket of one comune. */
  comuneSupervisors: (comuneId: number) => `comune:${comuneId}:supervisors`,
  /** Every operator of a comune (presence and comune-wide notices). */
  comune: (comuneId: number) => `comune:${comuneId}`,
  metro: () => 'metro',
  /** `/webchat` namespace: one citizen session. */
  webchatSession: (address: string) => `session:${address}`,
};

export function roomsForTicket(t: {
  comuneId: number;
  groupId: number | null;
  assigneeId: number | null;
  offeredToId: number | null;
}): string[] {
  const list = [rooms.comuneSupervisors(t.comuneId), rooms.metro()];
  if (t.groupId !== null) list.push(rooms.group(t.groupId));
  if (t.assigneeId !== null) list.push(rooms.operator(t.assigneeId));
  if (t.offeredToId !== null) list.push(rooms.operator(t.offeredToId));
  return list;
}

export function roomsForPrincipal(p: Principal): string[] {
  if (p.role === 'metro_admin') return [rooms.metro(), rooms.operator(p.operatorId)];
  const comuneId = p.comuneId as number;
  const list = [rooms.operator(p.operatorId), rooms.comune(comuneId), ...p.groupIds.map(rooms.group)];
  if (p.role !== 'operator') list.push(rooms.comuneSupervisors(comuneId));
  return list;
}
