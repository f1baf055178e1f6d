import { useT, type Key } from '../i18n';
import { LogoutButton } from '../Layout';
import { PersonalArea } from '../settings/PersonalArea';
import { MyCases } from './MyCases';

/** What the session says of the citizen, "Esci", and "Le mie richieste"; the side navigation to the area's settings. */
export default function ProfilePage() {
  const t = useT();
  return (
    <PersonalArea title={t('profile.title')} path="/area-personale">
      {(c) => {
        const rows: Array<[Key, string]> = [
          ['profile.name', c.displayName || `${c.givenName} ${c.familyName}`.trim()],
          ['profile.fiscalCode', c.fiscalCode ?? t('profile.notGiven')],
          ['profile.email', c.email ?? t('profile.notGiven')],
          ['profile.level', t('profile.levelValue', { level: c.level, assurance: t(`profile.assurance.${c.assurance}`) })],
        ];
        return (
          <>
            <dl className="row portal-profile">
              {rows.map(([k, v]) => (
                <div key={k} className="col-12 col-md-6 mb-3">
                  <dt>{t(k)}</dt>
                  <dd className={k === 'profile.fiscalCode' ? 'font-monospace' : undefined}>{v}</dd>
                </div>
              ))}
            </dl>
            <LogoutButton className="btn btn-outline-primary">{t('profile.logout')}</LogoutButton>
            <div id="richieste">
              <MyCases />
            </div>
          </>
        );
      }}
    </PersonalArea>
  );
}
