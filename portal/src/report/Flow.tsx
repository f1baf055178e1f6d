import type { PortalComuneMap } from '@server/portal/portal.api';
import type { NearbyReport, PortalCategoriesResponse, PortalCategory } from '@server/portal/reports/reports.api';
import { lazy, Suspense, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { getSession, HttpError } from '../api';
import { useComune } from '../comune';
import { useLang, useT, type Key } from '../i18n';
import { Crumbs } from '../pages/Crumbs';
import { NotFound } from '../pages/NotFound';
import { StateBadge } from '../pages/MyCases';
import { useTitle } from '../pages/title';
import { refreshSession, useSession } from '../session';
import { Confirmation } from './Confirmation';
import { clearDraft, EMPTY, loadDraft, newSubmissionId, saveDraft, type Draft, type FlowData, type FlowKind } from './draft';
import { ErrorSummary, Section, Stepper, TextField, type NamedError } from './parts';
import { reportApi } from './reportApi';

// Leaflet only for the report's place step: its own chunk.
const PlaceMap = lazy(() => import('./PlaceMap'));

type StepId = 'privacy' | 'place' | 'topic' | 'details' | 'contact' | 'summary';
const STEPS: Record<FlowKind, StepId[]> = {
  report: ['privacy', 'place', 'details', 'contact', 'summary'],
  request: ['privacy', 'topic', 'details', 'contact', 'summary'],
};

/** The server's limits (src/portal/reports/submission.ts, MAX_ATTACHMENT_BYTES's default): checked here first, by the server again. */
export const LIMITS = {
  photos: { max: 3, types: ['image/jpeg', 'image/png', 'image/webp'], bytes: 10 * 1024 * 1024 },
  documents: { max: 3, types: ['application/pdf'], bytes: 10 * 1024 * 1024 },
};
const MAX_TITLE = 120;
const MAX_DESCRIPTION = 3800;

type Files = { photos: File[]; documents: File[] };
type Errors = Partial<Record<string, string>>;

/** The field ids of the form and the label each error names. */
const FIELD_LABEL: Record<string, Key> = {
  'flow-privacy': 'flow.privacy.consent',
  'flow-address': 'flow.place.address',
  'flow-place': 'flow.place.title',
  'flow-category': 'flow.details.category',
  'flow-topic': 'flow.topic.label',
  'flow-title': 'flow.details.title',
  'flow-description': 'flow.details.description',
  'flow-photos': 'flow.details.photos',
  'flow-documents': 'flow.details.documents',
  'flow-name': 'flow.contact.name',
  'flow-email': 'flow.contact.email',
  'flow-phone': 'flow.contact.phone',
  'follow-email': 'flow.nearby.email',
};
/** The server's field names (errors of a submission) → the form's field and step. */
const SERVER_FIELD: Record<string, [string, StepId]> = {
  privacyConsent: ['flow-privacy', 'privacy'],
  location: ['flow-place', 'place'],
  lat: ['flow-place', 'place'],
  lon: ['flow-place', 'place'],
  address: ['flow-address', 'place'],
  description: ['flow-description', 'details'],
  photos: ['flow-photos', 'details'],
  documents: ['flow-documents', 'details'],
  name: ['flow-name', 'contact'],
  email: ['flow-email', 'contact'],
  phone: ['flow-phone', 'contact'],
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * "Segnala un disservizio" (kind report) and "Richiedi assistenza" (kind request), step by step as
 * the Designers Italia model of a comune's site has them: privacy, place or topic, details with
 * files, contact, summary; then the confirmation with the tracking code and the service's rating.
 * The steps' data are kept as a draft in this browser until the form is sent.
 */
export function Flow({ kind }: { kind: FlowKind }) {
  const { slug = '' } = useParams();
  const t = useT();
  const lang = useLang();
  const comune = useComune(slug);
  const session = useSession();
  const citizen = session.status === 'ready' && session.session.authenticated ? session.session.citizen : null;
  const steps = STEPS[kind];
  const flowTitle = t(kind === 'report' ? 'flow.report.title' : 'flow.request.title');
  useTitle(comune.value ? `${flowTitle} — ${comune.value.name}` : flowTitle);

  const [pending, setPending] = useState<Draft | null>(() => loadDraft(slug, kind));
  const [step, setStep] = useState(0);
  const [data, setData] = useState<FlowData>(EMPTY);
  const [submissionId, setSubmissionId] = useState(newSubmissionId);
  const [loggedIn, setLoggedIn] = useState(false);
  const [files, setFiles] = useState<Files>({ photos: [], documents: [] });
  const [errors, setErrors] = useState<Errors>({});
  const [cats, setCats] = useState<PortalCategoriesResponse | null>(null);
  const [mapCfg, setMapCfg] = useState<PortalComuneMap | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [nearby, setNearby] = useState<NearbyReport[] | null>(null);
  const [nearbyDone, setNearbyDone] = useState('');
  const [followEmail, setFollowEmail] = useState('');
  const [followed, setFollowed] = useState<string | null>(null);
  const [sent, setSent] = useState<{ reference: string; accessKey: string; email: string } | null>(null);
  const [sending, setSending] = useState(false);
  const [expired, setExpired] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [placeNotice, setPlaceNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);

  useEffect(() => {
    let live = true;
    reportApi.categories(slug).then(
      (c) => live && setCats(c),
      () => live && setLoadFailed(true),
    );
    if (kind === 'report')
      reportApi.map(slug).then(
        (m) => live && setMapCfg(m),
        () => live && setLoadFailed(true),
      );
    return () => {
      live = false;
    };
  }, [slug, kind]);

  useEffect(() => {
    if (citizen) setLoggedIn(true);
  }, [citizen]);

  // The draft: every change of the current step is kept (not the files), until sent or discarded.
  useEffect(() => {
    if (pending || sent || followed || (step === 0 && !data.privacy)) return;
    saveDraft(slug, kind, { step, data, loggedIn, submissionId });
  }, [pending, sent, followed, step, data, loggedIn, submissionId, slug, kind]);

  // Moving between steps puts the focus on the new step's heading (screen readers hear where they are).
  useEffect(() => {
    if (moved.current) heading.current?.focus();
  }, [step, sent, followed]);

  if (comune.error === 'not-found') return <NotFound />;
  if (!comune.value)
    return (
      <div className="container my-4">
        {comune.error ? <div className="alert alert-danger">{t('app.loadError')}</div> : <p>{t('app.loading')}</p>}
      </div>
    );
  const c = comune.value;
  const categories: PortalCategory[] = (kind === 'report' ? cats?.reportCategories : cats?.requestTopics) ?? [];
  const catLabel = (code: string) => categories.find((x) => x.code === code)?.label[lang] ?? code;
  const set = (patch: Partial<FlowData>) => setData((d) => ({ ...d, ...patch }));
  const go = (i: number) => {
    moved.current = true;
    setErrors({});
    setServerError(null);
    setStep(i);
  };
  const stepId = steps[step];
  const named = (errs: Errors): NamedError[] =>
    Object.entries(errs).flatMap(([id, message]) => (message ? [{ id, label: t(FIELD_LABEL[id] ?? 'flow.field'), message }] : []));
  const crumbs = <Crumbs items={[{ label: c.name, to: `/${c.slug}` }, { label: flowTitle }]} />;

  if (sent)
    return (
      <div className="container my-4">
        {crumbs}
        <Confirmation
          kind={kind}
          slug={c.slug}
          comune={c.name}
          headingRef={heading}
          reference={sent.reference}
          accessKey={sent.accessKey}
          email={sent.email}
          loggedIn={Boolean(citizen)}
        />
      </div>
    );

  if (followed)
    return (
      <div className="container my-4">
        {crumbs}
        <h1 ref={heading} tabIndex={-1}>
          {t('flow.nearby.followedTitle')}
        </h1>
        <div className="alert alert-success" role="status">
          {t('flow.nearby.followed', { reference: followed })}
        </div>
        <p>
          <Link to={`/${c.slug}`}>{t('flow.backToComune', { name: c.name })}</Link>
        </p>
      </div>
    );

  function validate(id: StepId): Errors {
    const e: Errors = {};
    const required = t('flow.err.required');
    if (id === 'privacy' && !data.privacy) e['flow-privacy'] = t('flow.err.privacy');
    if (id === 'place') {
      if (data.lat === null && !data.address.trim()) e['flow-address'] = t('flow.err.place');
      if (data.address.length > 300) e['flow-address'] = t('flow.err.max', { n: 300 });
    }
    if (id === 'topic' && !data.category) e['flow-topic'] = required;
    if (id === 'details') {
      if (kind === 'report' && !data.category) e['flow-category'] = required;
      if (!data.title.trim()) e['flow-title'] = required;
      else if (data.title.length > MAX_TITLE) e['flow-title'] = t('flow.err.max', { n: MAX_TITLE });
      if (!data.description.trim()) e['flow-description'] = required;
      else if (data.description.length > MAX_DESCRIPTION) e['flow-description'] = t('flow.err.max', { n: MAX_DESCRIPTION });
    }
    if (id === 'contact') {
      if (!data.name.trim()) e['flow-name'] = required;
      else if (data.name.length > 120) e['flow-name'] = t('flow.err.max', { n: 120 });
      if (!data.email.trim()) e['flow-email'] = required;
      else if (!EMAIL.test(data.email.trim())) e['flow-email'] = t('flow.err.email');
      if (data.phone && !/^\+?[0-9 ./-]{6,20}$/.test(data.phone.trim())) e['flow-phone'] = t('flow.err.phone');
    }
    return e;
  }

  async function next(ev: FormEvent) {
    ev.preventDefault();
    const e = validate(stepId);
    setErrors(e);
    if (Object.keys(e).length) {
      requestAnimationFrame(() => document.getElementById('flow-errors')?.focus());
      return;
    }
    // Before a new report: open reports of the same category nearby, to follow instead.
    if (kind === 'report' && stepId === 'details' && data.lat !== null && data.lon !== null) {
      const key = `${data.lat},${data.lon},${data.category}`;
      const radius = categories.find((x) => x.code === data.category)?.duplicateRadiusM ?? 0;
      if (radius > 0 && nearbyDone !== key) {
        try {
          const r = await reportApi.nearby(c.slug, { lat: data.lat, lon: data.lon, category: data.category });
          setNearbyDone(key);
          if (r.reports.length) {
            setNearby(r.reports.slice(0, 5));
            requestAnimationFrame(() => document.getElementById('nearby-title')?.focus());
            return;
          }
        } catch {
          /* the check is a courtesy: without it the report is still sent */
        }
      }
    }
    setNearby(null);
    if (steps[step + 1] === 'contact' && citizen)
      setData((d) => ({ ...d, name: d.name || citizen.displayName, email: d.email || citizen.email || '' }));
    go(step + 1);
  }

  async function follow(reference: string) {
    const email = citizen?.email ?? followEmail.trim();
    if (!EMAIL.test(email)) {
      setErrors({ 'follow-email': email ? t('flow.err.email') : t('flow.err.required') });
      requestAnimationFrame(() => document.getElementById('flow-errors')?.focus());
      return;
    }
    try {
      await reportApi.follow(reference, email);
      clearDraft(c.slug, kind);
      moved.current = true;
      setFollowed(reference);
    } catch (err) {
      setServerError(err instanceof Error ? err.message : t('app.loadError'));
    }
  }

  async function send() {
    setSending(true);
    setServerError(null);
    try {
      const s = await getSession().catch(() => null);
      if (loggedIn && s && !s.authenticated) {
        // The session ended during the flow: the draft stays, the citizen logs in again and comes back.
        saveDraft(c.slug, kind, { step, data, loggedIn, submissionId });
        setExpired(true);
        refreshSession();
        return;
      }
      const description = `${data.title.trim()}\n\n${data.description.trim()}`;
      const fields: Record<string, string> = {
        submissionId,
        category: data.category,
        description,
        name: data.name.trim(),
        email: data.email.trim(),
        phone: data.phone.trim(),
        address: data.address.trim(),
        privacyConsent: 'true',
        updatesConsent: String(data.updates),
      };
      if (data.lat !== null && data.lon !== null) Object.assign(fields, { lat: String(data.lat), lon: String(data.lon) });
      const r = await reportApi.submit(c.slug, kind, fields, kind === 'report' ? files : { photos: [], documents: files.documents });
      clearDraft(c.slug, kind);
      moved.current = true;
      setSent({ reference: r.reference, accessKey: r.accessKey, email: data.email.trim() });
    } catch (err) {
      if (err instanceof HttpError && err.body.fields?.length) {
        const e: Errors = {};
        for (const f of err.body.fields) {
          const [id] = SERVER_FIELD[f.field] ?? [f.field.includes('.') ? 'flow-photos' : 'flow-description'];
          e[id] = f.message;
        }
        setErrors(e);
        requestAnimationFrame(() => document.getElementById('flow-errors')?.focus());
      } else setServerError(err instanceof Error ? err.message : t('app.loadError'));
    } finally {
      setSending(false);
    }
  }

  function addFiles(field: keyof Files, list: FileList | null) {
    if (!list) return;
    const limit = LIMITS[field];
    const id = field === 'photos' ? 'flow-photos' : 'flow-documents';
    const kept = [...files[field]];
    let error: string | undefined;
    for (const f of Array.from(list)) {
      if (!limit.types.includes(f.type)) error = t(field === 'photos' ? 'flow.err.photoType' : 'flow.err.documentType', { name: f.name });
      else if (f.size > limit.bytes) error = t('flow.err.fileSize', { name: f.name, mb: limit.bytes / (1024 * 1024) });
      else if (kept.length >= limit.max) error = t('flow.err.fileCount', { n: limit.max });
      else kept.push(f);
    }
    setFiles((x) => ({ ...x, [field]: kept }));
    setErrors((e) => ({ ...e, [id]: error }));
  }

  function pin(lat: number, lon: number) {
    set({ lat, lon });
    setPlaceNotice({ ok: true, text: t('flow.place.pinned', { lat: lat.toFixed(5), lon: lon.toFixed(5) }) });
    setErrors((e) => ({ ...e, 'flow-address': undefined }));
  }

  const stepLabels = steps.map((s) => t(`flow.step.${s}` as Key));
  const errorList = named(errors);

  return (
    <div className="container my-4">
      {crumbs}
      <h1>{flowTitle}</h1>
      <p className="lead">{t(kind === 'report' ? 'flow.report.lead' : 'flow.request.lead', { name: c.name })}</p>

      {pending ? (
        <div className="callout note" role="region" aria-labelledby="draft-title">
          <div className="callout-title" id="draft-title">
            {t('flow.draft.title')}
          </div>
          <p>{t('flow.draft.text', { date: new Date(pending.savedAt).toLocaleString(lang === 'it' ? 'it-IT' : 'en-GB') })}</p>
          <div className="d-flex gap-2 flex-wrap">
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                setData(pending.data);
                setSubmissionId(pending.submissionId);
                setLoggedIn(pending.loggedIn);
                setPending(null);
                go(Math.min(pending.step, steps.length - 1));
              }}
            >
              {t('flow.draft.resume')}
            </button>
            <button
              type="button"
              className="btn btn-outline-primary"
              onClick={() => {
                clearDraft(c.slug, kind);
                setPending(null);
              }}
            >
              {t('flow.draft.restart')}
            </button>
          </div>
        </div>
      ) : (
        <>
          <Stepper labels={stepLabels} current={step} />
          {loadFailed && <div className="alert alert-warning">{t('app.loadError')}</div>}
          <form onSubmit={(e) => void next(e)} noValidate>
            <h2 ref={heading} tabIndex={-1} className="h3">
              {stepLabels[step]}
            </h2>
            <ErrorSummary errors={errorList} />

            {stepId === 'privacy' && (
              <>
                <div className="callout">
                  <div className="callout-title">{t('footer.privacy')}</div>
                  <p>{t('flow.privacy.text', { name: c.name })}</p>
                  <p className="mb-0">{t('flow.privacy.rights')}</p>
                </div>
                <div className="form-check">
                  <input
                    id="flow-privacy"
                    type="checkbox"
                    className={`form-check-input${errors['flow-privacy'] ? ' is-invalid' : ''}`}
                    checked={data.privacy}
                    onChange={(e) => set({ privacy: e.target.checked })}
                    aria-invalid={errors['flow-privacy'] ? true : undefined}
                    aria-describedby={errors['flow-privacy'] ? 'flow-privacy-error' : undefined}
                  />
                  <label htmlFor="flow-privacy">{t('flow.privacy.consent')}</label>
                  {errors['flow-privacy'] && (
                    <div id="flow-privacy-error" className="invalid-feedback d-block">
                      {errors['flow-privacy']}
                    </div>
                  )}
                </div>
              </>
            )}

            {stepId === 'place' && (
              <>
                <p id="flow-map-help">{t('flow.place.help')}</p>
                <div id="flow-place">
                  {mapCfg ? (
                    <Suspense fallback={<p aria-busy="true">{t('app.loading')}</p>}>
                      <PlaceMap
                        map={mapCfg}
                        value={data.lat !== null && data.lon !== null ? { lat: data.lat, lon: data.lon } : null}
                        onPin={pin}
                        onRefused={() => setPlaceNotice({ ok: false, text: t('flow.place.outside', { name: c.name }) })}
                        describedBy="flow-map-help"
                      />
                    </Suspense>
                  ) : (
                    <p aria-busy="true">{t('app.loading')}</p>
                  )}
                </div>
                <div role="status" aria-live="polite" className="mt-2" data-testid="place-status">
                  {placeNotice && <span className={placeNotice.ok ? 'text-success' : 'text-danger fw-semibold'}>{placeNotice.text}</span>}
                </div>
                {data.lat !== null && (
                  <button
                    type="button"
                    className="btn btn-link px-0"
                    onClick={() => {
                      set({ lat: null, lon: null });
                      setPlaceNotice({ ok: true, text: t('flow.place.removed') });
                    }}
                  >
                    {t('flow.place.remove')}
                  </button>
                )}
                <TextField
                  id="flow-address"
                  label={t('flow.place.address')}
                  hint={t('flow.place.addressHint')}
                  value={data.address}
                  onChange={(v) => set({ address: v })}
                  error={errors['flow-address']}
                  maxLength={300}
                  autoComplete="street-address"
                />
              </>
            )}

            {stepId === 'topic' && (
              <div className="select-wrapper mt-5">
                <label htmlFor="flow-topic">
                  {t('flow.topic.label')}
                  <span aria-hidden="true"> *</span>
                </label>
                <select
                  id="flow-topic"
                  className={errors['flow-topic'] ? 'is-invalid' : undefined}
                  value={data.category}
                  onChange={(e) => set({ category: e.target.value })}
                  aria-invalid={errors['flow-topic'] ? true : undefined}
                  aria-describedby={errors['flow-topic'] ? 'flow-topic-error' : undefined}
                >
                  <option value="">{t('flow.choose')}</option>
                  {categories.map((x) => (
                    <option key={x.code} value={x.code}>
                      {x.label[lang]}
                    </option>
                  ))}
                </select>
                {errors['flow-topic'] && (
                  <div id="flow-topic-error" className="invalid-feedback d-block">
                    {errors['flow-topic']}
                  </div>
                )}
              </div>
            )}

            {stepId === 'details' && (
              <>
                {kind === 'report' && (
                  <div className="select-wrapper mt-5">
                    <label htmlFor="flow-category">
                      {t('flow.details.category')}
                      <span aria-hidden="true"> *</span>
                    </label>
                    <select
                      id="flow-category"
                      className={errors['flow-category'] ? 'is-invalid' : undefined}
                      value={data.category}
                      onChange={(e) => set({ category: e.target.value })}
                      aria-invalid={errors['flow-category'] ? true : undefined}
                      aria-describedby={errors['flow-category'] ? 'flow-category-error' : undefined}
                    >
                      <option value="">{t('flow.choose')}</option>
                      {categories.map((x) => (
                        <option key={x.code} value={x.code}>
                          {x.label[lang]}
                        </option>
                      ))}
                    </select>
                    {errors['flow-category'] && (
                      <div id="flow-category-error" className="invalid-feedback d-block">
                        {errors['flow-category']}
                      </div>
                    )}
                  </div>
                )}
                <TextField
                  id="flow-title"
                  label={t('flow.details.title')}
                  value={data.title}
                  onChange={(v) => set({ title: v })}
                  error={errors['flow-title']}
                  maxLength={MAX_TITLE}
                  required
                />
                <TextField
                  id="flow-description"
                  label={t('flow.details.description')}
                  hint={t(kind === 'report' ? 'flow.details.descriptionHint' : 'flow.details.requestHint')}
                  value={data.description}
                  onChange={(v) => set({ description: v })}
                  error={errors['flow-description']}
                  rows={5}
                  maxLength={MAX_DESCRIPTION}
                  required
                />
                {(kind === 'report' ? (['photos', 'documents'] as const) : (['documents'] as const)).map((field) => {
                  const id = field === 'photos' ? 'flow-photos' : 'flow-documents';
                  return (
                    <div key={field} className="mt-4">
                      <label htmlFor={id} className="fw-semibold d-block">
                        {t(field === 'photos' ? 'flow.details.photos' : 'flow.details.documents')}
                      </label>
                      <small id={`${id}-hint`} className="form-text d-block mb-2">
                        {t(field === 'photos' ? 'flow.details.photosHint' : 'flow.details.documentsHint')}
                      </small>
                      <input
                        id={id}
                        type="file"
                        className="form-control"
                        multiple
                        accept={LIMITS[field].types.join(',')}
                        disabled={files[field].length >= LIMITS[field].max}
                        aria-describedby={`${id}-hint${errors[id] ? ` ${id}-error` : ''}`}
                        aria-invalid={errors[id] ? true : undefined}
                        onChange={(e) => {
                          addFiles(field, e.target.files);
                          e.target.value = '';
                        }}
                      />
                      {errors[id] && (
                        <div id={`${id}-error`} className="invalid-feedback d-block">
                          {errors[id]}
                        </div>
                      )}
                      {files[field].length > 0 && (
                        <ul
                          className="list-unstyled mt-2"
                          aria-label={t(field === 'photos' ? 'flow.details.photos' : 'flow.details.documents')}
                        >
                          {files[field].map((f, i) => (
                            <li key={`${f.name}-${i}`} className="d-flex align-items-center gap-2">
                              <span>
                                {f.name} ({Math.ceil(f.size / 1024)} kB)
                              </span>
                              <button
                                type="button"
                                className="btn btn-link btn-sm p-0"
                                onClick={() => setFiles((x) => ({ ...x, [field]: x[field].filter((_, j) => j !== i) }))}
                              >
                                {t('flow.details.remove')}
                                <span className="visually-hidden"> {f.name}</span>
                              </button>
                            </li>
                          ))}
                        </ul>
                      )}
                    </div>
                  );
                })}
                <p className="small mt-3">{t('flow.details.filesNotKept')}</p>
              </>
            )}

            {stepId === 'contact' && (
              <>
                {citizen ? <p>{t('flow.contact.fromProfile')}</p> : <p>{t('flow.contact.anonymous')}</p>}
                <TextField
                  id="flow-name"
                  label={t('flow.contact.name')}
                  value={data.name}
                  onChange={(v) => set({ name: v })}
                  error={errors['flow-name']}
                  maxLength={120}
                  autoComplete="name"
                  required
                />
                <TextField
                  id="flow-email"
                  type="email"
                  label={t('flow.contact.email')}
                  hint={t('flow.contact.emailHint')}
                  value={data.email}
                  onChange={(v) => set({ email: v })}
                  error={errors['flow-email']}
                  maxLength={254}
                  autoComplete="email"
                  required
                />
                <TextField
                  id="flow-phone"
                  type="tel"
                  label={t('flow.contact.phone')}
                  value={data.phone}
                  onChange={(v) => set({ phone: v })}
                  error={errors['flow-phone']}
                  maxLength={20}
                  autoComplete="tel"
                />
                <div className="form-check mt-3">
                  <input
                    id="flow-updates"
                    type="checkbox"
                    className="form-check-input"
                    checked={data.updates}
                    onChange={(e) => set({ updates: e.target.checked })}
                  />
                  <label htmlFor="flow-updates">{t('flow.contact.updates')}</label>
                </div>
              </>
            )}

            {stepId === 'summary' && (
              <>
                <p>{t('flow.summary.lead')}</p>
                {kind === 'report' ? (
                  <Section title={t('flow.step.place')} onEdit={() => go(steps.indexOf('place'))}>
                    <p className="mb-0">
                      {data.address || '—'}
                      {data.lat !== null && <> · {t('flow.place.pinned', { lat: data.lat.toFixed(5), lon: (data.lon ?? 0).toFixed(5) })}</>}
                    </p>
                  </Section>
                ) : (
                  <Section title={t('flow.step.topic')} onEdit={() => go(steps.indexOf('topic'))}>
                    <p className="mb-0">{catLabel(data.category)}</p>
                  </Section>
                )}
                <Section title={t('flow.step.details')} onEdit={() => go(steps.indexOf('details'))}>
                  <dl className="mb-0">
                    {kind === 'report' && (
                      <>
                        <dt>{t('flow.details.category')}</dt>
                        <dd>{catLabel(data.category)}</dd>
                      </>
                    )}
                    <dt>{t('flow.details.title')}</dt>
                    <dd>{data.title}</dd>
                    <dt>{t('flow.details.description')}</dt>
                    <dd style={{ whiteSpace: 'pre-wrap' }}>{data.description}</dd>
                    <dt>{t('flow.summary.files')}</dt>
                    <dd>{[...(kind === 'report' ? files.photos : []), ...files.documents].map((f) => f.name).join(', ') || '—'}</dd>
                  </dl>
                </Section>
                <Section title={t('flow.step.contact')} onEdit={() => go(steps.indexOf('contact'))}>
                  <dl className="mb-0">
                    <dt>{t('flow.contact.name')}</dt>
                    <dd>{data.name}</dd>
                    <dt>{t('flow.contact.email')}</dt>
                    <dd>{data.email}</dd>
                    {data.phone && (
                      <>
                        <dt>{t('flow.contact.phone')}</dt>
                        <dd>{data.phone}</dd>
                      </>
                    )}
                  </dl>
                </Section>
                {expired && (
                  <div className="alert alert-warning" role="alert">
                    <p>{t('flow.expired')}</p>
                    <a
                      className="btn btn-primary"
                      href={`/accedi?returnTo=${encodeURIComponent(`/${c.slug}/${kind === 'report' ? 'segnala' : 'richiedi-assistenza'}`)}`}
                    >
                      {t('flow.loginAgain')}
                    </a>
                  </div>
                )}
              </>
            )}

            {serverError && (
              <div className="alert alert-danger mt-3" role="alert">
                {serverError}
              </div>
            )}

            {nearby && stepId === 'details' ? (
              <section className="mt-4" aria-labelledby="nearby-title">
                <h3 id="nearby-title" className="h4" tabIndex={-1}>
                  {t('flow.nearby.title')}
                </h3>
                <p>{t('flow.nearby.lead')}</p>
                {!citizen && (
                  <TextField
                    id="follow-email"
                    type="email"
                    label={t('flow.nearby.email')}
                    hint={t('flow.nearby.emailHint')}
                    value={followEmail}
                    onChange={setFollowEmail}
                    error={errors['follow-email']}
                    autoComplete="email"
                  />
                )}
                <ul className="list-unstyled">
                  {nearby.map((r) => (
                    <li key={r.reference} className="card card-bg mb-3">
                      <div className="card-body">
                        <h4 className="h6">
                          {catLabel(r.category ?? '')} · <span className="font-monospace">{r.reference}</span>
                        </h4>
                        <p className="mb-1">
                          <StateBadge state={r.state} /> {r.address ?? ''} · {t('flow.nearby.distance', { m: Math.round(r.distanceM) })} ·{' '}
                          {t('flow.nearby.since', { date: new Date(r.createdAt).toLocaleDateString(lang === 'it' ? 'it-IT' : 'en-GB') })}
                        </p>
                        <button type="button" className="btn btn-primary btn-sm" onClick={() => void follow(r.reference)}>
                          {t('flow.nearby.follow')}
                          <span className="visually-hidden"> {r.reference}</span>
                        </button>
                      </div>
                    </li>
                  ))}
                </ul>
                <div className="d-flex gap-2 flex-wrap">
                  <button type="button" className="btn btn-outline-primary" onClick={() => setNearby(null)}>
                    {t('flow.nearby.edit')}
                  </button>
                  <button type="submit" className="btn btn-secondary">
                    {t('flow.nearby.new')}
                  </button>
                </div>
              </section>
            ) : (
              <div className="d-flex gap-2 flex-wrap mt-5">
                {step > 0 && (
                  <button type="button" className="btn btn-outline-primary" onClick={() => go(step - 1)}>
                    {t('flow.back')}
                  </button>
                )}
                {stepId === 'summary' ? (
                  <button type="button" className="btn btn-primary" disabled={sending} onClick={() => void send()}>
                    {sending ? t('flow.sending') : t('flow.send')}
                  </button>
                ) : (
                  <button type="submit" className="btn btn-primary">
                    {t('flow.next')}
                  </button>
                )}
              </div>
            )}
          </form>
        </>
      )}
    </div>
  );
}
