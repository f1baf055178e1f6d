import { useEffect, useState, type FormEvent } from 'react';
import type { ComunePrivacy, PrivacyEventView } from '@server/portal/privacy/privacy.api';
import { useStore } from '../app/context';
import { api, ApiError } from '../lib/api';
import { useI18n, type Text } from '../lib/i18n';
import { useLive } from '../lib/store';

/** Texts of the page: Italian first, English available. */
const T = {
  title: { it: 'Privacy e conservazione', en: 'Privacy and retention' },
  intro: {
    it: 'Per quanto tempo il comune conserva i dati personali delle pratiche chiuse. Passato il periodo, testi e allegati del cittadino, recapiti e nome vengono rimossi; restano protocollo, date, categoria e risposte degli uffici.',
    en: 'How long the comune keeps the personal data of closed cases. After that, the citizen’s texts and attachments, contacts and name are removed; reference, dates, category and the offices’ answers stay.',
  },
  months: { it: 'Conservazione delle pratiche chiuse (mesi)', en: 'Retention of closed cases (months)' },
  monthsHint: {
    it: 'Da 1 a 1200 mesi. Vuoto: le pratiche chiuse si conservano senza limite. Valore iniziale: {n} mesi.',
    en: 'From 1 to 1200 months. Empty: closed cases are kept without limit. Initial value: {n} months.',
  },
  save: { it: 'Salva', en: 'Save' },
  saved: { it: 'Periodo di conservazione salvato.', en: 'Retention period saved.' },
  failed: { it: 'Operazione non riuscita: {message}', en: 'The operation failed: {message}' },
  log: { it: 'Registro delle operazioni sui dati personali', en: 'Log of personal-data operations' },
  none: { it: 'Nessuna operazione registrata.', en: 'No operation recorded.' },
  when: { it: 'Quando', en: 'When' },
  what: { it: 'Operazione', en: 'Operation' },
  who: { it: 'Chi', en: 'Who' },
  details: { it: 'Dettagli', en: 'Details' },
  system: { it: 'sistema', en: 'system' },
  operator: { it: 'operatore n. {id}', en: 'operator no. {id}' },
  citizen: { it: 'cittadino (account n. {id})', en: 'citizen (account no. {id})' },
  'kind.export': { it: 'Esportazione dei dati', en: 'Data export' },
  'kind.erasure_requested': { it: 'Richiesta di cancellazione', en: 'Erasure request' },
  'kind.erasure_completed': { it: 'Cancellazione eseguita', en: 'Erasure carried out' },
  'kind.retention_anonymised': { it: 'Anonimizzazione per scadenza', en: 'Anonymisation at expiry' },
  'kind.retention_set': { it: 'Periodo di conservazione modificato', en: 'Retention period changed' },
} satisfies Record<string, Text>;

/** "Privacy e conservazione": the comune's retention of closed cases and its privacy event log (manager). */
export default function PrivacyPage() {
  const store = useStore();
  const me = useLive(store, (s) => s.me);
  const { t, lang } = useI18n();
  const [data, setData] = useState<ComunePrivacy | null>(null);
  const [months, setMonths] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const comuneId = me.comuneId;

  // Loaded once per comune (not on every render: the field keeps what the manager types).
  useEffect(() => {
    if (comuneId === null) return;
    let live = true;
    api<ComunePrivacy>(`/api/console/comuni/${comuneId}/privacy`).then(
      (d) => {
        if (!live) return;
        setData(d);
        setMonths(d.retentionMonths === null ? '' : String(d.retentionMonths));
      },
      (err: Error) => live && setLoadError(err.message),
    );
    return () => {
      live = false;
    };
  }, [comuneId]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    const value = months.trim() === '' ? null : /^\d+$/.test(months.trim()) ? Number(months.trim()) : months.trim();
    try {
      const d = await api<ComunePrivacy>(`/api/console/comuni/${comuneId}/privacy/retention`, {
        method: 'PUT',
        body: { retentionMonths: value },
      });
      setData(d);
      setNotice({ text: t(T.saved), ok: true });
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) setError(err.fields[0].message);
      else setNotice({ text: t(T.failed, { message: (err as Error).message }), ok: false });
    }
  };

  const who = (e: PrivacyEventView) =>
    e.actorType === 'system' ? t(T.system) : t(e.actorType === 'operator' ? T.operator : T.citizen, { id: e.actorId ?? '' });
  const details = (e: PrivacyEventView) =>
    Object.entries(e.counts)
      .map(([k, v]) => `${k}: ${v === null ? '—' : v}`)
      .join(', ');

  return (
    <section className="page-privacy" aria-labelledby="privacy-title">
      <h1 id="privacy-title">{t(T.title)}</h1>
      <p>{t(T.intro)}</p>
      {loadError && (
        <p role="alert" className="error-text">
          {t(T.failed, { message: loadError })}
        </p>
      )}
      {notice && (
        <p role={notice.ok ? 'status' : 'alert'} className={notice.ok ? 'notice-ok' : 'error-text'}>
          {notice.text}
        </p>
      )}
      {data && (
        <>
          <form onSubmit={(e) => void save(e)} noValidate>
            <label htmlFor="privacy-months">{t(T.months)}</label>
            <input
              id="privacy-months"
              inputMode="numeric"
              value={months}
              onChange={(e) => setMonths(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={`privacy-months-hint${error ? ' privacy-months-error' : ''}`}
            />
            <p id="privacy-months-hint">{t(T.monthsHint, { n: data.defaultMonths })}</p>
            {error && (
              <p id="privacy-months-error" className="error-text">
                {error}
              </p>
            )}
            <button type="submit">{t(T.save)}</button>
          </form>
          <h2>{t(T.log)}</h2>
          {data.events.length === 0 ? (
            <p>{t(T.none)}</p>
          ) : (
            <table>
              <caption className="visually-hidden">{t(T.log)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t(T.when)}</th>
                  <th scope="col">{t(T.what)}</th>
                  <th scope="col">{t(T.who)}</th>
                  <th scope="col">{t(T.details)}</th>
                </tr>
              </thead>
              <tbody>
                {data.events.map((e) => (
                  <tr key={e.id}>
                    <td>{new Date(e.at).toLocaleString(lang === 'it' ? 'it-IT' : 'en-GB')}</td>
                    <td>{t(T[`kind.${e.kind}`])}</td>
                    <td>{who(e)}</td>
                    <td>{details(e)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
