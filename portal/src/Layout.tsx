import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, Outlet, useLocation, useParams } from 'react-router';
import { Header, HeaderContent, HeaderRightZone, Headers } from 'design-react-kit';
import { setLang, useLang, useT } from './i18n';
import { useSession } from './session';
import { api } from './api';
import { Icon } from './Icon';
import { useComune } from './comune';

/** The page frame of an Italian municipal site: skip link, slim and centre headers, main, footer. */
export function Layout() {
  const t = useT();
  const { slug } = useParams();
  const comune = useComune(slug);
  const location = useLocation();
  const main = useRef<HTMLElement>(null);

  // A new page moves the focus to its content, so that keyboard and screen-reader users start there.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <>
      <a className="visually-hidden-focusable skiplink-portal" href="#main">
        {t('app.skip')}
      </a>
      <Headers>
        <Header type="slim" theme="">
          <HeaderContent>
            <a className="navbar-brand" href="https://www.cittametropolitana.ba.it" aria-label={t('app.metro')}>
              {t('app.metro')}
            </a>
            <HeaderRightZone>
              <LangSwitch />
              <UserZone />
            </HeaderRightZone>
          </HeaderContent>
        </Header>
        <div className="it-nav-wrapper">
          <Header type="center" theme="">
            <HeaderContent>
              <div className="it-brand-wrapper">
                <Link to={comune.value ? `/${comune.value.slug}` : '/'}>
                  <div className="it-brand-text">
                    <div className="it-brand-title">{comune.value ? t('comune.title', { name: comune.value.name }) : t('app.metro')}</div>
                    <div className="it-brand-tagline d-none d-md-block">{comune.value ? t('app.comuneTagline') : t('app.tagline')}</div>
                  </div>
                </Link>
              </div>
            </HeaderContent>
          </Header>
        </div>
      </Headers>
      <main id="main" ref={main} tabIndex={-1} className="portal-main">
        <Outlet />
      </main>
      <Footer />
    </>
  );
}

function LangSwitch() {
  const lang = useLang();
  const t = useT();
  const other = lang === 'it' ? 'en' : 'it';
  return (
    <button
      type="button"
      className="btn btn-link text-white portal-lang"
      lang={other}
      aria-label={t('app.langLabel')}
      onClick={() => setLang(other)}
    >
      {t('app.lang')}
    </button>
  );
}

function UserZone() {
  const t = useT();
  const session = useSession();
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('click', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('click', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  if (session.status === 'ready' && session.session.authenticated) {
    const c = session.session.citizen;
    return (
      <div className="it-access-top-wrapper portal-user" ref={box}>
        <button
          type="button"
          className="btn btn-primary btn-sm btn-icon"
          aria-expanded={open}
          aria-controls="portal-user-menu"
          aria-label={t('app.userMenu', { name: c.displayName })}
          onClick={() => setOpen(!open)}
        >
          <span className="rounded-icon" aria-hidden="true">
            <Icon name="it-user" className="icon-primary" />
          </span>
          <span className="d-none d-lg-inline">{c.displayName}</span>
        </button>
        {open && (
          <div id="portal-user-menu" className="portal-user-menu shadow link-list-wrapper">
            <ul className="link-list">
              <li>
                <Link className="list-item" to="/area-personale">
                  <span>{t('app.personalArea')}</span>
                </Link>
              </li>
              <li>
                <LogoutButton className="btn btn-link list-item" />
              </li>
            </ul>
          </div>
        )}
      </div>
    );
  }
  const returnTo = location.pathname === '/accedi' ? '' : `?returnTo=${encodeURIComponent(location.pathname + location.search)}`;
  return (
    <div className="it-access-top-wrapper">
      <Link className="btn btn-primary btn-sm" to={`/accedi${returnTo}`}>
        {t('app.login')}
      </Link>
    </div>
  );
}

export function LogoutButton({ className, children }: { className: string; children?: ReactNode }) {
  const t = useT();
  return (
    <button
      type="button"
      className={className}
      onClick={() => {
        api.logout().then(
          (r) => location.assign(r.redirectTo || '/'),
          () => location.assign('/'),
        );
      }}
    >
      {children ?? t('app.logout')}
    </button>
  );
}

function Footer() {
  const t = useT();
  return (
    <footer className="it-footer">
      <div className="it-footer-main">
        <div className="container">
          <div className="row clearfix">
            <div className="col-sm-12">
              <div className="it-brand-wrapper">
                <Link to="/">
                  <div className="it-brand-text">
                    <p className="it-brand-title h2 no_toc mb-0">{t('app.metro')}</p>
                    <p className="it-brand-tagline mb-0">{t('app.tagline')}</p>
                  </div>
                </Link>
              </div>
            </div>
          </div>
          <div className="row border-top border-white-50 pt-3">
            <div className="col-lg-8 pb-2">
              <p className="mb-1">{t('footer.about')}</p>
              <p className="mb-0">{t('footer.address')}</p>
            </div>
            <div className="col-lg-4 pb-2">
              <p className="h4 text-white">{t('footer.links')}</p>
              <ul className="list-unstyled portal-footer-links">
                <li>
                  <Link to="/">{t('footer.comuni')}</Link>
                </li>
                <li>
                  <Link to="/accedi">{t('app.login')}</Link>
                </li>
              </ul>
            </div>
          </div>
        </div>
      </div>
    </footer>
  );
}
