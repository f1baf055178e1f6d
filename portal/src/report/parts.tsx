import { useState, type FormEvent, type ReactNode } from 'react';
import { useT } from '../i18n';
import { Icon } from '../Icon';

/** Bootstrap Italia's step indicator ("steppers"): the steps done, the current one, those to come. */
export function Stepper({ labels, current }: { labels: string[]; current: number }) {
  const t = useT();
  return (
    <nav className="steppers mb-4" aria-label={t('flow.steps')}>
      <div className="steppers-header">
        <ol className="list-unstyled">
          {labels.map((label, i) => (
            <li
              key={label}
              className={i < current ? 'confirmed' : i === current ? 'active' : undefined}
              aria-current={i === current ? 'step' : undefined}
            >
              {label}
              {i < current && (
                <>
                  <Icon name="it-check" className="steppers-success" />
                  <span className="visually-hidden">{t('flow.stepDone')}</span>
                </>
              )}
            </li>
          ))}
        </ol>
        <span className="steppers-index" aria-hidden="true">
          {current + 1}/{labels.length}
        </span>
      </div>
    </nav>
  );
}

export interface NamedError {
  id: string;
  label: string;
  message: string;
}

/** The errors of a step, each naming its field ("Descrizione: è obbligatoria") and linking to it. */
export function ErrorSummary({ errors }: { errors: NamedError[] }) {
  const t = useT();
  if (!errors.length) return null;
  return (
    <div className="alert alert-danger" role="alert" tabIndex={-1} id="flow-errors">
      <p className="fw-semibold mb-1">{t('flow.errorsTitle')}</p>
      <ul className="mb-0">
        {errors.map((e) => (
          <li key={e.id}>
            <a href={`#${e.id}`}>
              {e.label}: {e.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A labelled input or textarea with its hint and its error (aria-invalid, aria-describedby). */
export function TextField({
  id,
  label,
  value,
  onChange,
  error,
  hint,
  type = 'text',
  rows,
  maxLength,
  required,
  autoComplete,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  hint?: string;
  type?: string;
  rows?: number;
  maxLength?: number;
  required?: boolean;
  autoComplete?: string;
}) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    className: `form-control${error ? ' is-invalid' : ''}`,
    value,
    maxLength,
    required,
    autoComplete,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
  };
  return (
    <div className="form-group mt-5">
      <label htmlFor={id} className="active">
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {rows ? (
        <textarea {...common} rows={rows} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type={type} onChange={(e) => onChange(e.target.value)} />
      )}
      {hint && (
        <small id={`${id}-hint`} className="form-text">
          {hint}
        </small>
      )}
      {error && (
        <div id={`${id}-error`} className="invalid-feedback d-block">
          {error}
        </div>
      )}
    </div>
  );
}

/**
 * "Quanto è stato facile…": 1 to 5 stars as radio buttons, an optional comment. `onRate` sends it;
 * its error (already rated, …) is shown in Italian.
 */
export function Rating({ legend, onRate }: { legend: string; onRate: (rating: 1 | 2 | 3 | 4 | 5, comment: string) => Promise<void> }) {
  const t = useT();
  const [rating, setRating] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [state, setState] = useState<{ ok: boolean; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!rating) return setState({ ok: false, message: t('flow.rating.required') });
    setBusy(true);
    try {
      await onRate(rating as 1 | 2 | 3 | 4 | 5, comment.trim());
      setState({ ok: true, message: t('flow.rating.thanks') });
    } catch (err) {
      setState({ ok: false, message: err instanceof Error ? err.message : t('app.loadError') });
    } finally {
      setBusy(false);
    }
  }
  if (state?.ok)
    return (
      <div role="status" className="alert alert-success">
        {state.message}
      </div>
    );
  return (
    <form onSubmit={(e) => void submit(e)} className="my-4" noValidate>
      <fieldset>
        <legend className="h5">{legend}</legend>
        <div className="d-flex flex-wrap gap-3">
          {[1, 2, 3, 4, 5].map((n) => (
            <div key={n} className="form-check form-check-inline">
              <input
                className="form-check-input"
                type="radio"
                name="rating"
                id={`rating-${n}`}
                value={n}
                checked={rating === n}
                onChange={() => setRating(n)}
              />
              <label className="form-check-label" htmlFor={`rating-${n}`}>
                <span aria-hidden="true" className="portal-stars">
                  {'★'.repeat(n)}
                  {'☆'.repeat(5 - n)}
                </span>{' '}
                <span className="visually-hidden">{t('flow.rating.stars', { n })}</span>
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      <TextField id="rating-comment" label={t('flow.rating.comment')} value={comment} onChange={setComment} rows={3} maxLength={1000} />
      <button type="submit" className="btn btn-outline-primary" disabled={busy}>
        {t('flow.rating.send')}
      </button>
      <div role="status" aria-live="polite" className="mt-2">
        {state && !state.ok && <span className="text-danger">{state.message}</span>}
      </div>
    </form>
  );
}

export function Section({ title, children, onEdit }: { title: string; children: ReactNode; onEdit?: () => void }) {
  const t = useT();
  return (
    <div className="card card-bg mb-3">
      <div className="card-body">
        <div className="d-flex justify-content-between align-items-baseline">
          <h3 className="h5">{title}</h3>
          {onEdit && (
            <button type="button" className="btn btn-link p-0" onClick={onEdit}>
              {t('flow.edit')}
              <span className="visually-hidden">: {title}</span>
            </button>
          )}
        </div>
        {children}
      </div>
    </div>
  );
}
