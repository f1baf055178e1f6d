import type { PortalCitizen } from '@server/portal/portal.api';
import type { ReactNode } from 'react';
import { Navigate, NavLink } from 'react-router';
import { useT, type Key } from '../i18n';
import { Crumbs } from '../pages/Crumbs';
import { useTitle } from '../pages/title';
import { useSession } from '../session';

/** The personal area's sections, in the side navigation (Privacy is its own page, at /area-personale/privacy). */
const SECTIONS: Array<{ to: string; label: Key; end?: boolean }> = [
  { to: '/area-personale', label: 'area.profile', end: true },
  { to: '/area-personale#richieste', label: 'area.cases' },
  { to: '/area-personale/canali', label: 'area.channels' },
  { to: '/area-personale/notifiche', label: 'area.notifications' },
  { to: '/area-personale/consensi', label: 'area.consents' },
  { to: '/area-personale/privacy', label: 'area.privacy' },
];

/** The side (on a phone: top) navigation of the personal area. */
export function AreaNav() {
  const t = useT();
  return (
    <nav className="portal-area-nav link-list-wrapper mb-4" aria-label={t('area.nav')}>
      <ul className="link-list list-unstyled">
        {SECTIONS.map((s) => (
          <li key={s.to}>
            {s.to.includes('#') ? (
              <a className="list-item" href={s.to}>
                <span>{t(s.label)}</span>
              </a>
            ) : (
              <NavLink to={s.to} end={s.end ?? true} className={({ isActive }) => `list-item${isActive ? ' active' : ''}`}>
                <span>{t(s.label)}</span>
              </NavLink>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * A page of the personal area: the signed-in citizen only (else the sign-in page, coming back here),
 * the breadcrumb, the title, the side navigation and the page's content.
 */
export function PersonalArea({ title, path, children }: { title: string; path: string; children: (citizen: PortalCitizen) => ReactNode }) {
  const t = useT();
  useTitle(title);
  const session = useSession();
  if (session.status === 'loading') return <div className="container my-4">{t('app.loading')}</div>;
  if (session.status === 'unavailable' || !session.session.authenticated)
    return <Navigate to={`/accedi?returnTo=${encodeURIComponent(path)}`} replace />;
  const isProfile = path === '/area-personale';
  return (
    <div className="container my-4">
      <Crumbs
        items={isProfile ? [{ label: t('profile.title') }] : [{ label: t('profile.title'), to: '/area-personale' }, { label: title }]}
      />
      <div className="row">
        <div className="col-12 col-lg-3">
          <AreaNav />
        </div>
        <div className="col-12 col-lg-9">
          <h1>{title}</h1>
          {children(session.session.citizen)}
        </div>
      </div>
    </div>
  );
}
