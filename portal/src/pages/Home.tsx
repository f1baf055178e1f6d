import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Input } from 'design-react-kit';
import type { PortalComune } from '@server/portal/portal.api';
import { api } from '../api';
import { useT } from '../i18n';
import { Icon } from '../Icon';
import { useTitle } from './title';

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The Metropolitan City's home: the 41 comuni, searchable. */
export default function Home() {
  const t = useT();
  useTitle(t('app.metro'));
  const [comuni, setComuni] = useState<PortalComune[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [q, setQ] = useState('');
  useEffect(() => {
    api.comuni().then(setComuni, () => setFailed(true));
  }, []);
  const shown = useMemo(() => (comuni ?? []).filter((c) => fold(c.name).includes(fold(q.trim()))), [comuni, q]);

  return (
    <div className="container my-4">
      <h1 className="mb-3">{t('home.title')}</h1>
      <p className="lead mb-4">{t('home.lead')}</p>
      <section aria-labelledby="comuni-title">
        <h2 id="comuni-title" className="h3">
          {t('home.comuni')}
        </h2>
        <div className="row">
          <div className="col-md-8 col-lg-6 mt-4">
            <Input
              type="search"
              id="comuni-search"
              label={t('home.search')}
              value={q}
              onChange={(e) => setQ(e.target.value)}
              autoComplete="off"
            />
          </div>
        </div>
        {failed && <div className="alert alert-danger">{t('app.loadError')}</div>}
        {!comuni && !failed && <p>{t('app.loading')}</p>}
        {comuni && (
          <>
            <p className="visually-hidden" role="status" aria-live="polite">
              {t('home.count', { n: shown.length })}
            </p>
            {shown.length === 0 ? (
              <p>{t('home.none')}</p>
            ) : (
              <ul className="portal-comuni list-unstyled row" data-testid="comuni">
                {shown.map((c) => (
                  <li key={c.id} className="col-12 col-sm-6 col-lg-4 mb-2">
                    <Link className="portal-comune-link" to={`/${c.slug}`}>
                      <Icon name="it-pa" size="sm" className="icon-primary me-2" />
                      <span>{c.name}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>
    </div>
  );
}
