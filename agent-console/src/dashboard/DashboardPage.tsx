import { useCallback, useEffect, useMemo, useState } from 'react';
import { useStore } from '../app/context';
import { api, ApiError, getToken, type Analytics, type SlaAlert } from '../lib/api';
import { formatDuration, useI18n, type Text } from '../lib/i18n';
import { navigate } from '../lib/router';
import { useLive } from '../lib/store';
import AreaMap, { type AreaRow } from './AreaMap';

/** Texts of the dashboard: Italian first. */
const T = {
  title: { it: 'Cruscotto', en: 'Dashboard' },
  live: { it: 'Situazione in tempo reale', en: 'Live' },
  open: { it: 'Aperte', en: 'Open' },
  waitingCitizen: { it: 'In attesa del cittadino', en: 'Waiting for citizen' },
  unassigned: { it: 'Non assegnate', en: 'Unassigned' },
  oldest: { it: 'Attesa più lunga', en: 'Oldest wait' },
  online: { it: 'Operatori in linea', en: 'Operators online' },
  atRisk: { it: 'SLA a rischio', en: 'SLA at risk' },
  breachedNow: { it: 'SLA scaduti', en: 'SLA breached' },
  filters: { it: 'Periodo e filtri', en: 'Period and filters' },
  period: { it: 'Periodo', en: 'Period' },
  from: { it: 'Dal', en: 'From' },
  to: { it: 'Al', en: 'To' },
  comune: { it: 'Comune', en: 'Comune' },
  allComuni: { it: 'Tutti i comuni', en: 'All comuni' },
  breakdown: { it: 'Righe per', en: 'Rows by' },
  channelFilter: { it: 'Canale', en: 'Channel' },
  any: { it: 'Tutti', en: 'Any' },
  apply: { it: 'Aggiorna', en: 'Update' },
  responseTimes: { it: 'Tempi di risposta', en: 'Response times' },
  frt: { it: 'Prima risposta', en: 'First response' },
  nrt: { it: 'Risposte successive', en: 'Next responses' },
  res: { it: 'Risoluzione', en: 'Resolution' },
  business: { it: 'orario d’ufficio', en: 'business hours' },
  wall: { it: 'tempo solare', en: 'wall clock' },
  count: { it: 'N.', en: 'Count' },
  breaches: { it: 'Fuori SLA', en: 'Breaches' },
  volumes: { it: 'Volumi', en: 'Volumes' },
  created: { it: 'Nuove richieste', en: 'New requests' },
  messagesIn: { it: 'Messaggi ricevuti', en: 'Messages received' },
  resolved: { it: 'Risolte', en: 'Resolved' },
  byHour: { it: 'Nuove richieste per ora del giorno', en: 'New requests by hour of day' },
  byDay: { it: 'Nuove richieste per giorno', en: 'New requests per day' },
  backlog: { it: 'Arretrato per gruppo', en: 'Backlog by group' },
  group: { it: 'Gruppo', en: 'Group' },
  csat: { it: 'Soddisfazione (CSAT)', en: 'Satisfaction (CSAT)' },
  responses: { it: 'Risposte', en: 'Responses' },
  average: { it: 'Media (1–5)', en: 'Average (1–5)' },
  csv: { it: 'Esporta CSV', en: 'Export CSV' },
  openData: { it: 'Open data anonimi (CSV)', en: 'Anonymized open data (CSV)' },
  drill: { it: 'Richieste dietro il numero', en: 'Requests behind the number' },
  close: { it: 'Chiudi', en: 'Close' },
  reference: { it: 'Pratica', en: 'Reference' },
  day: { it: 'Giorno', en: 'Day' },
  duration: { it: 'Durata', en: 'Duration' },
  alerts: { it: 'Avvisi SLA', en: 'SLA alerts' },
  alertWarning: { it: 'in scadenza', en: 'due soon' },
  alertBreached: { it: 'scaduto', en: 'breached' },
  none: { it: 'Nessun dato nel periodo.', en: 'No data in this period.' },
  loading: { it: 'Caricamento…', en: 'Loading…' },
  p50: { it: 'mediana', en: 'median' },
  p90: { it: '90° percentile', en: '90th percentile' },
} satisfies Record<string, Text>;

