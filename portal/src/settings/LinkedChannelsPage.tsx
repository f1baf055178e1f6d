import type { LinkChannel, LinkCode, LinkDestination, LinkedChannel } from '@server/portal/settings/settings.api';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { api, HttpError } from '../api';
import { useLang, useT, type Key } from '../i18n';
import { formatDate } from '../pages/MyCases';
import { PersonalArea } from './PersonalArea';

const CHANNELS: LinkChannel[] = ['whatsapp', 'telegram', 'email'];
const POLL_MS = 3000;

export const channelName = (t: ReturnType<typeof useT>, channel: string) =>
  (['whatsapp', 'whatsapp-web', 'telegram', 'email', 'portal'] as const).includes(channel as 'email')
    ? t(`channels.name.${channel === 'whatsapp-web' ? 'whatsapp' : channel}` as Key)
    : channel;

/** Where the citizen sends «COLLEGA <code>»: the chat or mail opened with the text filled in, when the channel allows it. */
function openUrl(d: LinkDestination, code: string): string {
  const text = `COLLEGA ${code}`;
  if (d.channel === 'whatsapp') return `${d.url}?text=${encodeURIComponent(text)}`;
  if (d.channel === 'email') return `${d.url}?subject=${encodeURIComponent(text)}&body=${encodeURIComponent(text)}`;
  return d.url;
}

/** «Canali collegati»: the linked WhatsApp numbers, Telegram chats and e-mail addresses; link one by code; unlink. */
export default function LinkedChannelsPage() {
  const t = useT();
  return (
    <PersonalArea title={t('channels.title')} path="/area-personale/canali">
      {() => <LinkedChannels />}
    </PersonalArea>
  );
}

