import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from '../app/context';
import { api, ApiError, type MessageView, type TicketDetail, type TicketEvent } from '../lib/api';
import { formatDateTime, useI18n, type TextKey } from '../lib/i18n';
import { useLive } from '../lib/store';
import { Actions } from './Actions';
import { mergeMessages } from './merge-messages';
import { ReplyBox } from './ReplyBox';
import { SidePanel } from './SidePanel';
import { Thread } from './Thread';

export function ConversationView({ ticketId, onClose }: { ticketId: string; onClose: () => void }) {
  const store = useStore();
  const { t, lang } = useI18n();
  const [detail, setDetail] = useState<TicketDetail | null>(null);
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [events, setEvents] = useState<TicketEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const summary = useLive(store, (s) => s.tickets.get(ticketId));
  const typing = useLive(store, (s) => s.typing.has(ticketId));
  const operators = useLive(store, (s) => s.operators);
  const groups = useLive(store, (s) => s.groups);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async () => {
    try {
      const [d, ev] = await Promise.all([
        api<TicketDetail>(`/api/tickets/${ticketId}`),
        api<TicketEvent[]>(`/api/tickets/${ticketId}/events`),
      ]);
      setDetail(d);
      // Merged, not replaced: an update that came while the snapshot was read is newer than it.
      setMessages((list) => mergeMessages(list, d.messages));
      setEvents(ev);
      store.upsert([d]);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? `${ticketId}: ${err.message}` : (err as Error).message);
    }
  }, [ticketId, store]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    headingRef.current?.focus();
  }, [detail?.id]);

  // Created or updated, in whatever order they come: merged, a delivery state never goes back
  // (an update for a reply whose "created" has not arrived yet adds it).
  useEffect(
    () =>
      store.onMessage((tid, m) => {
        if (tid !== ticketId) return;
        setMessages((list) => mergeMessages(list, [m]));
      }),
    [store, ticketId],
  );

  // Every change of the ticket (status, transfer, assignment) shows up in its history.
  useEffect(() => {
    if (!summary || !detail) return;
    void api<TicketEvent[]>(`/api/tickets/${ticketId}/events`)
      .then(setEvents)
      .catch(() => undefined);
  }, [summary, ticketId, messages.length]);

  // What is on screen has been read: the citizen sees it (web chat) and the messages are marked.
  const lastInbound = useMemo(() => [...messages].reverse().find((m) => m.direction === 'inbound'), [messages]);
  useEffect(() => {
    if (!lastInbound || lastInbound.deliveryStatus === 'read' || document.visibilityState !== 'visible') return;
    store.socket.emit('ticket.read', { ticketId, upToMessageId: lastInbound.id });
    const upTo = BigInt(lastInbound.id);
    setMessages((list) =>
      list.map((m) =>
        m.direction === 'inbound' && m.deliveryStatus === 'received' && BigInt(m.id) <= upTo ? { ...m, deliveryStatus: 'read' } : m,
      ),
    );
  }, [lastInbound?.id, ticketId, store]);

  if (error)
    return (
      <div className="conversation">
        <p className="error" role="alert">
          {t('errors.generic', { error })}
        </p>
      </div>
    );
  if (!detail)
    return (
      <div className="conversation">
        <p role="status">{t('common.loading')}</p>
      </div>
    );
  const tk = { ...detail, ...(summary ?? {}) };
  const group = groups.find((g) => g.id === tk.groupId);
  const assignee = operators.find((o) => o.id === tk.assigneeId);
  const counter = tk.channel === 'phone' || tk.channel === 'desk';

  return (
    <article className="conversation" aria-labelledby="conv-title">
      <header className="conv-head">
        <div>
          <h2 id="conv-title" tabIndex={-1} ref={headingRef}>
            <span className="ref">{tk.reference}</span> {tk.subject ?? ''}
          </h2>
          <p className="conv-meta">
            <span className={`badge badge-${tk.status}`} data-testid="ticket-status">
              {t(`status.${tk.status}` as TextKey)}
            </span>
            <span className={`badge badge-prio-${tk.priority}`}>{t(`priority.${tk.priority}` as TextKey)}</span>
            <span>{t(`channel.${tk.channel}` as TextKey)}</span>
            <span>
              {t('conv.group')}: <strong data-testid="ticket-group">{group ? (lang === 'it' ? group.name : group.nameEn) : '—'}</strong>
            </span>
            <span>
              {t('conv.assignee')}: <strong>{assignee?.name ?? t('conv.nobody')}</strong>
            </span>
            <span>{t('conv.created', { date: formatDateTime(tk.createdAt, lang) })}</span>
          </p>
        </div>
        <button type="button" className="btn btn-ghost close-conv" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </header>
      <Actions ticket={tk} onChanged={() => void load()} />
      <div className="conv-body">
        <div className="conv-main">
          {counter && (
            <p className="banner banner-info">{t('conv.counterHint', { channel: t(`channel.${tk.channel}` as TextKey).toLowerCase() })}</p>
          )}
          <Thread messages={messages} operators={operators} />
          <p className="typing" aria-live="polite">
            {typing ? t('conv.typing') : ''}
          </p>
          <ReplyBox ticket={tk} defaultNote={counter} />
        </div>
        <SidePanel ticket={tk} events={events} operators={operators} />
      </div>
    </article>
  );
}
