import type { MyConsent } from '@server/portal/settings/settings.api';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import { useLang, useT, type Key } from '../i18n';
import { formatDate } from '../pages/MyCases';
import { PersonalArea } from './PersonalArea';

/** «Consensi»: what the citizen agreed to with each comune, when, and the withdrawal of a consent to updates. */
export default function ConsentsPage() {
  const t = useT();
  return (
    <PersonalArea title={t('consents.title')} path="/area-personale/consensi">
      {() => <Consents />}
    </PersonalArea>
  );
}

function Consents() {
  const t = useT();
  const lang = useLang();
  const [consents, setConsents] = useState<MyConsent[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);

  const load = () => api.consents().then((r) => setConsents(r.consents));
  useEffect(() => {
    load().catch(() => setFailed(true));
  }, []);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const withdraw = async (c: MyConsent) => {
    setBusy(true);
    try {
      const done = await api.withdrawConsent(c.id);
      setConfirming(null);
      setStatus(t('consents.withdrawn', { comune: c.comune.name, date: formatDate(lang, done.withdrawnAt) }));
      await load();
    } catch {
      setStatus(t('consents.withdrawError'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <p className="lead">{t('consents.lead')}</p>
      <p>
        {t('consents.privacyHint')} <Link to="/area-personale/privacy">{t('area.privacy')}</Link>
      </p>
      <div role="status" className="mb-3">
        {status && <div className="alert alert-info">{status}</div>}
      </div>
      {failed ? (
        <div className="alert alert-danger" role="alert">
          {t('app.loadError')}
        </div>
      ) : consents === null ? (
        <p aria-busy="true">{t('app.loading')}</p>
      ) : consents.length === 0 ? (
        <div className="callout note">
          <p className="mb-0">{t('consents.none')}</p>
        </div>
      ) : (
        <ul className="list-unstyled">
          {consents.map((c) => (
            <li key={c.id} className="card card-bg mb-3">
              <div className="card-body">
                <p className="h5 card-title mb-1">
                  {t(`consents.purpose.${c.purpose}` as Key)} — {t('consents.comune', { comune: c.comune.name })}
                </p>
                <p className="mb-1">
                  {c.withdrawnAt ? (
                    <span className="badge bg-secondary">{t('consents.statusWithdrawn')}</span>
                  ) : (
                    <span className="badge bg-success">{t('consents.statusActive')}</span>
                  )}
                </p>
                <dl className="row small mb-2">
                  <dt className="col-sm-4">{t('consents.given')}</dt>
                  <dd className="col-sm-8">{formatDate(lang, c.grantedAt)}</dd>
                  {c.withdrawnAt && (
                    <>
                      <dt className="col-sm-4">{t('consents.withdrawnOn')}</dt>
                      <dd className="col-sm-8">{formatDate(lang, c.withdrawnAt)}</dd>
                    </>
                  )}
                  {c.reference && (
                    <>
                      <dt className="col-sm-4">{t('consents.case')}</dt>
                      <dd className="col-sm-8 font-monospace">{c.reference}</dd>
                    </>
                  )}
                  {c.contact && (
                    <>
                      <dt className="col-sm-4">{t('consents.contact')}</dt>
                      <dd className="col-sm-8">{c.contact}</dd>
                    </>
                  )}
                </dl>
                {c.withdrawable &&
                  (confirming === c.id ? (
                    <div className="alert alert-warning mb-0" role="group" aria-label={t('consents.confirmTitle')}>
                      <p>{t('consents.confirm', { comune: c.comune.name })}</p>
                      <button
                        ref={confirmRef}
                        type="button"
                        className="btn btn-danger me-2"
                        disabled={busy}
                        onClick={() => void withdraw(c)}
                      >
                        {t('consents.confirmYes')}
                      </button>
                      <button type="button" className="btn btn-outline-secondary" onClick={() => setConfirming(null)}>
                        {t('consents.confirmNo')}
                      </button>
                    </div>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-outline-danger btn-sm"
                      aria-label={t('consents.withdrawLabel', {
                        purpose: t(`consents.purpose.${c.purpose}` as Key),
                        comune: c.comune.name,
                        date: formatDate(lang, c.grantedAt),
                      })}
                      onClick={() => setConfirming(c.id)}
                    >
                      {t('consents.withdraw')}
                    </button>
                  ))}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
