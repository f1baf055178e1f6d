import { useState, type FormEvent } from 'react';
import { api, ApiError, type CounterTicketCreated } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { navigate } from '../lib/router';

/** A request taken by phone or at the desk, entered for the citizen, with their contact and consent. */
export default function NewTicketPage() {
  const { t } = useI18n();
  const [f, setF] = useState({
    channel: 'phone',
    name: '',
    phone: '',
    email: '',
    fiscalCode: '',
    type: 'request',
    category: '',
    subject: '',
    text: '',
    lat: '',
    lng: '',
    privacy: false,
    updates: false,
  });
  const [errors, setErrors] = useState<Array<{ field: string; message: string }>>([]);
  const [done, setDone] = useState<CounterTicketCreated | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string; checked?: boolean; type?: string } }) =>
    setF({ ...f, [k]: e.target.type === 'checkbox' ? Boolean(e.target.checked) : e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors([]);
    try {
      const r = await api<CounterTicketCreated>('/api/console/tickets', {
        method: 'POST',
        body: {
          channel: f.channel,
          citizen: {
            name: f.name || undefined,
            phone: f.phone || undefined,
            email: f.email || undefined,
            fiscalCode: f.fiscalCode || undefined,
          },
          text: f.text,
          type: f.type,
          category: f.category || undefined,
          subject: f.subject || undefined,
          location: f.lat && f.lng ? { lat: Number(f.lat), lng: Number(f.lng) } : undefined,
          privacyConsent: f.privacy,
          updatesConsent: f.updates,
        },
      });
      setDone(r);
    } catch (err) {
      setErrors(err instanceof ApiError && err.fields.length ? err.fields : [{ field: '', message: (err as Error).message }]);
    } finally {
      setBusy(false);
    }
  };
  const errorFor = (field: string) => errors.find((x) => x.field === field || x.field.startsWith(`${field}.`))?.message;
  const described = (field: string) => (errorFor(field) ? { 'aria-invalid': true, 'aria-describedby': `err-${field}` } : {});
  const err = (field: string) =>
    errorFor(field) && (
      <p id={`err-${field}`} className="error">
        {errorFor(field)}
      </p>
    );

  if (done) {
    return (
      <div className="page narrow">
        <h1>{t('new.title')}</h1>
        <p role="status" className="banner banner-ok">
          {t('new.created', { reference: done.ticketReference })}
        </p>
        <div className="row">
          <button type="button" className="btn btn-primary" onClick={() => navigate(`inbox/all/${done.ticketId}`)}>
            {t('new.open')}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setDone(null);
              setF({ ...f, text: '', subject: '', privacy: false, updates: false });
            }}
          >
            {t('new.title')}
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="page narrow">
      <h1>{t('new.title')}</h1>
      <p className="muted">{t('new.intro')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate className="stack">
        <fieldset>
          <legend>{t('new.channel')}</legend>
          <label className="check">
            <input type="radio" name="channel" value="phone" checked={f.channel === 'phone'} onChange={set('channel')} />{' '}
            {t('channel.phone')}
          </label>
          <label className="check">
            <input type="radio" name="channel" value="desk" checked={f.channel === 'desk'} onChange={set('channel')} /> {t('channel.desk')}
          </label>
        </fieldset>
        <fieldset>
          <legend>{t('new.citizen')}</legend>
          <div className="field">
            <label htmlFor="n-name">{t('new.name')}</label>
            <input id="n-name" autoComplete="off" value={f.name} onChange={set('name')} />
          </div>
          <div className="field">
            <label htmlFor="n-phone">{t('new.phone')}</label>
            <input id="n-phone" type="tel" value={f.phone} onChange={set('phone')} {...described('citizen.phone')} />
            {err('citizen.phone')}
          </div>
          <div className="field">
            <label htmlFor="n-email">{t('new.email')}</label>
            <input id="n-email" type="email" value={f.email} onChange={set('email')} {...described('citizen.email')} />
            {err('citizen.email')}
          </div>
          <div className="field">
            <label htmlFor="n-cf">{t('new.fiscalCode')}</label>
            <input id="n-cf" value={f.fiscalCode} maxLength={16} onChange={set('fiscalCode')} {...described('citizen.fiscalCode')} />
            {err('citizen.fiscalCode')}
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('new.request')}</legend>
          <div className="field">
            <label htmlFor="n-type">{t('actions.type')}</label>
            <select id="n-type" value={f.type} onChange={set('type')}>
              <option value="request">{t('type.request')}</option>
              <option value="report">{t('type.report')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="n-category">{t('actions.category')}</label>
            <input id="n-category" value={f.category} onChange={set('category')} />
          </div>
          <div className="field">
            <label htmlFor="n-subject">{t('new.subject')}</label>
            <input id="n-subject" maxLength={300} value={f.subject} onChange={set('subject')} />
          </div>
          <div className="field">
            <label htmlFor="n-text">{t('new.text')}</label>
            <textarea id="n-text" rows={4} required maxLength={4000} value={f.text} onChange={set('text')} {...described('text')} />
            {err('text')}
          </div>
          <div className="row">
            <div className="field">
              <label htmlFor="n-lat">{t('new.lat')}</label>
              <input
                id="n-lat"
                inputMode="decimal"
                value={f.lat}
                onChange={set('lat')}
                aria-describedby="n-loc-hint"
                {...described('location')}
              />
            </div>
            <div className="field">
              <label htmlFor="n-lng">{t('new.lng')}</label>
              <input id="n-lng" inputMode="decimal" value={f.lng} onChange={set('lng')} aria-describedby="n-loc-hint" />
            </div>
          </div>
          <p id="n-loc-hint" className="muted small">
            {t('new.locationHint')}
          </p>
          {err('location')}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={f.privacy} onChange={set('privacy')} {...described('privacyConsent')} /> {t('new.privacy')}
        </label>
        {err('privacyConsent')}
        <label className="check">
          <input type="checkbox" checked={f.updates} onChange={set('updates')} /> {t('new.updates')}
        </label>
        {err('citizen')}
        {errors.some((x) => !x.field || !['text', 'privacyConsent', 'location', 'citizen'].some((k) => x.field.startsWith(k))) && (
          <p className="error" role="alert">
            {errors.map((x) => (x.field ? `${x.field}: ${x.message}` : x.message)).join('; ')}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('new.submit')}
        </button>
      </form>
    </div>
  );
}
