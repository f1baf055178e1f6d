import { useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { Presence } from '@server/common/staff.api';
import type { AgentClientEvents, AgentServerEvents } from '@server/realtime/events.api';
import { api, type GroupRow, type MessageView, type OperatorRow, type Principal, type TicketSummary } from './api';

export type { Presence };
/** A ticket offered to me, as the /agent socket announces it. */
export type Offer = Parameters<AgentServerEvents['ticket.offered']>[0];

interface State {
  me: Principal;
  presence: Presence;
  connected: boolean;
  tickets: Map<string, TicketSummary>;
  operators: OperatorRow[];
  groups: GroupRow[];
  offers: Offer[];
  /** Tickets whose citizen is typing now. */
  typing: Set<string>;
}

type MessageListener = (ticketId: string, m: MessageView, kind: 'created' | 'updated') => void;

/**
 * Everything the console shows that changes on its own: tickets, operators, queues, offers. Fed
 * once by the REST API, then by the /agent socket; re-read on every reconnection, since events
 * missed while disconnected are not replayed.
 */
export class LiveStore {
  private state: State;
  private readonly listeners = new Set<() => void>();
  private readonly messageListeners = new Set<MessageListener>();
  private refreshTimer: number | undefined;
  private typingTimers = new Map<string, number>();
  readonly socket: Socket<AgentServerEvents, AgentClientEvents>;

  constructor(me: Principal, token: string, presence: Presence) {
    this.state = { me, presence, connected: false, tickets: new Map(), operators: [], groups: [], offers: [], typing: new Set() };
    this.socket = io('/agent', { auth: { token, presence }, transports: ['websocket', 'polling'] });
    this.socket.on('connect', () => {
      this.set({ connected: true });
      void this.reload();
    });
    this.socket.on('disconnect', () => this.set({ connected: false }));
    const upsert = (p: { ticket: TicketSummary }) => {
      this.upsert([p.ticket]);
      this.refreshSoon();
    };
    this.socket.on('ticket.created', upsert);
    this.socket.on('ticket.assigned', upsert);
    this.socket.on('ticket.updated', upsert);
    this.socket.on('ticket.offered', (p) => {
      this.upsert([p.ticket]);
      this.set({ offers: [...this.state.offers.filter((o) => o.ticket.id !== p.ticket.id), p] });
      this.refreshSoon();
      window.dispatchEvent(new CustomEvent('sportello:offer', { detail: p }));
    });
    this.socket.on('message.created', (p) => {
      this.messageListeners.forEach((l) => l(p.ticketId, p.message, 'created'));
      const t = this.state.tickets.get(p.ticketId);
      if (t) this.upsert([{ ...t, lastMessageAt: p.message.createdAt }]);
      if (p.message.direction === 'inbound') this.setTyping(p.ticketId, false);
    });
    this.socket.on('message.updated', (p) => this.messageListeners.forEach((l) => l(p.ticketId, p.message, 'updated')));
    this.socket.on('presence.updated', (p) => {
      this.set({ operators: this.state.operators.map((o) => (o.id === p.operatorId ? { ...o, presence: p.presence } : o)) });
      if (p.operatorId === me.operatorId) this.set({ presence: p.presence });
      this.refreshSoon();
    });
    this.socket.on('citizen.typing', (p) => this.setTyping(p.ticketId, p.typing));
  }

  get snapshot(): State {
    return this.state;
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  onMessage(l: MessageListener): () => void {
    this.messageListeners.add(l);
    return () => this.messageListeners.delete(l);
  }

  private set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((l) => l());
  }

  upsert(list: TicketSummary[]): void {
    if (list.length === 0) return;
    const tickets = new Map(this.state.tickets);
    for (const t of list) tickets.set(t.id, t);
    // An offer that moved on (accepted, expired, declined) is no longer shown as one.
    const offers = this.state.offers.filter((o) => {
      const t = tickets.get(o.ticket.id);
      return t && t.queueState === 'offered' && t.offeredToId === this.state.me.operatorId;
    });
    this.set({ tickets, offers });
  }

  private setTyping(ticketId: string, typing: boolean): void {
    const set = new Set(this.state.typing);
    window.clearTimeout(this.typingTimers.get(ticketId));
    if (typing) {
      set.add(ticketId);
      // A citizen who closed the tab never says "stopped": the indicator fades by itself.
      this.typingTimers.set(
        ticketId,
        window.setTimeout(() => this.setTyping(ticketId, false), 6000),
      );
    } else set.delete(ticketId);
    this.set({ typing: set });
  }

  /** The tickets this operator works with: offered, assigned, their groups' queues, and (for supervisors) the comune's latest. */
  async reload(): Promise<void> {
    const [mine, open, latest] = await Promise.all([
      api<TicketSummary[]>('/api/tickets', { query: { mine: true, limit: 200 } }),
      api<TicketSummary[]>('/api/tickets', { query: { queueState: 'unrouted,queued,offered', limit: 200 } }),
      api<TicketSummary[]>('/api/tickets', { query: { limit: 100 } }),
    ]);
    this.upsert([...latest, ...open, ...mine]);
    await this.refreshTeam();
  }

  async refreshTeam(): Promise<void> {
    const [operators, groups] = await Promise.all([api<OperatorRow[]>('/api/operators'), api<GroupRow[]>('/api/groups')]);
    this.set({ operators, groups });
  }

  /** Queue lengths and loads are re-read shortly after a burst of ticket events, once. */
  private refreshSoon(): void {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.refreshTeam().catch(() => undefined), 400);
  }

  setPresence(presence: Presence): Promise<void> {
    sessionStorage.setItem('sportello.presence', presence);
    return new Promise((resolve, reject) => {
      this.socket.timeout(5000).emit('presence.set', { presence }, (err, r) => {
        if (err || !r?.ok) return reject(err ?? new Error(r?.error));
        this.set({ presence });
        resolve();
      });
    });
  }

  dismissOffer(ticketId: string): void {
    this.set({ offers: this.state.offers.filter((o) => o.ticket.id !== ticketId) });
  }

  close(): void {
    this.socket.disconnect();
  }
}

let current: LiveStore | null = null;
export function openStore(me: Principal, token: string): LiveStore {
  current?.close();
  const presence = (sessionStorage.getItem('sportello.presence') as Presence | null) ?? 'online';
  current = new LiveStore(me, token, presence);
  return current;
}
export function closeStore(): void {
  current?.close();
  current = null;
}

export function useLive<T>(store: LiveStore, select: (s: State) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.snapshot));
}

/** Who may see a ticket in this console: the same rule the server applies. */
export function canSee(me: Principal, t: TicketSummary): boolean {
  if (me.role !== 'operator') return true;
  return (t.groupId !== null && me.groupIds.includes(t.groupId)) || t.assigneeId === me.operatorId || t.offeredToId === me.operatorId;
}
