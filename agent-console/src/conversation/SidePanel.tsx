import { lazy, Suspense, useEffect, useState } from 'react';
import { api, type CitizenPanel, type OperatorRow, type TicketEvent, type TicketSummary } from '../lib/api';
import { formatDateTime, useI18n, type TextKey } from '../lib/i18n';
import { navigate } from '../lib/router';

const ReportMap = lazy(() => import('./ReportMap'));
type Tab = 'citizen' | 'map' | 'history';

export function SidePanel({ ticket, events, operators }: { ticket: TicketSummary; events: TicketEvent[]; operators: OperatorRow[] }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>(ticket.location ? 'map' : 'citizen');
  const tabs: Tab[] = ['citizen', 'map', 'history'];
  const onKey = (e: React.KeyboardEvent) => {
    const i = tabs.indexOf(tab);
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
      setTab(next);
      document.getElementById(`side-tab-${next}`)?.focus();
    }
  };
  return (
    <aside className="side" aria-label={t('side.citizen')}>
      <div role="tablist" className="tabs" aria-label={t('side.citizen')} onKeyDown={onKey}>
        {tabs.map((x) => (
          <button
            key={x}
            id={`side-tab-${x}`}
            type="button"
            role="tab"
            aria-selected={tab === x}
            aria-controls={`side-panel-${x}`}
            tabIndex={tab === x ? 0 : -1}
            onClick={() => setTab(x)}
          >
            {t(`side.${x}` as TextKey)}
          </button>
        ))}
      </div>
      <div id={`side-panel-${tab}`} role="tabpanel" aria-labelledby={`side-tab-${tab}`} className="tabpanel" tabIndex={0}>
        {tab === 'citizen' && <Citizen ticketId={ticket.id} />}
        {tab === 'map' &&
          (ticket.location ? (
            <Suspense fallback={<p role="status">{t('common.loading')}</p>}>
              <ReportMap location={ticket.location} comuneId={ticket.comuneId} />
            </Suspense>
          ) : (
            <p className="muted">{t('map.none')}</p>
          ))}
        {tab === 'history' && <History events={events} operators={operators} />}
      </div>
    </aside>
  );
}

function Citizen({ ticketId }: { ticketId: string }) {
  const { t, lang } = useI18n();
  const [panel, setPanel] = useState<CitizenPanel | null>(null);
  useEffect(() => {
    void api<CitizenPanel>(`/api/console/tickets/${ticketId}/citizen`)
      .then(setPanel)
      .catch(() => undefined);
  }, [ticketId]);
  if (!panel) return <p role="status">{t('common.loading')}</p>;
  const consent = (c: CitizenPanel['consent']['privacy']) =>
    c
      ? t(c.granted ? 'citizen.granted' : 'citizen.refused', {
          date: formatDateTime(c.recordedAt, lang),
          source: t(`channel.${c.source}` as TextKey),
        })
      : t('citizen.unknown');
  return (
    <div className="citizen" data-testid="citizen-panel">
      <h3>{panel.displayName ?? t('citizen.anonymous')}</h3>
      <h4>{t('citizen.identities')}</h4>
      <ul className="plain">
        {panel.identities.map((i) => (
          <li key={`${i.channel}:${i.address}`}>
            <span className="badge">{t(`channel.${i.channel}` as TextKey)}</span> <span className="mono">{i.address}</span>
          </li>
        ))}
      </ul>
      {panel.contacts.length > 0 && (
        <>
          <h4>{t('citizen.contacts')}</h4>
          <ul className="plain">
            {panel.contacts.map((c) => (
              <li key={c.contact} className="mono">
                {c.contact}
              </li>
            ))}
          </ul>
        </>
      )}
      <dl className="consents">
        <dt>{t('citizen.consent')}</dt>
        <dd data-testid="consent-privacy">{consent(panel.consent.privacy)}</dd>
        <dt>{t('citizen.updates')}</dt>
        <dd>{consent(panel.consent.updates)}</dd>
      </dl>
      <h4>{t('citizen.tickets')}</h4>
      {panel.tickets.length === 0 ? (
        <p className="muted">{t('citizen.noTickets')}</p>
      ) : (
        <ul className="plain">
          {panel.tickets.map((x) => (
            <li key={x.id}>
              <a
                href={`/console/inbox/all/${x.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`inbox/all/${x.id}`);
                }}
              >
                {x.reference}
              </a>{' '}
              <span className="muted">
                {t(`channel.${x.channel}` as TextKey)} · {t(`status.${x.status}` as TextKey)} · {formatDateTime(x.createdAt, lang)}
              </span>
              <div>{x.subject}</div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const EVENT_LABELS: Record<string, { it: string; en: string }> = {
  'ticket.created': { it: 'Ticket creato', en: 'Ticket created' },
  'ticket.entered_for_citizen': { it: 'Registrato da un operatore per il cittadino', en: 'Entered by an operator for the citizen' },
  'ticket.routed': { it: 'Instradato al gruppo', en: 'Routed to group' },
  'offer.made': { it: 'Offerto a un operatore', en: 'Offered to an operator' },
  'offer.expired': { it: 'Offerta scaduta', en: 'Offer expired' },
  'offer.declined': { it: 'Offerta rifiutata', en: 'Offer declined' },
  'ticket.assigned': { it: 'Preso in carico', en: 'Taken' },
  'ticket.transferred': { it: 'Trasferito', en: 'Transferred' },
  'ticket.handed_back': { it: 'Rimesso in coda', en: 'Handed back to the queue' },
  'message.received': { it: 'Messaggio del cittadino', en: 'Citizen message' },
  'message.sent': { it: 'Risposta inviata', en: 'Reply sent' },
  'note.added': { it: 'Nota interna', en: 'Internal note' },
  'status.changed': { it: 'Stato cambiato', en: 'Status changed' },
  'ticket.reopened': { it: 'Riaperto', en: 'Reopened' },
  'priority.changed': { it: 'Priorità cambiata', en: 'Priority changed' },
  'category.changed': { it: 'Categoria cambiata', en: 'Category changed' },
  'type.changed': { it: 'Tipo cambiato', en: 'Type changed' },
  'citizen.notified': { it: 'Cittadino avvisato del cambio di stato', en: 'Citizen notified of the state change' },
  'citizen.not_notified': { it: 'Avviso al cittadino non inviato', en: 'Citizen could not be notified' },
};

function History({ events, operators }: { events: TicketEvent[]; operators: OperatorRow[] }) {
  const { t, lang } = useI18n();
  if (events.length === 0) return <p className="muted">{t('history.empty')}</p>;
  return (
    <ol className="history" data-testid="history">
      {[...events].reverse().map((e) => {
        const who =
          e.actorType === 'operator'
            ? (operators.find((o) => o.id === e.actorOperatorId)?.name ?? t('conv.operator'))
            : e.actorType === 'citizen'
              ? t('conv.citizen')
              : 'Sportello';
        const d = e.data as { from?: string; to?: string };
        return (
          <li key={e.id} data-event={e.type}>
            <strong>{EVENT_LABELS[e.type]?.[lang] ?? e.type}</strong>
            {d.from !== undefined && d.to !== undefined && (
              <span>
                {' '}
                {String(d.from ?? '—')} → {String(d.to ?? '—')}
              </span>
            )}
            <div className="muted small">
              {who} · {formatDateTime(e.createdAt, lang)}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
