import type { MyCaseDetail } from '@server/portal/mine/mine.api';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate, useParams } from 'react-router';
import { api, HttpError } from '../api';
import { useLang, useT, type Key } from '../i18n';
import { useSession } from '../session';
import { Crumbs } from './Crumbs';
import { formatDate, StateBadge, typeLabel } from './MyCases';
import { useTitle } from './title';

/** One of the citizen's cases: its dates, the conversation (no internal notes), attachments, a reply box. */
export default function MyCasePage() {
  const t = useT();
  const lang = useLang();
  const { reference = '' } = useParams();
  useTitle(reference);
  const session = useSession();
  const [c, setCase] = useState<MyCaseDetail | null>(null);
  const [error, setError] = useState<Key | null>(null);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; message: string } | null>(null);
  const authenticated = session.status === 'ready' && session.session.authenticated;

  useEffect(() => {
    if (!authenticated) return;
    let live = true;
    api.myCase(reference).then(
      (d) => live && setCase(d),
      (e: unknown) => live && setError(e instanceof HttpError && e.status === 404 ? 'mine.notFound' : 'mine.error'),
    );
    return () => {
      live = false;
    };
  }, [reference, authenticated]);

  if (session.status === 'loading') return <div className="container my-4">{t('app.loading')}</div>;
  if (!authenticated) return <Navigate to={`/accedi?returnTo=${encodeURIComponent(`/area-personale/richieste/${reference}`)}`} replace />;

  async function send(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    setSending(true);
    setStatus(null);
    try {
      await api.myReply(reference, { text: text.trim(), clientMessageId: crypto.randomUUID() });
      setText('');
      setStatus({ ok: true, message: t('mine.sent') });
      setCase(await api.myCase(reference));
    } catch (err) {
      setStatus({ ok: false, message: err instanceof Error ? err.message : t('mine.error') });
    } finally {
      setSending(false);
    }
  }

  return (
    <div className="container my-4">
      <Crumbs items={[{ label: t('profile.title'), to: '/area-personale' }, { label: reference }]} />
      <h1>
        {t('mine.title')}: <span className="font-monospace">{reference}</span>
      </h1>
      {error ? (
        <div className="alert alert-warning" role="alert">
          {t(error)}
        </div>
      ) : !c ? (
        <p aria-busy="true">{t('app.loading')}</p>
      ) : (
        <>
          <dl className="row">
            {(
              [
                ['mine.comune', c.comune.name],
                ['mine.category', `${typeLabel(t, c.type)}${c.category ? ` · ${c.category}` : ''}`],
                ['mine.created', formatDate(lang, c.createdAt)],
                ['mine.taken', formatDate(lang, c.takenInChargeAt)],
                c.resolvedAt ? ['mine.resolved', formatDate(lang, c.resolvedAt)] : ['mine.expected', formatDate(lang, c.expectedBy)],
              ] as Array<[Key, string]>
            ).map(([k, v]) => (
              <div key={k} className="col-12 col-md-4 mb-2">
                <dt>{t(k)}</dt>
                <dd>{v}</dd>
              </div>
            ))}
            <div className="col-12 col-md-4 mb-2">
              <dt>{t('mine.state')}</dt>
              <dd>
                <StateBadge state={c.state} />
              </dd>
            </div>
          </dl>

          <h2>{t('mine.conversation')}</h2>
          <ol className="list-unstyled portal-conversation">
            {c.messages.map((m) => (
              <li key={m.id} className={`card mb-3 ${m.from === 'citizen' ? 'border-primary' : ''}`}>
                <div className="card-body">
                  <p className="small text-muted mb-1">
                    <strong>{t(`mine.from.${m.from}` as Key)}</strong> ·{' '}
                    <time dateTime={m.at}>{new Date(m.at).toLocaleString(lang === 'it' ? 'it-IT' : 'en-GB')}</time>
                  </p>
                  {m.text && (
                    <p className="mb-1" style={{ whiteSpace: 'pre-wrap' }}>
                      {m.text}
                    </p>
                  )}
                  {m.attachments.length > 0 && (
                    <ul aria-label={t('mine.attachments')}>
                      {m.attachments.map((a) => (
                        <li key={a.url}>
                          <a href={a.url}>{a.filename}</a>
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              </li>
            ))}
          </ol>

          {c.canReply ? (
            <form onSubmit={(e) => void send(e)} className="my-4">
              <h2>{t('mine.reply')}</h2>
              <div className="form-group mt-5">
                <label htmlFor="mine-reply" className="active">
                  {t('mine.message')}
                </label>
                <textarea
                  id="mine-reply"
                  className="form-control"
                  rows={4}
                  maxLength={4000}
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                  aria-describedby="mine-reply-hint"
                  required
                />
                <small id="mine-reply-hint" className="form-text">
                  {t('mine.replyHint')}
                </small>
              </div>
              <button type="submit" className="btn btn-primary" disabled={sending || !text.trim()}>
                {t('mine.send')}
              </button>
              <div role="status" aria-live="polite" className="mt-2">
                {status && <span className={status.ok ? 'text-success' : 'text-danger'}>{status.message}</span>}
              </div>
            </form>
          ) : (
            <p className="alert alert-info">{t('mine.closedCase')}</p>
          )}
        </>
      )}
      <Link to="/area-personale">{t('mine.back')}</Link>
    </div>
  );
}
