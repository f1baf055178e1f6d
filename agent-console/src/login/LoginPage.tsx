import { useState, type FormEvent } from 'react';
import { api, ApiError, type LoginResponse, type Principal } from '../lib/api';
import { setLang, useI18n } from '../lib/i18n';

export default function LoginPage({ onLogin }: { onLogin: (token: string, me: Principal) => void }) {
  const { t, lang } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<LoginResponse>('/api/auth/login', {
        method: 'POST',
        body: { email: email.trim(), password },
      });
      onLogin(r.accessToken, r.operator);
    } catch (err) {
      setError(err instanceof ApiError && err.status < 500 ? t('login.failed') : t('errors.generic', { error: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <div className="login-card">
        <div className="login-head">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <div>
            <h1>{t('login.title')}</h1>
            <p className="muted">{t('login.intro')}</p>
          </div>
        </div>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <div className="field">
            <label htmlFor="login-email">{t('login.email')}</label>
            <input
              id="login-email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'login-error' : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'login-error' : undefined}
            />
          </div>
          {error && (
            <p id="login-error" className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {t('login.submit')}
          </button>
        </form>
        <button
          type="button"
          className="btn btn-link"
          onClick={() => setLang(lang === 'it' ? 'en' : 'it')}
          lang={lang === 'it' ? 'en' : 'it'}
        >
          {t('app.lang')}
        </button>
      </div>
    </main>
  );
}
