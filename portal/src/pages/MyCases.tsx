import type { MyCase } from '@server/portal/mine/mine.api';
import type { PublicState } from '@server/portal/reports/reports.api';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import { useLang, useT, type Key, type Lang } from '../i18n';

const BADGE: Record<PublicState, string> = {
  received: 'bg-primary',
  in_progress: 'bg-warning text-dark',
  resolved: 'bg-success',
  closed: 'bg-secondary',
};

export function formatDate(lang: Lang, iso: string | null): string {
  return iso ? new Date(iso).toLocaleDateString(lang === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'medium' }) : '—';
}

export function StateBadge({ state }: { state: PublicState }) {
  const t = useT();
  return <span className={`badge ${BADGE[state]}`}>{t(`mine.state.${state}` as Key)}</span>;
}

export const typeLabel = (t: ReturnType<typeof useT>, type: string) =>
  type === 'report' || type === 'request' ? t(`mine.type.${type}`) : type;

/** "Le mie richieste" in the personal area: the citizen's cases in every comune, newest first. */
export function MyCases() {
  const t = useT();
  const lang = useLang();
  const [cases, setCases] = useState<MyCase[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    api.myCases().then(
      (r) => live && setCases(r.cases),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <section className="my-5" aria-labelledby="mine-title">
      <h2 id="mine-title">{t('mine.title')}</h2>
      <p>{t('mine.intro')}</p>
      {failed ? (
        <div className="alert alert-danger" role="alert">
          {t('mine.error')}
        </div>
      ) : cases === null ? (
        <p aria-busy="true">{t('app.loading')}</p>
      ) : cases.length === 0 ? (
        <div className="callout note">
          <p className="mb-0">{t('mine.empty')}</p>
        </div>
      ) : (
        <div className="table-responsive">
          <table className="table">
            <caption className="visually-hidden">{t('mine.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('mine.reference')}</th>
                <th scope="col">{t('mine.comune')}</th>
                <th scope="col">{t('mine.category')}</th>
                <th scope="col">{t('mine.state')}</th>
                <th scope="col">{t('mine.created')}</th>
                <th scope="col">{t('mine.expected')}</th>
                <th scope="col">{t('mine.lastMessage')}</th>
              </tr>
            </thead>
            <tbody>
              {cases.map((c) => (
                <tr key={c.reference}>
                  <th scope="row">
                    <Link
                      to={`/area-personale/richieste/${encodeURIComponent(c.reference)}`}
                      aria-label={t('mine.open', { reference: c.reference })}
                    >
                      <span className="font-monospace">{c.reference}</span>
                    </Link>
                  </th>
                  <td>{c.comune.name}</td>
                  <td>
                    {typeLabel(t, c.type)}
                    {c.category ? ` · ${c.category}` : ''}
                  </td>
                  <td>
                    <StateBadge state={c.state} />
                  </td>
                  <td>{formatDate(lang, c.createdAt)}</td>
                  <td>{c.resolvedAt ? `${t('mine.resolved')} ${formatDate(lang, c.resolvedAt)}` : formatDate(lang, c.expectedBy)}</td>
                  <td>{formatDate(lang, c.lastMessageAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
