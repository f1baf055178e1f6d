import type { MyDataExport } from '@server/portal/privacy/privacy.api';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate } from 'react-router';
import { api, HttpError, MY_DATA_URL } from '../api';
import { useLang, useT } from '../i18n';
import { Crumbs } from './Crumbs';
import { formatDate, typeLabel } from './MyCases';
import { useTitle } from './title';
import { useSession } from '../session';

/** "I miei dati e la privacy": the citizen's data grouped, its JSON download, and the erasure request. */
export default function PrivacyPage() {
  const t = useT();
  const lang = useLang();
  useTitle(t('privacy.title'));
  const session = useSession();
  const [data, setData] = useState<MyDataExport | null>(null);
  const [failed, setFailed] = useState(false);
  const [erased, setErased] = useState<string | null>(null);
  const authenticated = session.status === 'ready' && session.session.authenticated;
  useEffect(() => {
    if (!authenticated || erased) return;
    let live = true;
    api.myData().then(
      (d) => live && setData(d),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [authenticated, erased]);

  if (erased)
    return (
      <div className="container my-4">
        <h1>{t('privacy.title')}</h1>
        <div className="alert alert-success" role="status">
          {t('privacy.erasureDone', { id: erased })}
        </div>
        <Link to="/">{t('notFound.back')}</Link>
      </div>
    );
  if (session.status === 'loading') return <div className="container my-4">{t('app.loading')}</div>;
  if (!authenticated) return <Navigate to="/accedi?returnTo=%2Farea-personale%2Fprivacy" replace />;
  const date = (iso: string | null) => formatDate(lang, iso);

  return (
    <div className="container my-4">
      <Crumbs items={[{ label: t('profile.title'), to: '/area-personale' }, { label: t('privacy.title') }]} />
      <h1>{t('privacy.title')}</h1>
      <p className="lead">{t('privacy.intro')}</p>
      <a className="btn btn-primary mb-4" href={MY_DATA_URL} download>
        {t('privacy.download')}
      </a>
      {failed && (
        <div className="alert alert-danger" role="alert">
          {t('privacy.failed')}
        </div>
      )}
      {!data && !failed && <p aria-busy="true">{t('app.loading')}</p>}
      {data && (
        <>
          <section aria-labelledby="privacy-account">
            <h2 id="privacy-account" className="h3">
              {t('privacy.account')}
            </h2>
            <dl className="row">
              <dt className="col-sm-4">{t('profile.name')}</dt>
              <dd className="col-sm-8">{[data.account.givenName, data.account.familyName].filter(Boolean).join(' ') || '—'}</dd>
              <dt className="col-sm-4">{t('profile.fiscalCode')}</dt>
              <dd className="col-sm-8 font-monospace">{data.account.fiscalCode ?? t('profile.notGiven')}</dd>
              <dt className="col-sm-4">{t('profile.email')}</dt>
              <dd className="col-sm-8">{data.account.email ?? t('profile.notGiven')}</dd>
              <dt className="col-sm-4">{t('profile.level')}</dt>
              <dd className="col-sm-8">
                {t('profile.levelValue', { level: data.account.level, assurance: t(`profile.assurance.${data.account.assurance}`) })}
              </dd>
              <dt className="col-sm-4">{t('privacy.created')}</dt>
              <dd className="col-sm-8">{date(data.account.createdAt)}</dd>
              <dt className="col-sm-4">{t('privacy.lastLogin')}</dt>
              <dd className="col-sm-8">{date(data.account.lastLoginAt)}</dd>
            </dl>
          </section>
          <section aria-labelledby="privacy-links">
            <h2 id="privacy-links" className="h3">
              {t('privacy.links')}
            </h2>
            {data.linkedIdentities.length === 0 ? (
              <p>{t('privacy.none')}</p>
            ) : (
              <ul>
                {data.linkedIdentities.map((l) => (
                  <li key={`${l.channel}:${l.address}`}>
                    {l.channel} — {l.address} ({date(l.linkedAt)})
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="privacy-sessions">
            <h2 id="privacy-sessions" className="h3">
              {t('privacy.sessions')}
            </h2>
            <ul>
              {data.sessions.map((s) => (
                <li key={s.createdAt}>
                  {date(s.createdAt)} — {t(`profile.assurance.${s.assurance}`)}
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="privacy-consents">
            <h2 id="privacy-consents" className="h3">
              {t('privacy.consents')}
            </h2>
            {data.consents.length === 0 ? (
              <p>{t('privacy.none')}</p>
            ) : (
              <ul>
                {data.consents.map((c, i) => (
                  <li key={i}>
                    {c.comune} — {c.purpose}: {c.granted ? t('privacy.consentGiven') : t('privacy.consentWithdrawn')} ({date(c.at)})
                    {c.reference ? ` — ${c.reference}` : ''}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="privacy-cases">
            <h2 id="privacy-cases" className="h3">
              {t('privacy.cases')}
            </h2>
            {data.cases.length === 0 ? (
              <p>{t('privacy.none')}</p>
            ) : (
              <ul className="list-unstyled">
                {data.cases.map((c) => (
                  <li key={c.reference} className="mb-3">
                    <h3 className="h5 mb-1">
                      {c.reference} — {typeLabel(t, c.type)}, {c.comune.name}
                    </h3>
                    <p className="mb-1">
                      {date(c.createdAt)} · {t('privacy.messages', { n: c.messages.length })}
                      {c.anonymisedAt ? ` · ${t('privacy.anonymised', { date: date(c.anonymisedAt) })}` : ''}
                    </p>
                    {c.messages
                      .flatMap((m) => m.attachments)
                      .map((a) => (
                        <p key={a.id} className="mb-0 small">
                          {t('privacy.attachment')}: {a.url ? <a href={a.url}>{a.filename}</a> : `${a.filename} (${t('privacy.removed')})`}
                        </p>
                      ))}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="privacy-follows">
            <h2 id="privacy-follows" className="h3">
              {t('privacy.follows')}
            </h2>
            {data.follows.length === 0 ? (
              <p>{t('privacy.none')}</p>
            ) : (
              <ul>
                {data.follows.map((f) => (
                  <li key={f.reference}>
                    {f.reference} — {f.comune} ({date(f.since)})
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      <ErasureSection onDone={setErased} />
    </div>
  );
}

function ErasureSection({ onDone }: { onDone: (id: string) => void }) {
  const t = useT();
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!confirm) {
      setError(t('privacy.erasureNeedsConfirm'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api.erasure({ confirm: true });
      onDone(r.requestId);
    } catch (err) {
      setError(err instanceof HttpError && err.status === 403 ? t('privacy.erasureLevel') : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="privacy-erasure" className="mt-5 border-top pt-4">
      <h2 id="privacy-erasure" className="h3">
        {t('privacy.erasure')}
      </h2>
      <h3 className="h5">{t('privacy.erasureRemoved')}</h3>
      <p>{t('privacy.erasureRemovedText')}</p>
      <h3 className="h5">{t('privacy.erasureKept')}</h3>
      <p>{t('privacy.erasureKeptText')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="form-check mb-3">
          <input
            id="erasure-confirm"
            className="form-check-input"
            type="checkbox"
            checked={confirm}
            onChange={(e) => setConfirm(e.target.checked)}
            aria-describedby={error ? 'erasure-error' : undefined}
          />
          <label className="form-check-label" htmlFor="erasure-confirm">
            {t('privacy.erasureConfirm')}
          </label>
        </div>
        {error && (
          <div id="erasure-error" className="alert alert-danger" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="btn btn-danger" disabled={busy}>
          {t('privacy.erasureButton')}
        </button>
      </form>
    </section>
  );
}
