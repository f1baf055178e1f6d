import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useStore } from '../app/context';
import { api, type Analytics, type ChannelAccountView } from '../lib/api';
import { useI18n, type Text } from '../lib/i18n';
import { useLive } from '../lib/store';
import { AccountForm } from './AccountForm';
import { channelDef, channelName, settingOf } from './channel-forms';
import { PairingPanel } from './PairingPanel';
import { connectionText, SETUP, T } from './texts';
import './channels.css';

/** A channel account as the API shows it: settings, and which secrets are set (never their values). */
export type ChannelAccount = ChannelAccountView;
type Notice = { text: Text; vars?: Record<string, string>; extra?: { text: Text; ok: boolean } } | null;

/**
 * The comune's channel accounts (WhatsApp, Telegram, e-mail/PEC), for its manager and the
 * metropolitan administrator (who picks the comune): the list, create and edit, enable and
 * disable, what to set at the provider, and the pairing of a WhatsApp Web number.
 */
export default function ChannelsPage() {
  const store = useStore();
  const me = useLive(store, (s) => s.me);
  const { t } = useI18n();
  const isAdmin = me.role === 'metro_admin';
  const [comuni, setComuni] = useState<Analytics.AnalyticsComune[]>([]);
  const [comuneId, setComuneId] = useState<number | null>(isAdmin ? null : me.comuneId);
  const [accounts, setAccounts] = useState<ChannelAccount[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ account: ChannelAccount | null; returnFocus: string } | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [focusId, setFocusId] = useState<string | null>(null);

  useEffect(() => {
    void api<Analytics.AnalyticsComune[]>('/api/analytics/comuni')
      .then(setComuni)
      .catch(() => undefined);
  }, []);

  const load = useCallback(async () => {
    if (comuneId === null) {
      setAccounts(null);
      return;
    }
    try {
      setAccounts(await api<ChannelAccount[]>('/api/channel-accounts', { query: { comuneId } }));
      setLoadError(null);
    } catch (err) {
      setLoadError((err as Error).message);
    }
  }, [comuneId]);
  useEffect(() => {
    setAccounts(null);
    void load();
  }, [load]);

  // Focus moves where the person's attention goes (the form, the saved account, back to a button).
  useEffect(() => {
    if (!focusId) return;
    const el = document.getElementById(focusId);
    if (el) {
      el.focus();
      setFocusId(null);
    }
  });

  const comune = comuni.find((c) => c.id === comuneId);
  const saved = (account: ChannelAccount, created: boolean) => {
    setEditing(null);
    setNotice({ text: created ? T.created : T.saved, vars: { label: account.label }, extra: connectionNotice(account) });
    setFocusId(`account-${account.id}-title`);
    void load();
  };
  const toggle = async (a: ChannelAccount) => {
    try {
      const r = await api<ChannelAccount>(`/api/channel-accounts/${a.id}`, { method: 'PATCH', body: { enabled: !a.enabled } });
      setNotice({ text: r.enabled ? T.nowEnabled : T.nowDisabled, vars: { label: r.label }, extra: connectionNotice(r) });
      await load();
    } catch (err) {
      setNotice({ text: T.notSaved, vars: { error: (err as Error).message } });
    }
  };

  return (
    <div className="page channels-page">
      <h1>{t(T.title)}</h1>
      <p className="muted">{t(T.intro)}</p>
      {isAdmin && (
        <div className="field inline channels-comune">
          <label htmlFor="channels-comune">{t(T.comune)}</label>
          <select
            id="channels-comune"
            value={comuneId ?? ''}
            onChange={(e) => {
              setEditing(null);
              setNotice(null);
              setComuneId(e.target.value ? Number(e.target.value) : null);
            }}
          >
            <option value="">{t(T.chooseComune)}</option>
            {comuni.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {comune && (
        <p className="contact-link">
          {t(T.contactPage)} ({t(T.contactPageHint)}):{' '}
          <a href={`/contatti/${comune.slug}`} target="_blank" rel="noopener" data-testid="contact-page">
            {`${location.origin}/contatti/${comune.slug}`}
            <span className="visually-hidden"> {t(T.newTab)}</span>
          </a>
        </p>
      )}
      <div role="status" aria-live="polite" className="channels-notice" data-testid="notice">
        {notice && (
          <p className={notice.extra && !notice.extra.ok ? 'banner banner-warn' : 'banner banner-ok'}>
            {t(notice.text, notice.vars)}
            {notice.extra && <> {t(notice.extra.ok ? T.connectionOk : T.connectionKo, { detail: t(notice.extra.text) })}</>}
          </p>
        )}
      </div>

      {comuneId === null ? (
        <p>{t(T.pickFirst)}</p>
      ) : (
        <>
          {editing ? (
            <AccountForm
              key={editing.account?.id ?? 'new'}
              account={editing.account}
              comuneId={isAdmin ? comuneId : undefined}
              onSaved={saved}
              onCancel={() => {
                setFocusId(editing.returnFocus);
                setEditing(null);
              }}
            />
          ) : (
            <button
              type="button"
              id="account-new"
              className="btn btn-primary"
              onClick={() => {
                setNotice(null);
                setEditing({ account: null, returnFocus: 'account-new' });
              }}
            >
              {t(T.add)}
            </button>
          )}
          <section aria-labelledby="accounts-title" className="accounts">
            <h2 id="accounts-title">
              {t(T.accounts)}
              {comune ? ` – ${comune.name}` : ''}
            </h2>
            {loadError && (
              <p className="error" role="alert">
                {t(T.loadFailed, { error: loadError })}
              </p>
            )}
            {!accounts ? (
              !loadError && <p>{t(T.loading)}</p>
            ) : accounts.length === 0 ? (
              <p className="muted">{t(T.none)}</p>
            ) : (
              <ul className="plain account-list">
                {accounts.map((a) => (
                  <li key={a.id}>
                    <AccountCard
                      account={a}
                      onEdit={() => {
                        setNotice(null);
                        setEditing({ account: a, returnFocus: `account-${a.id}-edit` });
                      }}
                      onToggle={() => void toggle(a)}
                      onCopied={() => setNotice({ text: T.copied })}
                    />
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </div>
  );
}

function connectionNotice(a: ChannelAccount): { text: Text; ok: boolean } | undefined {
  return a.connection ? { text: connectionText(a.connection.detail), ok: a.connection.ok } : undefined;
}

const shortLabel = (label: string) => label.replace(/\s*\((facoltativ|optional)[^)]*\)/i, '');

function AccountCard({
  account: a,
  onEdit,
  onToggle,
  onCopied,
}: {
  account: ChannelAccount;
  onEdit: () => void;
  onToggle: () => void;
  onCopied: () => void;
}) {
  const { t, lang } = useI18n();
  const [pairing, setPairing] = useState(false);
  const def = channelDef(a.channel);
  const titleId = `account-${a.id}-title`;
  const settings = (def?.fields ?? []).filter((f) => !f.key.startsWith('secrets.') && (!f.section || a.config[f.section] !== undefined));
  const shown = (v: unknown): string => (typeof v === 'boolean' ? t(v ? T.yes : T.no) : Array.isArray(v) ? v.join(', ') : String(v));
  const secretState = (name: string) => t(a.secretsSet.includes(name) ? T.isSet : T.notSet);

  return (
    <article
      className={`account-card${a.enabled ? '' : ' account-off'}`}
      aria-labelledby={titleId}
      data-account-id={a.id}
      data-channel={a.channel}
    >
      <div className="account-head">
        <h3 id={titleId} tabIndex={-1}>
          {a.label}
        </h3>
        <span className="badge badge-channel">{t(channelName(a.channel, a.config))}</span>
        <span className={`badge ${a.enabled ? 'badge-on' : 'badge-off'}`} data-testid="enabled">
          <span className="visually-hidden">{t(T.state)}: </span>
          {t(a.enabled ? T.enabled : T.disabled)}
        </span>
      </div>
      <div className="account-body">
        <div>
          <h4>{t(T.settings)}</h4>
          <dl className="account-dl">
            {settings.map((f) => {
              const v = settingOf(a.config, f.key);
              if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return null;
              return (
                <div key={f.key}>
                  <dt>{shortLabel(f.label[lang])}</dt>
                  <dd data-setting={f.key}>{shown(v)}</dd>
                </div>
              );
            })}
          </dl>
        </div>
        <div>
          <h4>{t(T.credentials)}</h4>
          {def && def.secrets.length === 0 ? (
            <p className="small">{t(T.noCredentials)}</p>
          ) : (
            <dl className="account-dl">
              {(def?.secrets ?? a.secretsSet.map((name) => ({ name, label: { it: name, en: name } }))).map((s) => (
                <div key={s.name}>
                  <dt>{t(s.label)}</dt>
                  <dd data-secret={s.name} className={a.secretsSet.includes(s.name) ? 'secret-set' : 'secret-unset'}>
                    {secretState(s.name)}
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      </div>
      <Setup account={a} onCopied={onCopied} secretState={secretState} />
      <div className="row wrap account-actions">
        <button type="button" id={`account-${a.id}-edit`} className="btn btn-small" onClick={onEdit}>
          {t(T.edit)}
          <span className="visually-hidden"> {a.label}</span>
        </button>
        <button type="button" className="btn btn-small" onClick={onToggle}>
          {t(a.enabled ? T.disable : T.enable)}
          <span className="visually-hidden"> {a.label}</span>
        </button>
        {a.channel === 'whatsapp-web' && (
          <button
            type="button"
            id={`account-${a.id}-pairing-toggle`}
            className="btn btn-small"
            aria-expanded={pairing}
            aria-controls={`account-${a.id}-pairing`}
            onClick={() => setPairing(!pairing)}
          >
            {t(T.pairingOpen)}
            <span className="visually-hidden"> {a.label}</span>
          </button>
        )}
      </div>
      {pairing && (
        <PairingPanel
          account={a}
          onClose={() => {
            setPairing(false);
            document.getElementById(`account-${a.id}-pairing-toggle`)?.focus();
          }}
        />
      )}
    </article>
  );
}

/** What the comune's IT office sets at the provider so the messages reach this account. */
function Setup({
  account: a,
  onCopied,
  secretState,
}: {
  account: ChannelAccount;
  onCopied: () => void;
  secretState: (name: string) => string;
}) {
  const { t } = useI18n();
  const copy = (text: string) => {
    void navigator.clipboard
      ?.writeText(text)
      .then(onCopied)
      .catch(() => undefined);
  };
  const url = a.webhookUrl && (
    <span className="webhook">
      <code data-testid="webhook-url">{a.webhookUrl}</code>
      {typeof navigator.clipboard !== 'undefined' && (
        <button type="button" className="btn btn-small btn-ghost" onClick={() => copy(a.webhookUrl!)}>
          {t(T.copy)}
          <span className="visually-hidden">
            {' '}
            {t(SETUP.webhookUrl)} {a.label}
          </span>
        </button>
      )}
    </span>
  );
  let body: ReactNode = null;
  if (a.channel === 'whatsapp') {
    body = (
      <>
        <p>{t(SETUP.metaIntro)}</p>
        <dl className="account-dl">
          <div>
            <dt>{t(SETUP.callbackUrl)}</dt>
            <dd>{url}</dd>
          </div>
          <div>
            <dt>{t(SETUP.verifyToken)}</dt>
            <dd>{t(SETUP.verifyTokenIs, { state: secretState('verifyToken') })}</dd>
          </div>
          <div>
            <dt>{t(SETUP.subscribe)}</dt>
            <dd>
              <code>messages</code>
            </dd>
          </div>
        </dl>
        <p className="small">{t(SETUP.signature)}</p>
      </>
    );
  } else if (a.channel === 'telegram') {
    const bot = typeof a.config.botUsername === 'string' ? a.config.botUsername : null;
    body = (
      <>
        <p>{t(SETUP.telegramIntro)}</p>
        <dl className="account-dl">
          <div>
            <dt>{t(SETUP.webhookUrl)}</dt>
            <dd>{url}</dd>
          </div>
          {bot && (
            <div>
              <dt>{t(SETUP.botLink)}</dt>
              <dd>
                <a href={`https://t.me/${bot}`}>t.me/{bot}</a>
              </dd>
            </div>
          )}
        </dl>
      </>
    );
  } else if (a.channel === 'whatsapp-web') {
    body = <p>{t(SETUP.waWeb)}</p>;
  } else if (a.channel === 'email') {
    const imap = a.config.imap as { host?: string } | undefined;
    body = (
      <ul>
        <li>{t(SETUP.emailForward, { address: String(a.config.address ?? '') })}</li>
        <li>{imap?.host ? t(SETUP.emailImap, { host: imap.host }) : t(SETUP.emailNoImap)}</li>
      </ul>
    );
  }
  if (!body) return null;
  return (
    <div className="account-setup">
      <h4>{t(T.providerSetup)}</h4>
      {body}
    </div>
  );
}