const BREAKDOWNS: Array<[string, Text]> = [
  ['none', { it: 'Totale', en: 'Total' }],
  ['comune', { it: 'Comune', en: 'Comune' }],
  ['day', { it: 'Giorno', en: 'Day' }],
  ['group', { it: 'Gruppo', en: 'Group' }],
  ['operator', { it: 'Operatore', en: 'Operator' }],
  ['channel', { it: 'Canale', en: 'Channel' }],
  ['type', { it: 'Tipo', en: 'Type' }],
  ['category', { it: 'Categoria', en: 'Category' }],
  ['priority', { it: 'Priorità', en: 'Priority' }],
];
const CHANNELS = ['webchat', 'whatsapp', 'telegram', 'email', 'app'];
const PRESETS: Array<[number, Text]> = [
  [7, { it: 'Ultimi 7 giorni', en: 'Last 7 days' }],
  [30, { it: 'Ultimi 30 giorni', en: 'Last 30 days' }],
  [90, { it: 'Ultimi 90 giorni', en: 'Last 90 days' }],
  [365, { it: 'Ultimo anno', en: 'Last year' }],
];

type RtRow = Analytics.ResponseTimeRow;
type VolRow = Analytics.VolumeRow;
type CsatRow = Analytics.CsatRow;
type Live = Analytics.LiveBoard;
/** The requests behind a number of a row, as the drill-down panel shows them. */
interface Drill {
  metric: string;
  key: string;
  label: string;
  rows: Analytics.DrilldownRow[];
}
/** An SLA alert received on the socket, with its level. */
type Alert = SlaAlert & { level: 'warning' | 'breached' };

/** Calendar days as the comuni count them (Europe/Rome, like the rollups), whatever the browser's zone. */
const romeDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit' });
const today = () => romeDay.format(new Date());
const daysAgo = (n: number) => romeDay.format(new Date(Date.now() - n * 86_400_000));

