import { useEffect, useRef, useState } from 'react';
import { api, type PairingView } from '../lib/api';
import { formatDateTime, useI18n } from '../lib/i18n';
import type { ChannelAccount } from './ChannelsPage';
import { PAIRING_STATES, T } from './texts';

/** How often the pairing state is asked for while the panel is open. */
export const PAIRING_POLL_MS = 2500;

/**
 * Pairing of a WhatsApp Web number: the session's state, polled while the panel is open (and only
 * then), and the QR code to scan while pairing is needed. State changes are announced.
 */
export function PairingPanel({ account, onClose }: { account: ChannelAccount; onClose: () => void }) {
  const { t, lang } = useI18n();
  const [pairing, setPairing] = useState<PairingView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const p = await api<PairingView>(`/api/channel-accounts/${account.id}/pairing`);
        if (!stopped) {
          setPairing(p);
          setError(null);
        }
      } catch (err) {
        if (!stopped) setError((err as Error).message);
      } finally {
        // The next request only after this one has answered: a slow server never piles them up.
        if (!stopped) timer = setTimeout(() => void poll(), PAIRING_POLL_MS);
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [account.id]);

  const id = `account-${account.id}-pairing`;
  const state = pairing?.state;
  const number = String(account.config.displayPhoneNumber ?? account.label);
  const showDetail = pairing?.detail && (state === 'auth_failure' || state === 'disconnected');
  return (
    <section id={id} className={`pairing pairing-${state ?? 'loading'}`} aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`} ref={headingRef} tabIndex={-1}>
        {t(T.pairingTitle)}
      </h4>
      <div role="status" aria-live="polite" aria-atomic="true">
        <p className="pairing-state" data-testid="pairing-state" data-state={state ?? ''}>
          {error ? t(T.pairingError, { error }) : state ? t(PAIRING_STATES[state] ?? { it: state, en: state }) : t(T.loading)}
        </p>
        {showDetail && <p className="small">{t(T.pairingDetail, { detail: pairing.detail! })}</p>}
      </div>
      {state === 'qr' && pairing?.qrImage && (
        <figure className="pairing-qr">
          <img src={pairing.qrImage} width={264} height={264} alt={t(T.pairingQrAlt, { number })} />
          <figcaption>{t(T.pairingInstruction)}</figcaption>
        </figure>
      )}
      {pairing?.updatedAt && Date.parse(pairing.updatedAt) > 0 && (
        <p className="small muted">{t(T.pairingUpdated, { time: formatDateTime(pairing.updatedAt, lang) })}</p>
      )}
      <button type="button" className="btn btn-small" onClick={onClose}>
        {t(T.pairingClose)}
      </button>
    </section>
  );
}
