import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../lib/api';
import { useI18n, type Text } from '../lib/i18n';
import {
  CHANNELS,
  channelDef,
  fieldForProblem,
  initialValues,
  LABEL_RULE,
  payloadOf,
  type FieldDef,
  type FormValues,
} from './channel-forms';
import type { ChannelAccount } from './ChannelsPage';
import { T } from './texts';

const inputId = (key: string) => `acc-${key.replace(/[^A-Za-z0-9]+/g, '-')}`;

/** A random value for a secret nobody has to type elsewhere (Telegram's webhook secret). */
function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/**
 * Create or edit an account: the inputs follow what the API expects of the channel; secrets are
 * write-only (an empty input keeps the stored value); the API's field errors appear under their input.
 */
export function AccountForm({
  account,
  comuneId,
  onSaved,
  onCancel,
}: {
  account: ChannelAccount | null;
  /** The comune to create in, for the metropolitan administrator (a manager's is implied). */
  comuneId?: number;
  onSaved: (a: ChannelAccount, created: boolean) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const editing = account !== null;
  const [channel, setChannel] = useState(account?.channel ?? CHANNELS[0].channel);
  const def = channelDef(channel)!;
  const start = () => initialValues(def, account?.config);
  const [values, setValues] = useState<FormValues>(() => start().values);
  const [sections, setSections] = useState<Record<string, boolean>>(() => start().sections);
  const [label, setLabel] = useState(account?.label ?? '');
  const [enabled, setEnabled] = useState(account?.enabled ?? true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [generated, setGenerated] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  // After a refused save, the first input at fault gets the focus (its error is read with it).
  useEffect(() => {
    const first = Object.keys(errors)[0];
    if (first) document.getElementById(first === 'label' ? 'acc-label' : inputId(first))?.focus();
  }, [attempt]);

  const changeChannel = (next: string) => {
    setChannel(next);
    const init = initialValues(channelDef(next)!);
    setValues(init.values);
    setSections(init.sections);
    setErrors({});
    setFormError(null);
  };

  const message = (f: FieldDef | undefined, problem: string, status: number): string => {
    if (status === 409) return t(T.errTaken, { id: /\(id (\d+)\)/.exec(problem)?.[1] ?? '?' });
    if (problem === 'is required') return t(T.errRequired);
    return f?.rule ? t(f.rule) : `${t(T.errInvalid)} (${problem})`;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    const { config, secrets } = payloadOf(def, values, sections, account ?? undefined);
    try {
      const saved = editing
        ? await api<ChannelAccount>(`/api/channel-accounts/${account.id}`, {
            method: 'PATCH',
            body: { label, enabled, config, ...(Object.keys(secrets).length ? { secrets } : {}) },
          })
        : await api<ChannelAccount>('/api/channel-accounts', {
            method: 'POST',
            body: { ...(comuneId ? { comuneId } : {}), channel, label, enabled, config, secrets },
          });
      onSaved(saved, !editing);
    } catch (err) {
      // A 400 lists its fields; a 409 names the field at the start of its message.
      const named = err instanceof ApiError ? /^([\w.[\]]+): (.+)$/.exec(err.message) : null;
      const problems =
        err instanceof ApiError ? (err.fields.length ? err.fields : named ? [{ field: named[1], message: named[2] }] : []) : [];
      const found: Record<string, string> = {};
      const other: string[] = [];
      for (const p of problems) {
        const key = fieldForProblem(def, p.field);
        const f = def.fields.find((x) => x.key === key);
        if (key && !found[key])
          found[key] = message(
            key === 'label' ? { key, kind: 'text', label: T.formLabel, rule: LABEL_RULE } : f,
            p.message,
            (err as ApiError).status,
          );
        else if (!key) other.push(`${p.field}: ${p.message}`);
      }
      setErrors(found);
      if (Object.keys(found).length) setFormError(t(T.fixFields) + (other.length ? ` ${other.join('; ')}` : ''));
      else setFormError(t(T.notSaved, { error: other.join('; ') || (err as Error).message }));
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  const describedBy = (...ids: Array<string | false | null | undefined>) => ids.filter(Boolean).join(' ') || undefined;
  const errorOf = (key: string) =>
    errors[key] && (
      <p id={`${inputId(key)}-error`} className="error field-error">
        {errors[key]}
      </p>
    );

  const renderField = (f: FieldDef) => {
    const id = inputId(f.key);
    const error = errors[f.key];
    const isSecret = f.kind === 'secret';
    const secretName = isSecret ? (f.secretGroup ?? f.key).split('.')[1] : '';
    const alreadySet = isSecret && editing && account.secretsSet.includes(secretName);
    const required = Boolean(f.required) && !(isSecret && alreadySet);
    const firstOfGroup = !f.secretGroup || def.fields.find((x) => x.secretGroup === f.secretGroup) === f;
    const secretHint: Text | null =
      isSecret && editing && firstOfGroup ? (alreadySet ? (f.secretGroup ? T.secretPairKeep : T.secretKeep) : T.secretUnset) : null;
    const hintId = f.hint || secretHint ? `${id}-hint` : undefined;
    const common = {
      id,
      'aria-invalid': error ? true : undefined,
      'aria-required': required || undefined,
      'aria-describedby': describedBy(hintId, error && `${id}-error`, f.generate && generated && `${id}-generated`),
    };
    if (f.kind === 'checkbox') {
      return (
        <div className="field" key={f.key}>
          <div className="check">
            <input
              type="checkbox"
              {...common}
              checked={values[f.key] === true}
              onChange={(e) => setValues({ ...values, [f.key]: e.target.checked })}
            />
            <label htmlFor={id}>{t(f.label)}</label>
          </div>
          {errorOf(f.key)}
        </div>
      );
    }
    const value = String(values[f.key] ?? '');
    const set = (v: string) => setValues({ ...values, [f.key]: v });
    return (
      <div className="field" key={f.key}>
        <label htmlFor={id}>
          {t(f.label)}
          {required && <span className="required"> {t(T.required)}</span>}
        </label>
        {hintId && (
          <p id={hintId} className="small muted field-hint">
            {f.hint && t(f.hint)}
            {f.hint && secretHint ? ' ' : ''}
            {secretHint && <span data-testid="secret-hint">{t(secretHint)}</span>}
          </p>
        )}
        {f.kind === 'list' ? (
          <textarea {...common} rows={2} value={value} onChange={(e) => set(e.target.value)} />
        ) : (
          <div className={f.generate ? 'row' : undefined}>
            <input
              {...common}
              value={value}
              onChange={(e) => set(e.target.value)}
              placeholder={f.placeholder}
              type={isSecret && !f.typedVisibly ? 'password' : f.kind === 'email' ? 'email' : f.kind === 'tel' ? 'tel' : 'text'}
              inputMode={f.kind === 'number' ? 'numeric' : undefined}
              autoComplete={isSecret && !f.typedVisibly ? 'new-password' : 'off'}
              spellCheck={false}
            />
            {f.generate && (
              <button
                type="button"
                className="btn btn-small"
                onClick={() => {
                  set(randomSecret());
                  setGenerated(f.key);
                }}
              >
                {t(T.generate)}
              </button>
            )}
          </div>
        )}
        {f.generate && generated === f.key && (
          <p id={`${id}-generated`} className="small" role="status">
            {t(T.generated)}
          </p>
        )}
        {errorOf(f.key)}
      </div>
    );
  };

  const plain = def.fields.filter((f) => !f.section);
  const title = editing ? t(T.formEdit, { label: account.label }) : t(T.formNew);
  return (
    <section className="account-form" aria-labelledby="account-form-title">
      <h2 id="account-form-title" ref={headingRef} tabIndex={-1}>
        {title}
      </h2>
      <form noValidate onSubmit={(e) => void submit(e)} className="stack">
        {!editing && (
          <div className="field">
            <label htmlFor="acc-channel">{t(T.formChannel)}</label>
            <select id="acc-channel" value={channel} onChange={(e) => changeChannel(e.target.value)}>
              {CHANNELS.map((c) => (
                <option key={c.channel} value={c.channel}>
                  {t(c.name)}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="acc-label">
            {t(T.formLabel)}
            <span className="required"> {t(T.required)}</span>
          </label>
          <p id="acc-label-hint" className="small muted field-hint">
            {t(T.formLabelHint)}
          </p>
          <input
            id="acc-label"
            value={label}
            maxLength={120}
            onChange={(e) => setLabel(e.target.value)}
            aria-required
            aria-invalid={errors.label ? true : undefined}
            aria-describedby={describedBy('acc-label-hint', errors.label && 'acc-label-error')}
          />
          {errors.label && (
            <p id="acc-label-error" className="error field-error">
              {errors.label}
            </p>
          )}
        </div>
        {plain.map(renderField)}
        {(def.sections ?? []).map((s) => {
          const id = `acc-section-${s.key}`;
          return (
            <fieldset key={s.key} className="account-section">
              <legend>
                <span className="check">
                  <input
                    type="checkbox"
                    id={id}
                    checked={sections[s.key] === true}
                    aria-describedby={`${id}-hint`}
                    onChange={(e) => setSections({ ...sections, [s.key]: e.target.checked })}
                  />
                  <label htmlFor={id}>{t(s.label)}</label>
                </span>
              </legend>
              <p id={`${id}-hint`} className="small muted">
                {t(s.hint)}
              </p>
              {sections[s.key] && def.fields.filter((f) => f.section === s.key).map(renderField)}
            </fieldset>
          );
        })}
        <div className="check">
          <input type="checkbox" id="acc-enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          <label htmlFor="acc-enabled">{t(T.formEnabled)}</label>
        </div>
        <div role="alert" className="form-alert">
          {formError && <p className="error">{formError}</p>}
        </div>
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t(T.saving) : t(editing ? T.save : T.create)}
          </button>
          <button type="button" className="btn" onClick={onCancel}>
            {t(T.cancel)}
          </button>
        </div>
      </form>
    </section>
  );
}
