import { useEffect, useMemo, useState } from 'react';
import { useStore } from '../app/context';
import { api, type Principal, type TicketSummary } from '../lib/api';
import { formatDuration, useI18n, type TextKey } from '../lib/i18n';
import { navigate, useRoute } from '../lib/router';
import { canSee, useLive } from '../lib/store';
import { ConversationView } from '../conversation/ConversationView';

type ViewId = 'offered' | 'mine' | 'queues' | 'unassigned' | 'all';

const VIEWS: Array<{ id: ViewId; label: TextKey; test: (t: TicketSummary, me: Principal) => boolean; roles?: Array<Principal['role']> }> = [
  { id: 'offered', label: 'inbox.view.offered', test: (t, me) => t.queueState === 'offered' && t.offeredToId === me.operatorId },
  { id: 'mine', label: 'inbox.view.mine', test: (t, me) => t.assigneeId === me.operatorId && t.status !== 'closed' },
  {
    id: 'queues',
    label: 'inbox.view.queues',
    test: (t, me) => t.queueState === 'queued' && t.groupId !== null && me.groupIds.includes(t.groupId),
  },
  {
    id: 'unassigned',
    label: 'inbox.view.unassigned',
    test: (t) => t.assigneeId === null && ['unrouted', 'queued', 'offered'].includes(t.queueState),
  },
  { id: 'all', label: 'inbox.view.all', test: () => true, roles: ['supervisor', 'manager', 'metro_admin'] },
];

