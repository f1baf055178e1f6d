import { Link, Navigate } from 'react-router';
import { useT, type Key } from '../i18n';
import { LogoutButton } from '../Layout';
import { useSession } from '../session';
import { Crumbs } from './Crumbs';
import { MyCases } from './MyCases';
import { useTitle } from './title';

/** What the session says of the citizen, "Esci", and "Le mie richieste". */
export default function ProfilePage() {
  const t = useT();
  useTitle(t('profile.title'));
  const session = useSession();
  if (session.status === 'loading') return <div className="container my-4">{t('app.loading')}</div>;
  if (session.status === 'unavailable' || !session.session.authenticated)
    return <Navigate to="/accedi?returnTo=%2Farea-personale" replace />;
  const c = session.session.citizen;
  const rows: Array<[Key, string]> = [
    ['profile.name', c.displayName || `${c.givenName} ${c.familyName}`.trim()],
    ['profile.fiscalCode', c.fiscalCode ?? t('profile.notGiven')],
    ['profile.email', c.email ?? t('profile.notGiven')],
    ['profile.level', t('profile.levelValue', { level: c.level, assurance: t(`profile.assurance.${c.assurance}`) })],
  ];
  return (
    <div className="container my-4">
      <Crumbs items={[{ label: t('profile.title') }]} />
      <h1>{t('profile.title')}</h1>
      <dl className="row portal-profile">
        {rows.map(([k, v]) => (
          <div key={k} className="col-12 col-md-6 mb-3">
            <dt>{t(k)}</dt>
            <dd className={k === 'profile.fiscalCode' ? 'font-monospace' : undefined}>{v}</dd>
          </div>
        ))}
      </dl>
      <div className="d-flex flex-wrap gap-2">
        <LogoutButton className="btn btn-outline-primary">{t('profile.logout')}</LogoutButton>
        <Link className="btn btn-outline-primary" to="/area-personale/privacy">
          {t('privacy.link')}
        </Link>
      </div>
      <MyCases />
    </div>
  );
}
