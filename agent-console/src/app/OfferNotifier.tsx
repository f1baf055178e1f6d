import { useEffect, useState } from 'react';
import { api, type Principal } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { navigate } from '../lib/router';
import { useLive, type LiveStore, type Offer } from '../lib/store';

/** A short two-tone chime made on the spot (no audio file to fetch). */
function chime(): void {
  try {
    const ctx = new AudioContext();
    [880, 660].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.12, ctx.currentTime + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.18 + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.18);
      osc.stop(ctx.currentTime + i * 0.18 + 0.17);
    });
    setTimeout(() => void ctx.close(), 600);
  } catch {
    /* no audio device: the visible notice is enough */
  }
}

/** New offers: a visible card with Accept, a chime, and a system notification when the operator allowed them. */
export function OfferNotifier({ store, me }: { store: LiveStore; me: Principal }) {
  const { t } = useI18n();
  const offers = useLive(store, (s) => s.offers);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    const onOffer = (e: Event) => {
      const offer = (e as CustomEvent<Offer>).detail;
      if (offer.ticket.offeredToId !== me.operatorId) return;
      chime();
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.visibilityState !== 'visible') {
        const n = new Notification(t('offer.title'), {
          body: t('offer.body', { reference: offer.ticket.reference, subject: offer.ticket.subject ?? '' }),
          tag: offer.ticket.id,
        });
        n.onclick = () => {
          window.focus();
          navigate(`inbox/offered/${offer.ticket.id}`);
        };
      }
    };
    window.addEventListener('sportello:offer', onOffer);
    return () => window.removeEventListener('sportello:offer', onOffer);
  }, [me.operatorId, t]);

  useEffect(() => {
    if (offers.length === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [offers.length]);

  const mine = offers.filter((o) => o.ticket.offeredToId === me.operatorId);
  return (
    <div className="offers" aria-live="assertive" aria-relevant="additions">
      {mine.map((o) => (
        <section key={o.ticket.id} className="offer-card" aria-label={t('offer.title')}>
          <h2>{t('offer.title')}</h2>
          <p>
            <strong>{o.ticket.reference}</strong> — {o.ticket.subject ?? t(`channel.${o.ticket.channel}` as never)}
          </p>
          <p className="muted">{t('offer.expires', { seconds: Math.max(0, Math.round((Date.parse(o.expiresAt) - now) / 1000)) })}</p>
          <div className="row">
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                void api(`/api/tickets/${o.ticket.id}/accept`, { method: 'POST' })
                  .then(() => {
                    store.dismissOffer(o.ticket.id);
                    navigate(`inbox/mine/${o.ticket.id}`);
                  })
                  .catch(() => store.dismissOffer(o.ticket.id));
              }}
            >
              {t('actions.accept')}
            </button>
            <button type="button" className="btn" onClick={() => navigate(`inbox/offered/${o.ticket.id}`)}>
              {t('offer.open')}
            </button>
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => {
                void api(`/api/tickets/${o.ticket.id}/decline`, { method: 'POST' }).finally(() => store.dismissOffer(o.ticket.id));
              }}
            >
              {t('actions.decline')}
            </button>
          </div>
        </section>
      ))}
    </div>
  );
}
