import { Suspense, useEffect, useState } from 'react';
import { api, getToken, setToken, whenUnauthorized, type Principal } from '../lib/api';
import { setLang, useI18n } from '../lib/i18n';
import { navigate, useRoute } from '../lib/router';
import { closeStore, openStore, useLive, type LiveStore, type Presence } from '../lib/store';
import LoginPage from '../login/LoginPage';
import { StoreContext } from './context';
import { OfferNotifier } from './OfferNotifier';
import { pagesFor } from './pages';

/** The queue dashboard (Bull Board), metropolitan administrator only: see src/ops/queue-board.ts. */
const QUEUE_BOARD_URL = '/admin/queues';

export function App() {
  const [session, setSession] = useState<{ me: Principal; store: LiveStore } | null>(null);
  const [checking, setChecking] = useState(Boolean(getToken()));
  const { t } = useI18n();

  const start = (me: Principal, token: string) => setSession({ me, store: openStore(me, token) });
  const logout = () => {
    closeStore();
    setToken(null);
    setSession(null);
    navigate('', true);
  };

  useEffect(() => {
    whenUnauthorized(logout);
    const token = getToken();
    if (!token) return;
    api<Principal>('/api/me')
      .then((me) => start(me, token))
      .catch(() => setToken(null))
      .finally(() => setChecking(false));
  }, []);

  useEffect(() => {
    document.title = t('app.title');
  });

  if (checking)
    return (
      <p className="loading" role="status">
        {t('common.loading')}
      </p>
    );
  if (!session) {
    return (
      <LoginPage
        onLogin={(token, me) => {
          setToken(token);
          start(me, token);
          if (!location.pathname.startsWith('/console/inbox')) navigate('inbox', true);
        }}
      />
    );
  }
  return (
    <StoreContext.Provider value={session.store}>
      <Shell me={session.me} store={session.store} onLogout={logout} />
    </StoreContext.Provider>
  );
}

function Shell({ me, store, onLogout }: { me: Principal; store: LiveStore; onLogout: () => void }) {
  const { t, lang } = useI18n();
  const route = useRoute();
  const pages = pagesFor(me);
  const page = pages.find((p) => p.path === route[0]) ?? pages[0];
  const connected = useLive(store, (s) => s.connected);

  useEffect(() => {
    if (route[0] !== page.path) navigate(page.path, true);
  }, [route[0], page.path]);

  const Page = page.component;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span>Sportello</span>
        </div>
        <nav aria-label={t('app.mainNav')} className="mainnav">
          <ul>
            {pages.map((p) => (
              <li key={p.path}>
                <a
                  href={`/console/${p.path}`}
                  aria-current={p === page ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(p.path);
                  }}
                >
                  {p.label[lang]}
                </a>
              </li>
            ))}
            {me.role === 'metro_admin' && (
              // Bull Board is served by the API outside the console (its own page): a plain link, in a new tab.
              <li>
                <a href={QUEUE_BOARD_URL} target="_blank" rel="noopener" data-testid="queue-board-link">
                  {t('app.queueBoard')}
                  <span className="visually-hidden"> ({t('app.newTab')})</span>
                </a>
              </li>
            )}
          </ul>
        </nav>
        <div className="topbar-tools">
          <PresenceControl store={store} me={me} />
          <NotificationsButton />
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => setLang(lang === 'it' ? 'en' : 'it')}
            aria-label={t('app.langLabel')}
            lang={lang === 'it' ? 'en' : 'it'}
          >
            {t('app.lang')}
          </button>
          <span className="whoami">{me.name}</span>
          <button type="button" className="btn btn-ghost" onClick={onLogout}>
            {t('app.logout')}
          </button>
        </div>
      </header>
      {!connected && (
        <div className="banner banner-warn" role="status">
          {t('app.connection.lost')}
        </div>
      )}
      <OfferNotifier store={store} me={me} />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">{t('common.loading')}</p>}>
          <Page />
        </Suspense>
      </main>
    </div>
  );
}

function PresenceControl({ store, me }: { store: LiveStore; me: Principal }) {
  const { t } = useI18n();
  const presence = useLive(store, (s) => s.presence);
  const tickets = useLive(store, (s) => s.tickets);
  const operators = useLive(store, (s) => s.operators);
  const capacity = operators.find((o) => o.id === me.operatorId)?.capacity;
  let load = 0;
  for (const tk of tickets.values()) {
    if (
      (tk.assigneeId === me.operatorId && tk.queueState === 'assigned') ||
      (tk.offeredToId === me.operatorId && tk.queueState === 'offered')
    )
      load++;
  }
  return (
    <div className="presence">
      <label htmlFor="presence-select" className="presence-label">
        <span className={`dot dot-${presence}`} aria-hidden="true" />
        {t('presence.label')}
      </label>
      <select id="presence-select" value={presence} onChange={(e) => void store.setPresence(e.target.value as Presence)}>
        {(['online', 'away', 'offline'] as const).map((p) => (
          <option key={p} value={p}>
            {t(`presence.${p}`)}
          </option>
        ))}
      </select>
      {capacity !== undefined && (
        <span className="load" title={t('load.label')} data-testid="load">
          <span className="visually-hidden">{t('load.label')}: </span>
          <meter min={0} max={Math.max(capacity, 1)} value={load} aria-label={t('load.label')} />
          {t('load.value', { load, capacity })}
        </span>
      )}
    </div>
  );
}

function NotificationsButton() {
  const { t } = useI18n();
  const [perm, setPerm] = useState(typeof Notification === 'undefined' ? 'denied' : Notification.permission);
  if (perm !== 'default') return null;
  return (
    <button type="button" className="btn btn-ghost" onClick={() => void Notification.requestPermission().then(setPerm)}>
      {t('app.notifications.enable')}
    </button>
  );
}
