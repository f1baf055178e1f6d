import type { CaseCredentials, CaseView } from '@server/portal/reports/reports.api';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { HttpError } from '../api';
import { useComune } from '../comune';
import { useLang, useT, type Key } from '../i18n';
import { Crumbs } from '../pages/Crumbs';
import { formatDate, StateBadge, typeLabel } from '../pages/MyCases';
import { NotFound } from '../pages/NotFound';
import { useTitle } from '../pages/title';
import { ErrorSummary, Rating, TextField, type NamedError } from './parts';
import { reportApi } from './reportApi';

type Creds = Omit<CaseCredentials, 'reference'>;
const REFERENCE = /^[A-Z]{2,4}-\d{4}-\d{6,}$/;

/**
 * A report or request as its citizen sees it, reached by its code and e-mail address (or, right
 * after sending, the access key): state, dates, the conversation without internal notes,
 * attachments, a reply box, following a report and the rating of a resolved case.
 */
export default function CasePage() {
  const { slug = '', reference: refParam } = useParams();
  const t = useT();
  const lang = useLang();
  const location = useLocation();
  const navigate = useNavigate();
  const comune = useComune(slug);
  const reference = (refParam ?? '').toUpperCase();
  const creds = (location.state ?? null) as Creds | null;
  const [view, setView] = useState<CaseView | null>(null);
  const [failed, setFailed] = useState<Key | null>(null);
  const [formRef, setFormRef] = useState(reference);
  const [formEmail, setFormEmail] = useState('');
  const [errors, setErrors] = useState<NamedError[]>([]);
  const [text, setText] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; message: string } | null>(null);
  const [sending, setSending] = useState(false);
  const [followEmail, setFollowEmail] = useState('');
  const [followStatus, setFollowStatus] = useState<{ ok: boolean; message: string } | null>(null);
  useTitle(reference ? `${t('case.title')} ${reference}` : t('case.lookupTitle'));

  const hasCreds = Boolean(reference && creds && (creds.email || creds.accessKey));
  useEffect(() => {
    if (!hasCreds) return void setView(null);
    let live = true;
    setFailed(null);
    reportApi.lookup({ reference, ...creds }).then(
      (v) => live && setView(v),
      (e: unknown) =>
        live &&
        setFailed(
          e instanceof HttpError && e.status === 404
            ? 'case.notFound'
            : e instanceof HttpError && e.status === 429
              ? 'case.throttled'
              : 'app.loadError',
        ),
    );
    return () => {
      live = false;
    };
  }, [reference, hasCreds, creds?.email, creds?.accessKey]);

  if (comune.error === 'not-found') return <NotFound />;
  const name = comune.value?.name ?? slug;

  function lookup(e: FormEvent) {
    e.preventDefault();
    const ref = formRef.trim().toUpperCase();
    const email = formEmail.trim();
    const errs: NamedError[] = [];
    if (!ref) errs.push({ id: 'case-reference', label: t('case.reference'), message: t('flow.err.required') });
    else if (!REFERENCE.test(ref)) errs.push({ id: 'case-reference', label: t('case.reference'), message: t('case.err.reference') });
    if (!email) errs.push({ id: 'case-email', label: t('flow.contact.email'), message: t('flow.err.required') });
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      errs.push({ id: 'case-email', label: t('flow.contact.email'), message: t('flow.err.email') });
    setErrors(errs);
    if (errs.length) return requestAnimationFrame(() => document.getElementById('flow-errors')?.focus());
    // The credentials travel in the history entry (not the address): a reload keeps the page open.
    void navigate(`/${slug}/segnalazioni/${encodeURIComponent(ref)}`, { state: { email } });
  }

  async function reply(e: FormEvent) {
    e.preventDefault();
    if (!text.trim() || !view) return;
    setSending(true);
    setStatus(null);
    try {
      await reportApi.reply({ reference, ...creds, text: text.trim(), clientMessageId: crypto.randomUUID() });
      setText('');
      setStatus({ ok: true, message: t('mine.sent') });
      setView(await reportApi.lookup({ reference, ...creds }));
    } catch (err) {
      setStatus({ ok: false, message: err instanceof Error ? err.message : t('app.loadError') });
    } finally {
      setSending(false);
    }
  }

  async function follow(target: string, email: string) {
    setFollowStatus(null);
    try {
      const r = await reportApi.follow(target, email);
      setFollowStatus({ ok: true, message: t(r.created ? 'case.followed' : 'case.alreadyFollowing', { reference: target }) });
    } catch (err) {
      setFollowStatus({ ok: false, message: err instanceof Error ? err.message : t('app.loadError') });
    }
  }

  const crumbs = (
    <Crumbs
      items={[
        { label: name, to: `/${slug}` },
        ...(reference
          ? [{ label: t('case.lookupTitle'), to: `/${slug}/segnalazioni/cerca` }, { label: reference }]
          : [{ label: t('case.lookupTitle') }]),
      ]}
    />
  );

  if (!view)
    return (
      <div className="container my-4">
        {crumbs}
        <h1>{t('case.lookupTitle')}</h1>
        <p className="lead">{t('case.lookupLead', { name })}</p>
        {failed && (
          <div className="alert alert-warning" role="alert">
            {t(failed)}
          </div>
        )}
        {hasCreds && !failed ? (
          <p aria-busy="true">{t('app.loading')}</p>
        ) : (
          <form onSubmit={lookup} noValidate className="col-lg-8">
            <ErrorSummary errors={errors} />
            <TextField
              id="case-reference"
              label={t('case.reference')}
              hint={t('case.referenceHint')}
              value={formRef}
              onChange={setFormRef}
              error={errors.find((x) => x.id === 'case-reference')?.message}
              maxLength={30}
              required
            />
            <TextField
              id="case-email"
              type="email"
              label={t('flow.contact.email')}
              hint={t('case.emailHint')}
              value={formEmail}
              onChange={setFormEmail}
              error={errors.find((x) => x.id === 'case-email')?.message}
              autoComplete="email"
              required
            />
            <button type="submit" className="btn btn-primary mt-3">
              {t('case.open')}
            </button>
          </form>
        )}
      </div>
    );

  const open = view.state === 'received' || view.state === 'in_progress';
  return (
    <div className="container my-4">
      {crumbs}
      <h1>
        {typeLabel(t, view.type)}: <span className="font-monospace">{view.reference}</span>
      </h1>
      <dl className="row">
        {(
          [
            ['mine.category', view.category ?? '—'],
            ['mine.created', formatDate(lang, view.createdAt)],
            ['mine.taken', formatDate(lang, view.takenInChargeAt)],
            ['mine.resolved', formatDate(lang, view.resolvedAt)],
            ...(view.address ? [['case.address', view.address]] : []),
          ] as Array<[Key, string]>
        ).map(([k, v]) => (
          <div key={k} className="col-12 col-md-4 mb-2">
            <dt>{t(k)}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        <div className="col-12 col-md-4 mb-2">
          <dt>{t('mine.state')}</dt>
          <dd>
            <StateBadge state={view.state} />
          </dd>
        </div>
      </dl>
      {view.mergedInto && (
        <div className="callout note">
          <p>{t('case.merged', { reference: view.mergedInto })}</p>
          {creds?.email && (
            <button type="button" className="btn btn-primary btn-sm" onClick={() => void follow(view.mergedInto!, creds.email!)}>
              {t('case.followMerged', { reference: view.mergedInto })}
            </button>
          )}
        </div>
      )}

      <h2>{t('mine.conversation')}</h2>
      <ol className="list-unstyled portal-conversation">
        {view.messages.map((m) => (
          <li key={m.id} className={`card mb-3 ${m.from === 'citizen' ? 'border-primary' : ''}`}>
            <div className="card-body">
              <p className="small text-muted mb-1">
                <strong>{t(`mine.from.${m.from}` as Key)}</strong> ·{' '}
                <time dateTime={m.at}>{new Date(m.at).toLocaleString(lang === 'it' ? 'it-IT' : 'en-GB')}</time>
              </p>
              {m.text && (
                <p className="mb-1" style={{ whiteSpace: 'pre-wrap' }}>
                  {m.text}
                </p>
              )}
              {m.attachments.length > 0 && (
                <ul aria-label={t('mine.attachments')}>
                  {m.attachments.map((a) => (
                    <li key={a.url}>
                      <a href={a.url}>{a.filename}</a>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </li>
        ))}
      </ol>

      {open ? (
        <form onSubmit={(e) => void reply(e)} className="my-4">
          <h2>{t('mine.reply')}</h2>
          <TextField
            id="case-reply"
            label={t('mine.message')}
            hint={t('mine.replyHint')}
            value={text}
            onChange={setText}
            rows={4}
            maxLength={4000}
            required
          />
          <button type="submit" className="btn btn-primary" disabled={sending || !text.trim()}>
            {t('mine.send')}
          </button>
          <div role="status" aria-live="polite" className="mt-2">
            {status && <span className={status.ok ? 'text-success' : 'text-danger'}>{status.message}</span>}
          </div>
        </form>
      ) : (
        <p className="alert alert-info">{t('mine.closedCase')}</p>
      )}

      {view.canRate && (
        <section aria-labelledby="case-rating-title" className="my-4">
          <h2 id="case-rating-title">{t('case.rateTitle')}</h2>
          <Rating
            legend={t('case.rateLegend')}
            onRate={(rating, comment) => reportApi.rate({ reference, ...creds, rating, comment: comment || undefined })}
          />
        </section>
      )}
      {view.rating && (
        <p>
          {t('case.rated', { n: view.rating.rating })}
          {view.rating.comment ? ` — «${view.rating.comment}»` : ''}
        </p>
      )}

      {view.type === 'report' && open && !view.mergedInto && (
        <form
          className="my-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (followEmail.trim()) void follow(view.reference, followEmail.trim());
          }}
        >
          <h2 className="h4">{t('case.followTitle')}</h2>
          <TextField
            id="case-follow-email"
            type="email"
            label={t('flow.nearby.email')}
            hint={t('flow.nearby.emailHint')}
            value={followEmail}
            onChange={setFollowEmail}
            autoComplete="email"
          />
          <button type="submit" className="btn btn-outline-primary">
            {t('case.follow')}
          </button>
        </form>
      )}
      <div role="status" aria-live="polite">
        {followStatus && <p className={followStatus.ok ? 'text-success' : 'text-danger'}>{followStatus.message}</p>}
      </div>
      <Link to={`/${slug}`}>{t('flow.backToComune', { name })}</Link>
    </div>
  );
}
