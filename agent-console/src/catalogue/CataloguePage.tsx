import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Audience, CatalogueEntry, CatalogueEntryInput, ThematicAreaId } from '@server/portal/portal.api';
import { useStore } from '../app/context';
import { api, ApiError } from '../lib/api';
import { useI18n, type Text } from '../lib/i18n';
import { useLive } from '../lib/store';
import './catalogue.css';

/** Texts of the page: Italian first, English available. */
const T = {
  title: { it: 'Catalogo dei servizi', en: 'Service catalogue' },
  intro: {
    it: 'I servizi online che il portale del cittadino mostra oltre a quelli di Sportello: collegamenti ai servizi del comune (pagamenti, certificati, iscrizioni…).',
    en: 'The online services the citizen portal shows besides Sportello’s own: links to the comune’s services (payments, certificates, enrolments…).',
  },
  introMetro: {
    it: 'Come amministratore metropolitano gestisci i servizi della Città Metropolitana: compaiono nel portale di ogni comune.',
    en: 'As the metropolitan administrator you manage the Metropolitan City’s services: they appear on every comune’s portal page.',
  },
  add: { it: 'Nuovo servizio', en: 'New service' },
  edit: { it: 'Modifica', en: 'Edit' },
  remove: { it: 'Elimina', en: 'Delete' },
  confirmRemove: { it: 'Eliminare «{title}»?', en: 'Delete “{title}”?' },
  save: { it: 'Salva', en: 'Save' },
  cancel: { it: 'Annulla', en: 'Cancel' },
  none: { it: 'Nessun servizio nel catalogo.', en: 'No service in the catalogue.' },
  metro: { it: 'Città Metropolitana', en: 'Metropolitan City' },
  readOnly: { it: 'gestito dalla Città Metropolitana', en: 'managed by the Metropolitan City' },
  titleIt: { it: 'Titolo (italiano)', en: 'Title (Italian)' },
  titleEn: { it: 'Titolo (inglese, facoltativo)', en: 'Title (English, optional)' },
  descriptionIt: { it: 'Descrizione (italiano)', en: 'Description (Italian)' },
  descriptionEn: { it: 'Descrizione (inglese)', en: 'Description (English)' },
  area: { it: 'Area tematica', en: 'Thematic area' },
  url: { it: 'Indirizzo del servizio (https://…)', en: 'Service address (https://…)' },
  audience: { it: 'Destinatari', en: 'Audience' },
  'audience.all': { it: 'Tutti', en: 'Everyone' },
  'audience.citizens': { it: 'Cittadini', en: 'Citizens' },
  'audience.businesses': { it: 'Imprese', en: 'Businesses' },
  online: { it: 'Servizio interamente online', en: 'Fully online service' },
  position: { it: 'Ordine', en: 'Order' },
  saved: { it: 'Servizio salvato.', en: 'Service saved.' },
  removed: { it: 'Servizio eliminato.', en: 'Service deleted.' },
  failed: { it: 'Operazione non riuscita: {message}', en: 'The operation failed: {message}' },
  fixFields: { it: 'Correggi i campi indicati.', en: 'Correct the fields shown.' },
} satisfies Record<string, Text>;

type Form = Required<Omit<CatalogueEntryInput, 'metropolitan' | 'titleEn' | 'descriptionIt' | 'descriptionEn'>> & {
  titleEn: string;
  descriptionIt: string;
  descriptionEn: string;
};
const EMPTY: Form = {
  titleIt: '',
  titleEn: '',
  descriptionIt: '',
  descriptionEn: '',
  area: 'registry',
  url: 'https://',
  audience: 'all',
  online: true,
  position: 0,
};

/**
 * The comune's entries of the citizen portal's service catalogue, for its manager (the
 * Metropolitan City's are shown read-only), and the Metropolitan City's for its administrator.
 */