function LinkedChannels() {
  const t = useT();
  const lang = useLang();
  const [links, setLinks] = useState<LinkedChannel[] | null>(null);
  const [destinations, setDestinations] = useState<LinkDestination[]>([]);
  const [failed, setFailed] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);

  const load = useCallback(async () => {
    const list = await api.links();
    setLinks(list);
    return list;
  }, []);

  useEffect(() => {
    load().catch(() => setFailed(true));
    api.linkDestinations().then(
      (r) => setDestinations(r.destinations),
      () => setDestinations([]),
    );
  }, [load]);

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const unlink = async (l: LinkedChannel) => {
    setBusy(true);
    try {
      await api.unlink(l.id);
      setConfirming(null);
      setStatus(t('channels.unlinked', { channel: channelName(t, l.channel), address: l.display }));
      await load();
    } catch {
      setStatus(t('channels.unlinkError'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <p className="lead">{t('channels.lead')}</p>
      <div role="status" className="mb-3">
        {status && <div className="alert alert-success">{status}</div>}
      </div>
      <section aria-labelledby="linked-title" className="mb-5">
        <h2 id="linked-title">{t('channels.linked')}</h2>
        {failed ? (
          <div className="alert alert-danger" role="alert">
            {t('app.loadError')}
          </div>
        ) : links === null ? (
          <p aria-busy="true">{t('app.loading')}</p>
        ) : links.length === 0 ? (
          <div className="callout note">
            <p className="mb-0">{t('channels.none')}</p>
          </div>
        ) : (
          <ul className="list-unstyled">
            {links.map((l) => (
              <li key={l.id} className="card card-bg mb-3">
                <div className="card-body">
                  <p className="h5 card-title mb-1">{channelName(t, l.channel)}</p>
                  <p className="mb-1 font-monospace">{l.display}</p>
                  <p className="small mb-2">{t('channels.linkedOn', { date: formatDate(lang, l.linkedAt) })}</p>
                  {confirming === l.id ? (
                    <div className="alert alert-warning mb-0" role="group" aria-label={t('channels.confirmTitle')}>
                      <p>{t('channels.confirm', { channel: channelName(t, l.channel), address: l.display })}</p>
                      <button ref={confirmRef} type="button" className="btn btn-danger me-2" disabled={busy} onClick={() => void unlink(l)}>
                        {t('channels.confirmYes')}
                      </button>
                      <button type="button" className="btn btn-outline-secondary" onClick={() => setConfirming(null)}>
                        {t('channels.confirmNo')}
                      </button>
                    </div>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-outline-danger btn-sm"
                      aria-label={t('channels.unlinkLabel', { channel: channelName(t, l.channel), address: l.display })}
                      onClick={() => setConfirming(l.id)}
                    >
                      {t('channels.unlink')}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <LinkChannel
        destinations={destinations}
        known={links}
        refresh={load}
        onLinked={(l) => setStatus(t('channels.linkedNow', { channel: channelName(t, l.channel), address: l.display }))}
      />
    </>
  );
}

/** «Collega un canale»: choose the channel and the comune, get the code, send it; the page notices the link. */
function LinkChannel({
  destinations,
  known,
  refresh,
  onLinked,
}: {
  destinations: LinkDestination[];
  known: LinkedChannel[] | null;
  refresh: () => Promise<LinkedChannel[]>;
  onLinked: (l: LinkedChannel) => void;
}) {
  const t = useT();
  const id = useId();
  const [channel, setChannel] = useState<LinkChannel>('whatsapp');
  const options = destinations.filter((d) => d.channel === channel);
  const [destination, setDestination] = useState(0);
  const [code, setCode] = useState<{ code: LinkCode; to: LinkDestination | null; before: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => setDestination(0), [channel]);

  const check = useCallback(async () => {
    if (!code) return;
    const list = await refresh().catch(() => null);
    const added = list?.find((l) => !code.before.includes(l.id));
    if (added) {
      setCode(null);
      onLinked(added);
    } else if (new Date(code.code.expiresAt).getTime() < Date.now()) {
      setCode(null);
      setError(t('channels.expired'));
    }
  }, [code, refresh, onLinked, t]);

  // While a code waits to be sent, the page looks for the new link every few seconds.
  useEffect(() => {
    if (!code) return;
    const timer = setInterval(() => void check(), POLL_MS);
    return () => clearInterval(timer);
  }, [code, check]);

  useEffect(() => {
    if (code) codeRef.current?.focus();
  }, [code]);

  const ask = async () => {
    setBusy(true);
    setError(null);
    try {
      const c = await api.linkCode({ channel });
      setCode({ code: c, to: options[destination] ?? null, before: (known ?? []).map((l) => l.id) });
    } catch (e) {
      setError(e instanceof HttpError && e.status === 429 ? t('channels.tooMany') : t('channels.codeError'));
    } finally {
      setBusy(false);
    }
  };

  const time = (iso: string) => new Date(iso).toLocaleTimeString('it-IT', { hour: '2-digit', minute: '2-digit' });

  return (
    <section aria-labelledby="link-title" className="mb-5">
      <h2 id="link-title">{t('channels.link')}</h2>
      <p>{t('channels.linkIntro')}</p>
      {error && (
        <div className="alert alert-danger" role="alert">
          {error}
        </div>
      )}
      {code ? (
        <div className="card card-bg border border-primary">
          <div className="card-body">
            <h3 className="h4" tabIndex={-1} ref={codeRef}>
              {t('channels.codeTitle')}
            </h3>
            <p>
              {t('channels.send')} <strong className="font-monospace fs-4">COLLEGA {code.code.code}</strong>
            </p>
            {code.to ? (
              <p>
                {t(`channels.to.${code.to.channel}` as Key, { address: code.to.address, comune: code.to.comune.name })}{' '}
                <a href={openUrl(code.to, code.code.code)} target="_blank" rel="noreferrer">
                  {t(`channels.open.${code.to.channel}` as Key)} <span className="visually-hidden">{t('app.newTab')}</span>
                </a>
              </p>
            ) : (
              <p>{code.code.instructions}</p>
            )}
            <p className="small">{t('channels.expires', { time: time(code.code.expiresAt) })}</p>
            <p className="small" aria-live="polite">
              {t('channels.waiting')}
            </p>
            <button type="button" className="btn btn-primary me-2" onClick={() => void check()}>
              {t('channels.refresh')}
            </button>
            <button type="button" className="btn btn-outline-secondary" onClick={() => setCode(null)}>
              {t('channels.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void ask();
          }}
        >
          <fieldset className="mb-3">
            <legend className="h5">{t('channels.which')}</legend>
            {CHANNELS.map((c) => (
              <div className="form-check" key={c}>
                <input
                  className="form-check-input"
                  type="radio"
                  name={`${id}-channel`}
                  id={`${id}-${c}`}
                  value={c}
                  checked={channel === c}
                  onChange={() => setChannel(c)}
                />
                <label className="form-check-label" htmlFor={`${id}-${c}`}>
                  {channelName(t, c)}
                </label>
              </div>
            ))}
          </fieldset>
          {options.length > 1 && (
            <div className="select-wrapper mb-4">
              <label htmlFor={`${id}-comune`}>{t('channels.comune')}</label>
              <select id={`${id}-comune`} value={destination} onChange={(e) => setDestination(Number(e.target.value))}>
                {options.map((d, i) => (
                  <option key={`${d.comune.slug}-${d.address}`} value={i}>
                    {d.comune.name} — {d.address}
                  </option>
                ))}
              </select>
            </div>
          )}
          {options.length === 1 && (
            <p>{t(`channels.to.${channel}` as Key, { address: options[0].address, comune: options[0].comune.name })}</p>
          )}
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('channels.getCode')}
          </button>
        </form>
      )}
    </section>
  );
}