/** Managers' and supervisors' dashboard: live tiles, charts, tables with drill-down and CSV export. */
export default function DashboardPage() {
  const store = useStore();
  const me = useLive(store, (s) => s.me);
  const { t, lang } = useI18n();
  const [filters, setFilters] = useState({
    from: daysAgo(29),
    to: today(),
    comuneId: '',
    breakdown: me.role === 'metro_admin' ? 'comune' : 'group',
    channel: '',
  });
  const [draft, setDraft] = useState(filters);
  const [comuni, setComuni] = useState<Analytics.AnalyticsComune[]>([]);
  const [live, setLive] = useState<Live | null>(null);
  const [rt, setRt] = useState<RtRow[] | null>(null);
  const [vol, setVol] = useState<VolRow[] | null>(null);
  const [daily, setDaily] = useState<VolRow[]>([]);
  const [hours, setHours] = useState<Analytics.HourVolume[]>([]);
  const [backlog, setBacklog] = useState<Analytics.BacklogRow[]>([]);
  const [csat, setCsat] = useState<CsatRow[]>([]);
  const [cells, setCells] = useState<AreaRow[]>([]);
  const [drill, setDrill] = useState<Drill | null>(null);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [error, setError] = useState<string | null>(null);
  const dur = (s: number | null | undefined) => (s === null || s === undefined ? '—' : formatDuration(s * 1000, lang));

  const query = useMemo(() => {
    const q: Record<string, string> = { from: filters.from, to: filters.to };
    if (filters.comuneId) q.comuneId = filters.comuneId;
    if (filters.channel) q.channel = filters.channel;
    return q;
  }, [filters]);
  const breakdown = filters.channel && !['none', 'comune', 'day', 'channel'].includes(filters.breakdown) ? 'channel' : filters.breakdown;

  const refreshLive = useCallback(async () => {
    const q = filters.comuneId ? { comuneId: filters.comuneId } : {};
    try {
      setLive(await api<Live>('/api/analytics/live', { query: q }));
      setBacklog((await api<Analytics.Backlog>('/api/analytics/backlog', { query: q })).rows);
    } catch {
      /* the next refresh retries */
    }
  }, [filters.comuneId]);

  useEffect(() => {
    void api<Analytics.AnalyticsComune[]>('/api/analytics/comuni')
      .then(setComuni)
      .catch(() => undefined);
  }, []);
  useEffect(() => {
    void refreshLive();
    const i = window.setInterval(() => void refreshLive(), 15_000);
    return () => window.clearInterval(i);
  }, [refreshLive]);
  useEffect(() => {
    const onAlert = (level: Alert['level']) => (p: Omit<Alert, 'level'>) => {
      setAlerts((a) => [{ ...p, level }, ...a.filter((x) => !(x.ticketId === p.ticketId && x.level === level))].slice(0, 20));
      void refreshLive();
    };
    const w = onAlert('warning'),
      b = onAlert('breached');
    store.socket.on('sla.warning', w);
    store.socket.on('sla.breached', b);
    return () => {
      store.socket.off('sla.warning', w);
      store.socket.off('sla.breached', b);
    };
  }, [store, refreshLive]);

  useEffect(() => {
    let stale = false;
    setError(null);
    setRt(null);
    setVol(null);
    const load = async () => {
      try {
        const [r, v, d, h, c, m] = await Promise.all([
          api<Analytics.ResponseTimes>('/api/analytics/response-times', { query: { ...query, breakdown } }),
          api<Analytics.Volumes>('/api/analytics/volumes', { query: { ...query, breakdown } }),
          api<Analytics.Volumes>('/api/analytics/volumes', { query: { ...query, breakdown: 'day' } }),
          api<Analytics.VolumesByHour>('/api/analytics/volumes/by-hour', { query }),
          api<Analytics.Csat>('/api/analytics/csat', {
            query: { ...query, breakdown: ['group', 'operator'].includes(breakdown) ? breakdown : 'group' },
          }),
          api<Analytics.AreaMapReport>('/api/analytics/map', { query }),
        ]);
        if (stale) return;
        setRt(r.rows);
        setVol(v.rows);
        setDaily(d.rows);
        setHours(h.rows);
        setCsat(c.rows);
        setCells(m.rows);
      } catch (err) {
        if (!stale) setError(err instanceof ApiError ? err.message : String(err));
      }
    };
    void load();
    return () => {
      stale = true;
    };
  }, [query, breakdown]);

  const openDrill = async (metric: string, row: { key: string; label: string }) => {
    const q: Record<string, string> = { ...query, metric, limit: '100' };
    const dimParam: Record<string, string> = {
      group: 'groupId',
      operator: 'operatorId',
      channel: 'channel',
      type: 'type',
      category: 'category',
      priority: 'priority',
    };
    if (dimParam[breakdown] && row.key !== 'total') {
      delete q.channel;
      q[dimParam[breakdown]] = row.key;
    }
    if (breakdown === 'comune') q.comuneId = row.key;
    if (breakdown === 'day') {
      q.from = row.key;
      q.to = row.key;
    }
    try {
      const r = await api<Analytics.Drilldown>('/api/analytics/drilldown', { query: q });
      setDrill({ metric, key: row.key, label: row.label, rows: r.rows });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  const download = async (path: string, extra: Record<string, string> = {}) => {
    const qs = new URLSearchParams({ ...query, ...extra, format: 'csv' });
    const res = await fetch(`/api/analytics/${path}?${qs}`, { headers: { Authorization: `Bearer ${getToken() ?? ''}` } });
    if (!res.ok) {
      setError(`CSV: HTTP ${res.status}`);
      return;
    }
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `sportello-${path.replace(/\//g, '-')}-${filters.from}-${filters.to}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  const tiles: Array<[Text, string | number, string]> = live
    ? [
        [T.open, live.open, 'open'],
        [T.waitingCitizen, live.waitingCitizen, 'waiting'],
        [T.unassigned, live.unassigned, 'unassigned'],
        [T.oldest, dur(live.oldestWaitSeconds), 'oldest'],
        [T.online, live.onlineOperators, 'online'],
        [T.atRisk, live.slaAtRisk, 'at-risk'],
        [T.breachedNow, live.slaBreached, 'breached'],
      ]
    : [];
  const maxDaily = Math.max(1, ...daily.map((d) => d.created));
  const maxHour = Math.max(1, ...hours.map((h) => h.created));
  const maxP90 = Math.max(1, ...(rt ?? []).map((r) => r.firstResponse.p90BusinessSeconds ?? 0));

  return (
    <div className="page dashboard" data-testid="dashboard">
      <h1>{t(T.title)}</h1>

      <section aria-labelledby="dash-live">
        <h2 id="dash-live">{t(T.live)}</h2>
        <ul
          className="tiles"
          aria-live="polite"
          data-testid="live-tiles"
          style={{
            display: 'grid',
            gridTemplateColumns: 'repeat(auto-fill, minmax(10rem, 1fr))',
            gap: '.5rem',
            listStyle: 'none',
            padding: 0,
          }}
        >
          {tiles.map(([label, value, id]) => (
            <li
              key={id}
              data-tile={id}
              className="card"
              style={{ border: '1px solid var(--border)', borderRadius: 'var(--radius)', padding: '.75rem' }}
            >
              <div className="small muted">{t(label)}</div>
              <div style={{ fontSize: '1.75rem', fontWeight: 700 }}>{value}</div>
            </li>
          ))}
        </ul>
        {alerts.length > 0 && (
          <div role="status" aria-labelledby="dash-alerts">
            <h3 id="dash-alerts">{t(T.alerts)}</h3>
            <ul data-testid="sla-alerts">
              {alerts.map((a) => (
                <li key={`${a.ticketId}-${a.level}`} className={a.level === 'breached' ? 'error-text' : ''}>
                  <a
                    href={`/console/inbox/all/${a.ticketId}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`inbox/all/${a.ticketId}`);
                    }}
                  >
                    {a.reference}
                  </a>{' '}
                  {a.kind === 'first_response' ? t(T.frt) : a.kind === 'next_response' ? t(T.nrt) : t(T.res)}:{' '}
                  {t(a.level === 'breached' ? T.alertBreached : T.alertWarning)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <form
        className="row wrap"
        aria-labelledby="dash-filters"
        style={{ margin: '1rem 0' }}
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <h2 id="dash-filters" className="visually-hidden">
          {t(T.filters)}
        </h2>
        <div className="field">
          <label htmlFor="dash-preset">{t(T.period)}</label>
          <select
            id="dash-preset"
            value=""
            onChange={(e) => {
              const n = Number(e.target.value);
              if (n) {
                const next = { ...draft, from: daysAgo(n - 1), to: today() };
                setDraft(next);
                setFilters(next);
              }
            }}
          >
            <option value="">—</option>
            {PRESETS.map(([n, label]) => (
              <option key={n} value={n}>
                {t(label)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="dash-from">{t(T.from)}</label>
          <input id="dash-from" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="dash-to">{t(T.to)}</label>
          <input id="dash-to" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </div>
        {me.role === 'metro_admin' && (
          <div className="field">
            <label htmlFor="dash-comune">{t(T.comune)}</label>
            <select id="dash-comune" value={draft.comuneId} onChange={(e) => setDraft({ ...draft, comuneId: e.target.value })}>
              <option value="">{t(T.allComuni)}</option>
              {comuni.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="dash-breakdown">{t(T.breakdown)}</label>
          <select id="dash-breakdown" value={draft.breakdown} onChange={(e) => setDraft({ ...draft, breakdown: e.target.value })}>
            {BREAKDOWNS.filter(([k]) => k !== 'comune' || me.role === 'metro_admin').map(([k, label]) => (
              <option key={k} value={k}>
                {t(label)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="dash-channel">{t(T.channelFilter)}</label>
          <select id="dash-channel" value={draft.channel} onChange={(e) => setDraft({ ...draft, channel: e.target.value })}>
            <option value="">{t(T.any)}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <button type="submit" className="btn btn-primary">
            {t(T.apply)}
          </button>
        </div>
        <div className="field">
          <button type="button" className="btn" onClick={() => void download('open-data')}>
            {t(T.openData)}
          </button>
        </div>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}

      <section aria-labelledby="dash-rt">
        <div className="row">
          <h2 id="dash-rt">{t(T.responseTimes)}</h2>
          <button type="button" className="btn btn-small" onClick={() => void download('response-times', { breakdown })}>
            {t(T.csv)}
          </button>
        </div>
        {rt === null ? (
          <p>{t(T.loading)}</p>
        ) : rt.length === 0 ? (
          <p>{t(T.none)}</p>
        ) : (
          <div style={{ overflowX: 'auto' }}>
            <table className="table" data-testid="rt-table">
              <caption className="visually-hidden">{t(T.responseTimes)}</caption>
              <thead>
                <tr>
                  <th scope="col" rowSpan={2}>
                    {t(BREAKDOWNS.find(([k]) => k === breakdown)?.[1] ?? T.group)}
                  </th>
                  <th scope="colgroup" colSpan={4}>
                    {t(T.frt)} ({t(T.business)})
                  </th>
                  <th scope="colgroup" colSpan={2}>
                    {t(T.nrt)}
                  </th>
                  <th scope="colgroup" colSpan={3}>
                    {t(T.res)}
                  </th>
                </tr>
                <tr>
                  <th scope="col" className="num">
                    {t(T.count)}
                  </th>
                  <th scope="col">{t(T.p50)}</th>
                  <th scope="col">{t(T.p90)}</th>
                  <th scope="col" className="num">
                    {t(T.breaches)}
                  </th>
                  <th scope="col">{t(T.p50)}</th>
                  <th scope="col">{t(T.p90)}</th>
                  <th scope="col">{t(T.p50)}</th>
                  <th scope="col">
                    {t(T.p90)} ({t(T.wall)})
                  </th>
                  <th scope="col" className="num">
                    {t(T.breaches)}
                  </th>
                </tr>
              </thead>
              <tbody>
                {rt.map((r) => (
                  <tr key={r.key}>
                    <th scope="row">{r.label}</th>
                    <td className="num">
                      <button
                        type="button"
                        className="btn-link"
                        onClick={() => void openDrill('first_response', r)}
                        aria-label={`${r.firstResponse.count} — ${t(T.drill)}: ${r.label}, ${t(T.frt)}`}
                      >
                        {r.firstResponse.count}
                      </button>
                    </td>
                    <td>{dur(r.firstResponse.p50BusinessSeconds)}</td>
                    <td>{dur(r.firstResponse.p90BusinessSeconds)}</td>
                    <td className="num">{r.firstResponse.breached}</td>
                    <td>{dur(r.nextResponse.p50BusinessSeconds)}</td>
                    <td>{dur(r.nextResponse.p90BusinessSeconds)}</td>
                    <td>{dur(r.resolution.p50BusinessSeconds)}</td>
                    <td>{dur(r.resolution.p90WallSeconds)}</td>
                    <td className="num">
                      <button
                        type="button"
                        className="btn-link"
                        onClick={() => void openDrill('resolution', r)}
                        aria-label={`${r.resolution.breached} — ${t(T.drill)}: ${r.label}, ${t(T.res)}`}
                      >
                        {r.resolution.breached}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <svg
              role="img"
              aria-label={`${t(T.frt)}, ${t(T.p90)} (${t(T.business)})`}
              width="100%"
              height={rt.length * 22 + 10}
              style={{ maxWidth: '40rem' }}
            >
              {rt.map((r, i) => (
                <g key={r.key} transform={`translate(0, ${i * 22 + 5})`}>
                  <text x="0" y="14" fontSize="12">
                    {r.label.slice(0, 24)}
                  </text>
                  <rect
                    x="170"
                    y="3"
                    height="14"
                    width={Math.max(1, (380 * (r.firstResponse.p90BusinessSeconds ?? 0)) / maxP90)}
                    fill="var(--primary)"
                  />
                </g>
              ))}
            </svg>
          </div>
        )}
      </section>

      <section aria-labelledby="dash-vol">
        <div className="row">
          <h2 id="dash-vol">{t(T.volumes)}</h2>
          <button type="button" className="btn btn-small" onClick={() => void download('volumes', { breakdown })}>
            {t(T.csv)}
          </button>
        </div>
        <figure>
          <figcaption>{t(T.byDay)}</figcaption>
          <svg
            role="img"
            aria-label={t(T.byDay)}
            viewBox={`0 0 ${Math.max(daily.length, 1) * 6} 60`}
            width="100%"
            height="120"
            preserveAspectRatio="none"
            data-testid="daily-chart"
          >
            {daily.map((d, i) => (
              <rect
                key={d.key}
                x={i * 6}
                y={60 - (56 * d.created) / maxDaily}
                width="5"
                height={(56 * d.created) / maxDaily}
                fill="var(--primary)"
              >
                <title>{`${d.key}: ${d.created}`}</title>
              </rect>
            ))}
          </svg>
        </figure>
        <figure>
          <figcaption>{t(T.byHour)}</figcaption>
          <svg role="img" aria-label={t(T.byHour)} viewBox="0 0 240 70" width="100%" height="120" style={{ maxWidth: '40rem' }}>
            {hours.map((h) => (
              <g key={h.hour}>
                <rect
                  x={h.hour * 10}
                  y={60 - (56 * h.created) / maxHour}
                  width="8"
                  height={(56 * h.created) / maxHour}
                  fill="var(--primary-dark, #004080)"
                >
                  <title>{`${h.hour}:00 — ${h.created}`}</title>
                </rect>
                {h.hour % 3 === 0 && (
                  <text x={h.hour * 10} y="69" fontSize="6">
                    {h.hour}
                  </text>
                )}
              </g>
            ))}
          </svg>
        </figure>
        {vol && vol.length > 0 && (
          <table className="table" data-testid="vol-table">
            <caption className="visually-hidden">{t(T.volumes)}</caption>
            <thead>
              <tr>
                <th scope="col">{t(BREAKDOWNS.find(([k]) => k === breakdown)?.[1] ?? T.group)}</th>
                <th scope="col" className="num">
                  {t(T.created)}
                </th>
                <th scope="col" className="num">
                  {t(T.messagesIn)}
                </th>
                <th scope="col" className="num">
                  {t(T.resolved)}
                </th>
              </tr>
            </thead>
            <tbody>
              {vol.map((v) => (
                <tr key={v.key}>
                  <th scope="row">{v.label}</th>
                  <td className="num">
                    <button
                      type="button"
                      className="btn-link"
                      onClick={() => void openDrill('created', v)}
                      aria-label={`${v.created} — ${t(T.drill)}: ${v.label}, ${t(T.created)}`}
                    >
                      {v.created}
                    </button>
                  </td>
                  <td className="num">{v.messagesIn}</td>
                  <td className="num">{v.resolved}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {drill && (
        <section
          aria-labelledby="dash-drill"
          className="card"
          style={{ border: '2px solid var(--primary)', padding: '1rem', margin: '1rem 0' }}
        >
          <div className="row">
            <h2 id="dash-drill">
              {t(T.drill)}: {drill.label}
            </h2>
            <button type="button" className="btn btn-small" onClick={() => setDrill(null)}>
              {t(T.close)}
            </button>
          </div>
          <table className="table" data-testid="drill-table">
            <thead>
              <tr>
                <th scope="col">{t(T.reference)}</th>
                <th scope="col">{t(T.day)}</th>
                <th scope="col">
                  {t(T.duration)} ({t(T.business)})
                </th>
                <th scope="col">{t(T.breaches)}</th>
              </tr>
            </thead>
            <tbody>
              {drill.rows.map((r) => (
                <tr key={`${r.ticketId}-${r.day ?? r.createdAt}`}>
                  <th scope="row">
                    <a
                      href={`/console/inbox/all/${r.ticketId}`}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(`inbox/all/${r.ticketId}`);
                      }}
                    >
                      {r.reference}
                    </a>
                  </th>
                  <td>{r.day ?? r.createdAt?.slice(0, 10)}</td>
                  <td>{dur(r.businessSeconds)}</td>
                  <td>{r.breached ? '⚠' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <div className="grid-2">
        <section aria-labelledby="dash-backlog">
          <div className="row">
            <h2 id="dash-backlog">{t(T.backlog)}</h2>
            <button type="button" className="btn btn-small" onClick={() => void download('backlog')}>
              {t(T.csv)}
            </button>
          </div>
          <table className="table" data-testid="backlog-table">
            <thead>
              <tr>
                <th scope="col">{t(T.group)}</th>
                <th scope="col" className="num">
                  {t(T.open)}
                </th>
                <th scope="col" className="num">
                  {t(T.unassigned)}
                </th>
                <th scope="col">{t(T.oldest)}</th>
              </tr>
            </thead>
            <tbody>
              {backlog.map((b) => (
                <tr key={`${b.groupId}`}>
                  <th scope="row">{b.group}</th>
                  <td className="num">{b.open}</td>
                  <td className="num">{b.unassigned}</td>
                  <td>{dur(b.oldestWaitSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="dash-csat">
          <div className="row">
            <h2 id="dash-csat">{t(T.csat)}</h2>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void download('csat', { breakdown: ['group', 'operator'].includes(breakdown) ? breakdown : 'group' })}
            >
              {t(T.csv)}
            </button>
          </div>
          {csat.length === 0 ? (
            <p>{t(T.none)}</p>
          ) : (
            <table className="table" data-testid="csat-table">
              <thead>
                <tr>
                  <th scope="col">{t(T.group)}</th>
                  <th scope="col" className="num">
                    {t(T.responses)}
                  </th>
                  <th scope="col" className="num">
                    {t(T.average)}
                  </th>
                </tr>
              </thead>
              <tbody>
                {csat.map((c) => (
                  <tr key={c.key}>
                    <th scope="row">{c.label}</th>
                    <td className="num">{c.responses}</td>
                    <td className="num">{c.average.toFixed(2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>

      <AreaMap
        rows={cells}
        comuneId={filters.comuneId ? Number(filters.comuneId) : null}
        comuni={comuni}
        onDownload={(extra) => void download('map', extra)}
      />
    </div>
  );
}
