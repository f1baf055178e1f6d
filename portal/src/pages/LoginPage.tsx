import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { Input } from 'design-react-kit';
import { api, HttpError, oidcStartUrl, safeReturnTo } from '../api';
import { useT, type Key } from '../i18n';
import { Icon } from '../Icon';
import { refreshSession, setSession, useSession } from '../session';
import { Crumbs } from './Crumbs';
import { useTitle } from './title';
import type { LoginErrorCode } from '@server/portal/portal.api';

/** Every code the identity gateway's callback can send (the server's LoginErrorCode): a new one fails the type check here. */
const ERRORS: Record<LoginErrorCode, Key> = {
  annullato: 'error.cancelled',
  verifica_fallita: 'error.failed',
  dati_mancanti: 'error.failed',
  livello_insufficiente: 'error.level',
  sessione_scaduta: 'error.expired',
  gateway: 'error.failed',
  gateway_non_raggiungibile: 'error.unavailable',
  non_configurato: 'error.unavailable',
  errore_interno: 'error.unknown',
};

/** Sign-in: SPID and CIE through the identity gateway, or a code by e-mail. */
export default function LoginPage() {
  const t = useT();
  useTitle(t('login.title'));
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const returnTo = safeReturnTo(params.get('returnTo'));
  const errore = params.get('errore');
  const session = useSession();
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const fail = (err: unknown, field: 'email' | 'code') => {
    if (err instanceof HttpError && err.status === 429) return setProblem(t('login.tooMany', { s: err.retryAfter ?? 60 }));
    if (err instanceof HttpError && err.status === 400) {
      const f = err.body.fields?.[0];
      return setFieldError({ field: f?.field ?? field, message: f?.message ?? t('login.failed') });
    }
    setProblem(err instanceof HttpError && err.status < 500 && err.status !== 404 ? t('login.failed') : t('login.unavailable'));
  };

  const start = async (e: FormEvent) => {
    e.preventDefault();
    setFieldError(null);
    setProblem(null);
    setBusy(true);
    try {
      await api.emailStart({ email: email.trim() });
      setSentTo(email.trim());
    } catch (err) {
      fail(err, 'email');
    } finally {
      setBusy(false);
    }
  };
  const verify = async (e: FormEvent) => {
    e.preventDefault();
    if (!sentTo) return;
    setFieldError(null);
    setProblem(null);
    setBusy(true);
    try {
      const s = await api.emailVerify({ email: sentTo, code: code.trim() });
      setSession(s);
      refreshSession();
      await navigate(returnTo);
    } catch (err) {
      fail(err, 'code');
    } finally {
      setBusy(false);
    }
  };

  const signedIn = session.status === 'ready' && session.session.authenticated ? session.session.citizen : null;
  return (
    <div className="container my-4">
      <Crumbs items={[{ label: t('login.title') }]} />
      <div className="row">
        <div className="col-12 col-lg-8">
          <h1>{t('login.title')}</h1>
          <p className="lead">{t('login.lead')}</p>
          {errore && (
            <div className="alert alert-danger" role="alert">
              {t(ERRORS[errore as LoginErrorCode] ?? 'error.unknown')}
            </div>
          )}
          {session.status === 'unavailable' && (
            <div className="alert alert-warning" role="status">
              {t('login.unavailable')}
            </div>
          )}
          {signedIn && (
            <div className="alert alert-info" role="status">
              {t('login.already', { name: signedIn.displayName })}
            </div>
          )}
          <div className="d-flex flex-column flex-sm-row gap-3 my-4">
            <a className="btn btn-primary btn-lg portal-idp" href={oidcStartUrl('spid', returnTo)} data-testid="login-spid">
              <Icon name="it-user" className="icon-white me-2" />
              <span>{t('login.spid')}</span>
            </a>
            <a className="btn btn-primary btn-lg portal-idp" href={oidcStartUrl('cie', returnTo)} data-testid="login-cie">
              <Icon name="it-card" className="icon-white me-2" />
              <span>{t('login.cie')}</span>
            </a>
          </div>
          <p className="small">
            <abbr title={t('login.spidHelp')}>SPID</abbr>: {t('login.spidHelp')}. <abbr title={t('login.cieHelp')}>CIE</abbr>:{' '}
            {t('login.cieHelp')}.
          </p>

          <section aria-labelledby="email-title" className="mt-5">
            <h2 id="email-title" className="h4">
              {t('login.email.title')}
            </h2>
            <p>{t('login.email.help')}</p>
            {problem && (
              <div className="alert alert-danger" role="alert">
                {problem}
              </div>
            )}
            {!sentTo ? (
              <form onSubmit={(e) => void start(e)} noValidate>
                <Input
                  type="email"
                  id="login-email"
                  label={t('login.email')}
                  value={email}
                  autoComplete="email"
                  required
                  onChange={(e) => setEmail(e.target.value)}
                  aria-invalid={fieldError?.field === 'email' ? true : undefined}
                  aria-describedby={fieldError?.field === 'email' ? 'login-email-error' : undefined}
                />
                {fieldError?.field === 'email' && (
                  <p id="login-email-error" className="text-danger small">
                    {fieldError.message}
                  </p>
                )}
                <button type="submit" className="btn btn-outline-primary" disabled={busy || !email.trim()}>
                  <Icon name="it-mail" className="icon-primary me-1" size="sm" />
                  {t('login.sendCode')}
                </button>
              </form>
            ) : (
              <form onSubmit={(e) => void verify(e)} noValidate>
                <p role="status">{t('login.codeSent', { email: sentTo })}</p>
                <Input
                  type="text"
                  id="login-code"
                  label={t('login.code')}
                  value={code}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  required
                  onChange={(e) => setCode(e.target.value)}
                  aria-describedby={fieldError?.field === 'code' ? 'login-code-error' : undefined}
                />
                {fieldError && fieldError.field !== 'email' && (
                  <p id="login-code-error" className="text-danger small">
                    {fieldError.message}
                  </p>
                )}
                <div className="d-flex flex-wrap gap-2">
                  <button type="submit" className="btn btn-primary" disabled={busy || !code.trim()}>
                    {t('login.verify')}
                  </button>
                  <button type="button" className="btn btn-link" onClick={() => (setSentTo(null), setCode(''), setFieldError(null))}>
                    {t('login.changeEmail')}
                  </button>
                </div>
              </form>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}