export interface Filters {
  q: string;
  status: string;
  channel: string;
  type: string;
  groupId: string;
  category: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { q: '', status: '', channel: '', type: '', groupId: '', category: '', from: '', to: '' };
const CHANNELS = ['webchat', 'app', 'whatsapp', 'telegram', 'email', 'phone', 'desk'];
const STATUSES = ['new', 'open', 'waiting_citizen', 'resolved', 'closed'];

function matches(t: TicketSummary, f: Filters): boolean {
  if (f.q && !`${t.reference} ${t.subject ?? ''}`.toLowerCase().includes(f.q.toLowerCase())) return false;
  if (f.status && t.status !== f.status) return false;
  if (f.channel && t.channel !== f.channel) return false;
  if (f.type && t.type !== f.type) return false;
  if (f.groupId && String(t.groupId) !== f.groupId) return false;
  if (f.category && (t.category ?? '').toLowerCase() !== f.category.toLowerCase()) return false;
  if (f.from && t.createdAt < new Date(f.from).toISOString()) return false;
  if (f.to && t.createdAt >= new Date(new Date(f.to).getTime() + 86_400_000).toISOString()) return false;
  return true;
}

export default function InboxPage() {
  const store = useStore();
  const { t, lang } = useI18n();
  const route = useRoute();
  const me = store.snapshot.me;
  const views = VIEWS.filter((v) => !v.roles || v.roles.includes(me.role));
  const view = views.find((v) => v.id === route[1]) ?? views[me.role === 'operator' ? 1 : 4];
  const selectedId = route[2] ?? null;
  const tickets = useLive(store, (s) => s.tickets);
  const groups = useLive(store, (s) => s.groups);
  const typing = useLive(store, (s) => s.typing);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    const i = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(i);
  }, []);

  // Filters also ask the server, so older tickets that match are found, not only those already loaded.
  useEffect(() => {
    if (filters === NO_FILTERS) return;
    const timer = setTimeout(() => {
      void api<TicketSummary[]>('/api/tickets', {
        query: {
          q: filters.q || undefined,
          status: filters.status || undefined,
          channel: filters.channel || undefined,
          type: filters.type || undefined,
          groupId: filters.groupId || undefined,
          category: filters.category || undefined,
          from: filters.from ? new Date(filters.from).toISOString() : undefined,
          to: filters.to ? new Date(new Date(filters.to).getTime() + 86_400_000).toISOString() : undefined,
          limit: 200,
        },
      })
        .then((list) => store.upsert(list))
        .catch(() => undefined);
    }, 250);
    return () => clearTimeout(timer);
  }, [filters, store]);

  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const v of views) c[v.id] = 0;
    for (const tk of tickets.values()) if (canSee(me, tk)) for (const v of views) if (v.test(tk, me)) c[v.id]++;
    return c;
  }, [tickets, me, views]);

  const list = useMemo(
    () =>
      [...tickets.values()]
        .filter((tk) => canSee(me, tk) && view.test(tk, me) && matches(tk, filters))
        .sort((a, b) =>
          view.id === 'queues' || view.id === 'unassigned'
            ? (a.waitingSince ?? a.createdAt).localeCompare(b.waitingSince ?? b.createdAt)
            : b.lastMessageAt.localeCompare(a.lastMessageAt),
        ),
    [tickets, me, view, filters],
  );

  const groupName = (id: number | null) => {
    const g = groups.find((x) => x.id === id);
    return g ? (lang === 'it' ? g.name : g.nameEn) : '—';
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [k]: e.target.value }));

  return (
    <div className={`inbox ${selectedId ? 'has-selection' : ''}`}>
      <section className="inbox-list" aria-labelledby="inbox-title">
        <h1 id="inbox-title" className="visually-hidden">
          {t('inbox.title')}
        </h1>
        <nav aria-label={t('inbox.views')} className="views">
          <ul>
            {views.map((v) => (
              <li key={v.id}>
                <a
                  href={`/console/inbox/${v.id}`}
                  aria-current={v === view ? 'page' : undefined}
                  data-view={v.id}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`inbox/${v.id}`);
                  }}
                >
                  {t(v.label)} <span className="count">{counts[v.id]}</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <details className="filters">
          <summary>{t('filters.title')}</summary>
          <div className="filter-grid">
            <div className="field">
              <label htmlFor="f-q">{t('filters.search')}</label>
              <input id="f-q" type="search" value={filters.q} onChange={set('q')} />
            </div>
            <div className="field">
              <label htmlFor="f-status">{t('filters.status')}</label>
              <select id="f-status" value={filters.status} onChange={set('status')}>
                <option value="">{t('filters.any')}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`status.${s}` as TextKey)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="f-channel">{t('filters.channel')}</label>
              <select id="f-channel" value={filters.channel} onChange={set('channel')}>
                <option value="">{t('filters.any')}</option>
                {CHANNELS.map((c) => (
                  <option key={c} value={c}>
                    {t(`channel.${c}` as TextKey)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="f-type">{t('filters.type')}</label>
              <select id="f-type" value={filters.type} onChange={set('type')}>
                <option value="">{t('filters.any')}</option>
                <option value="request">{t('type.request')}</option>
                <option value="report">{t('type.report')}</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="f-group">{t('filters.group')}</label>
              <select id="f-group" value={filters.groupId} onChange={set('groupId')}>
                <option value="">{t('filters.any')}</option>
                {groups.map((g) => (
                  <option key={g.id} value={g.id}>
                    {lang === 'it' ? g.name : g.nameEn}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="f-category">{t('filters.category')}</label>
              <input id="f-category" value={filters.category} onChange={set('category')} />
            </div>
            <div className="field">
              <label htmlFor="f-from">{t('filters.from')}</label>
              <input id="f-from" type="date" value={filters.from} onChange={set('from')} />
            </div>
            <div className="field">
              <label htmlFor="f-to">{t('filters.to')}</label>
              <input id="f-to" type="date" value={filters.to} onChange={set('to')} />
            </div>
          </div>
          <button type="button" className="btn btn-link" onClick={() => setFilters(NO_FILTERS)}>
            {t('filters.reset')}
          </button>
        </details>
        {list.length === 0 ? (
          <p className="empty">{t('inbox.empty')}</p>
        ) : (
          <ul className="tickets" aria-label={t(view.label)}>
            {list.map((tk) => (
              <li key={tk.id}>
                <a
                  href={`/console/inbox/${view.id}/${tk.id}`}
                  className="ticket-row"
                  aria-current={tk.id === selectedId ? 'true' : undefined}
                  data-ticket={tk.reference}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`inbox/${view.id}/${tk.id}`);
                  }}
                >
                  <span className="ticket-top">
                    <span className="ref">{tk.reference}</span>
                    <span className={`badge badge-${tk.status}`}>{t(`status.${tk.status}` as TextKey)}</span>
                    {tk.priority !== 'normal' && (
                      <span className={`badge badge-prio-${tk.priority}`}>{t(`priority.${tk.priority}` as TextKey)}</span>
                    )}
                  </span>
                  <span className="subject">{tk.subject ?? '—'}</span>
                  <span className="meta">
                    <span>{t(`channel.${tk.channel}` as TextKey)}</span>
                    <span>{groupName(tk.groupId)}</span>
                    {tk.queueState === 'queued' && tk.waitingSince && (
                      <span className="wait">{t('inbox.waiting', { time: formatDuration(now - Date.parse(tk.waitingSince), lang) })}</span>
                    )}
                    {tk.queueState === 'offered' && <span>{t('queue.offered')}</span>}
                    {typing.has(tk.id) && <span className="typing-dot">{t('conv.typing')}</span>}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="inbox-detail" aria-label={t('conv.thread')}>
        {selectedId ? (
          <ConversationView key={selectedId} ticketId={selectedId} onClose={() => navigate(`inbox/${view.id}`)} />
        ) : (
          <p className="empty">{t('inbox.select')}</p>
        )}
      </section>
    </div>
  );
}
