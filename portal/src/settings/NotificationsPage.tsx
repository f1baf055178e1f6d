import type {
  NotificationChannel,
  NotificationPurpose,
  NotificationSettings,
  NotificationSettingsUpdate,
} from '@server/portal/settings/settings.api';
import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import { api, HttpError } from '../api';
import { useT, type Key } from '../i18n';
import { PersonalArea } from './PersonalArea';

/** What each purpose is, and what is not built yet (the comune's notices and appointments come later). */
const LATER: NotificationPurpose[] = ['announcements', 'reminders'];

/** «Notifiche»: for each kind of notice, the channel to use (or none). */
export default function NotificationsPage() {
  const t = useT();
  return (
    <PersonalArea title={t('notifications.title')} path="/area-personale/notifiche">
      {() => <NotificationsForm />}
    </PersonalArea>
  );
}

function NotificationsForm() {
  const t = useT();
  const id = useId();
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  const [choice, setChoice] = useState<Partial<Record<NotificationPurpose, NotificationChannel | null>>>({});
  const [failed, setFailed] = useState(false);
  const [saved, setSaved] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const show = (s: NotificationSettings) => {
    setSettings(s);
    setChoice(Object.fromEntries(s.preferences.map((p) => [p.purpose, p.channel])));
  };
  useEffect(() => {
    api.notifications().then(show, () => setFailed(true));
  }, []);

  const save = async () => {
    setBusy(true);
    setSaved(false);
    setErrors([]);
    try {
      show(await api.setNotifications({ preferences: choice } satisfies NotificationSettingsUpdate));
      setSaved(true);
    } catch (e) {
      setErrors(e instanceof HttpError && e.body.fields?.length ? e.body.fields.map((f) => f.message) : [t('notifications.saveError')]);
    } finally {
      setBusy(false);
    }
  };

  if (failed)
    return (
      <div className="alert alert-danger" role="alert">
        {t('app.loadError')}
      </div>
    );
  if (!settings) return <p aria-busy="true">{t('app.loading')}</p>;
  const unlinked = settings.channels.some((c) => !c.available && c.channel !== 'io');
  return (
    <>
      <p className="lead">{t('notifications.lead')}</p>
      {unlinked && (
        <div className="callout note">
          <p className="mb-0">
            {t('notifications.linkHint')} <Link to="/area-personale/canali">{t('area.channels')}</Link>
          </p>
        </div>
      )}
      <div role="status">{saved && <div className="alert alert-success">{t('notifications.saved')}</div>}</div>
      {errors.length > 0 && (
        <div className="alert alert-danger" role="alert">
          {errors.map((e) => (
            <p key={e} className="mb-0">
              {e}
            </p>
          ))}
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {settings.preferences.map((p) => (
          <fieldset key={p.purpose} className="mb-4">
            <legend className="h5">{t(`notifications.purpose.${p.purpose}` as Key)}</legend>
            <p className="small mb-2" id={`${id}-${p.purpose}-hint`}>
              {t(`notifications.hint.${p.purpose}` as Key)}
              {LATER.includes(p.purpose) ? ` ${t('notifications.later')}` : ''}
            </p>
            <div className="form-check">
              <input
                className="form-check-input"
                type="radio"
                name={`${id}-${p.purpose}`}
                id={`${id}-${p.purpose}-default`}
                checked={(choice[p.purpose] ?? null) === null}
                onChange={() => setChoice((c) => ({ ...c, [p.purpose]: null }))}
                aria-describedby={`${id}-${p.purpose}-hint`}
              />
              <label className="form-check-label" htmlFor={`${id}-${p.purpose}-default`}>
                {t('notifications.default')}
              </label>
            </div>
            {settings.channels.map((c) => {
              const key = `${id}-${p.purpose}-${c.channel}`;
              return (
                <div className="form-check" key={c.channel}>
                  <input
                    className="form-check-input"
                    type="radio"
                    name={`${id}-${p.purpose}`}
                    id={key}
                    disabled={!c.available}
                    checked={choice[p.purpose] === c.channel}
                    onChange={() => setChoice((x) => ({ ...x, [p.purpose]: c.channel }))}
                    aria-describedby={c.available ? `${id}-${p.purpose}-hint` : `${key}-why`}
                  />
                  <label className="form-check-label" htmlFor={key}>
                    {t(`notifications.channel.${c.channel}` as Key)}
                    {c.address ? ` (${c.address})` : ''}
                    {!c.available && (
                      <span className="d-block small text-muted" id={`${key}-why`}>
                        {t('notifications.unavailable')}: {c.reason}
                      </span>
                    )}
                  </label>
                </div>
              );
            })}
          </fieldset>
        ))}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('notifications.save')}
        </button>
      </form>
    </>
  );
}