export default function CataloguePage() {
  const store = useStore();
  const me = useLive(store, (s) => s.me);
  const { t, lang } = useI18n();
  const isAdmin = me.role === 'metro_admin';
  const [entries, setEntries] = useState<CatalogueEntry[] | null>(null);
  const [areas, setAreas] = useState<Array<{ id: ThematicAreaId; label: Text }>>([]);
  const [editing, setEditing] = useState<{ id: number | null; form: Form } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | null>(null);

  const load = useCallback(async () => {
    try {
      setEntries(await api<CatalogueEntry[]>('/api/console/catalogue'));
    } catch (err) {
      setNotice({ text: t(T.failed, { message: (err as Error).message }), ok: false });
    }
  }, []);
  useEffect(() => {
    void load();
    void api<Array<{ id: ThematicAreaId; label: Text }>>('/api/console/catalogue/areas').then(setAreas, () => undefined);
  }, [load]);

  const areaLabel = (id: ThematicAreaId) => areas.find((a) => a.id === id)?.label[lang] ?? id;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const f = editing.form;
    const body: CatalogueEntryInput = {
      titleIt: f.titleIt,
      titleEn: f.titleEn.trim() || null,
      descriptionIt: f.descriptionIt.trim() || null,
      descriptionEn: f.descriptionEn.trim() || null,
      area: f.area,
      url: f.url,
      audience: f.audience,
      online: f.online,
      position: Number(f.position) || 0,
      ...(editing.id === null && isAdmin ? { metropolitan: true } : {}),
    };
    try {
      if (editing.id === null) await api('/api/console/catalogue', { method: 'POST', body });
      else await api(`/api/console/catalogue/${editing.id}`, { method: 'PATCH', body });
      setEditing(null);
      setErrors({});
      setNotice({ text: t(T.saved), ok: true });
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        setErrors(Object.fromEntries(err.fields.map((x) => [x.field, x.message])));
        setNotice({ text: t(T.fixFields), ok: false });
      } else setNotice({ text: t(T.failed, { message: (err as Error).message }), ok: false });
    }
  };

  const remove = async (entry: CatalogueEntry) => {
    if (!window.confirm(t(T.confirmRemove, { title: entry.titleIt }))) return;
    try {
      await api(`/api/console/catalogue/${entry.id}`, { method: 'DELETE' });
      setNotice({ text: t(T.removed), ok: true });
      await load();
    } catch (err) {
      setNotice({ text: t(T.failed, { message: (err as Error).message }), ok: false });
    }
  };

  const field = (name: keyof Form, label: Text, input: React.ReactNode) => (
    <div className="catalogue-field">
      <label htmlFor={`cat-${name}`}>{t(label)}</label>
      {input}
      {errors[name] && (
        <p id={`cat-${name}-error`} className="error-text">
          {errors[name]}
        </p>
      )}
    </div>
  );
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setEditing((e) => (e ? { ...e, form: { ...e.form, [k]: v } } : e));
  const described = (name: string) => (errors[name] ? { 'aria-describedby': `cat-${name}-error`, 'aria-invalid': true as const } : {});

  return (
    <section className="catalogue-page" aria-labelledby="catalogue-title">
      <h1 id="catalogue-title">{t(T.title)}</h1>
      <p>{t(isAdmin ? T.introMetro : T.intro)}</p>
      {notice && (
        <p className={`banner ${notice.ok ? 'banner-ok' : 'banner-warn'}`} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </p>
      )}
      {!editing && (
        <button type="button" className="btn btn-primary" onClick={() => (setEditing({ id: null, form: EMPTY }), setErrors({}))}>
          {t(T.add)}
        </button>
      )}
      {editing && (
        <form className="catalogue-form" onSubmit={(e) => void submit(e)} noValidate>
          {field(
            'titleIt',
            T.titleIt,
            <input
              id="cat-titleIt"
              value={editing.form.titleIt}
              required
              onChange={(e) => set('titleIt', e.target.value)}
              {...described('titleIt')}
            />,
          )}
          {field(
            'titleEn',
            T.titleEn,
            <input
              id="cat-titleEn"
              lang="en"
              value={editing.form.titleEn}
              onChange={(e) => set('titleEn', e.target.value)}
              {...described('titleEn')}
            />,
          )}
          {field(
            'descriptionIt',
            T.descriptionIt,
            <textarea
              id="cat-descriptionIt"
              rows={2}
              value={editing.form.descriptionIt}
              onChange={(e) => set('descriptionIt', e.target.value)}
              {...described('descriptionIt')}
            />,
          )}
          {field(
            'descriptionEn',
            T.descriptionEn,
            <textarea
              id="cat-descriptionEn"
              lang="en"
              rows={2}
              value={editing.form.descriptionEn}
              onChange={(e) => set('descriptionEn', e.target.value)}
              {...described('descriptionEn')}
            />,
          )}
          {field(
            'area',
            T.area,
            <select
              id="cat-area"
              value={editing.form.area}
              onChange={(e) => set('area', e.target.value as ThematicAreaId)}
              {...described('area')}
            >
              {areas.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label[lang]}
                </option>
              ))}
            </select>,
          )}
          {field(
            'url',
            T.url,
            <input
              id="cat-url"
              type="url"
              value={editing.form.url}
              required
              onChange={(e) => set('url', e.target.value)}
              {...described('url')}
            />,
          )}
          {field(
            'audience',
            T.audience,
            <select
              id="cat-audience"
              value={editing.form.audience}
              onChange={(e) => set('audience', e.target.value as Audience)}
              {...described('audience')}
            >
              {(['all', 'citizens', 'businesses'] as const).map((a) => (
                <option key={a} value={a}>
                  {t(T[`audience.${a}`])}
                </option>
              ))}
            </select>,
          )}
          {field(
            'position',
            T.position,
            <input
              id="cat-position"
              type="number"
              min={0}
              max={9999}
              value={editing.form.position}
              onChange={(e) => set('position', Number(e.target.value))}
              {...described('position')}
            />,
          )}
          <div className="catalogue-field catalogue-check">
            <input id="cat-online" type="checkbox" checked={editing.form.online} onChange={(e) => set('online', e.target.checked)} />
            <label htmlFor="cat-online">{t(T.online)}</label>
          </div>
          <div className="catalogue-actions">
            <button type="submit" className="btn btn-primary">
              {t(T.save)}
            </button>
            <button type="button" className="btn" onClick={() => (setEditing(null), setErrors({}))}>
              {t(T.cancel)}
            </button>
          </div>
        </form>
      )}
      {entries && entries.length === 0 && <p>{t(T.none)}</p>}
      {entries && entries.length > 0 && (
        <ul className="catalogue-list">
          {entries.map((e) => (
            <li key={e.id} className="catalogue-item">
              <div>
                <strong>{lang === 'en' && e.titleEn ? e.titleEn : e.titleIt}</strong>
                <span className="catalogue-meta">
                  {areaLabel(e.area)}
                  {e.comuneId === null && ` · ${t(T.metro)}`}
                </span>
                <a href={e.url} target="_blank" rel="noopener noreferrer" className="catalogue-url">
                  {e.url}
                </a>
              </div>
              {e.editable ? (
                <div className="catalogue-actions">
                  <button
                    type="button"
                    className="btn"
                    aria-label={`${t(T.edit)}: ${e.titleIt}`}
                    onClick={() => {
                      setErrors({});
                      setEditing({
                        id: e.id,
                        form: {
                          titleIt: e.titleIt,
                          titleEn: e.titleEn ?? '',
                          descriptionIt: e.descriptionIt ?? '',
                          descriptionEn: e.descriptionEn ?? '',
                          area: e.area,
                          url: e.url,
                          audience: e.audience,
                          online: e.online,
                          position: e.position,
                        },
                      });
                    }}
                  >
                    {t(T.edit)}
                  </button>
                  <button type="button" className="btn" aria-label={`${t(T.remove)}: ${e.titleIt}`} onClick={() => void remove(e)}>
                    {t(T.remove)}
                  </button>
                </div>
              ) : (
                <span className="catalogue-meta">{t(T.readOnly)}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
