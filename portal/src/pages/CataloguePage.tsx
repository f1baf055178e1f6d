import { useEffect, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { Input } from 'design-react-kit';
import type { CatalogueResponse, CatalogueService } from '@server/portal/portal.api';
import { api } from '../api';
import { useComune } from '../comune';
import { useLang, useT } from '../i18n';
import { Crumbs } from './Crumbs';
import { ServiceCard } from './ServiceCard';
import { NotFound } from './NotFound';
import { useTitle } from './title';

/** The catalogue of a comune ("BariUnica"): search, filter by area, sort by name or area. */
export default function CataloguePage() {
  const { slug = '' } = useParams();
  const t = useT();
  const lang = useLang();
  const comune = useComune(slug);
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const area = params.get('area') ?? '';
  const sort = params.get('sort') === 'area' ? 'area' : 'name';
  const [query, setQuery] = useState(q);
  const [catalogue, setCatalogue] = useState<CatalogueResponse | null>(null);
  const [failed, setFailed] = useState(false);
  useTitle(comune.value ? t('catalogue.title', { name: comune.value.name }) : t('catalogue.short'));

  const update = (k: string, v: string) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (v) n.set(k, v);
        else n.delete(k);
        return n;
      },
      { replace: true },
    );

  // Typing searches after a short pause; the address keeps the search (shareable, back button).
  useEffect(() => {
    const h = setTimeout(() => {
      if (query !== q) update('q', query);
    }, 250);
    return () => clearTimeout(h);
  }, [query]);

  useEffect(() => {
    let live = true;
    api.services(slug, { q, area, sort, lang }).then(
      (c) => {
        if (!live) return;
        setCatalogue(c);
        setFailed(false);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [slug, q, area, sort, lang]);

  if (comune.error === 'not-found') return <NotFound />;
  const name = comune.value?.name ?? '';
  return (
    <div className="container my-4">
      <Crumbs items={[{ label: name, to: `/${slug}` }, { label: t('catalogue.short') }]} />
      <h1>{t('catalogue.title', { name })}</h1>
      <p className="lead">{t('catalogue.lead')}</p>
      <form className="row g-3 align-items-end mt-4 mb-3" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="col-12 col-lg-6">
          <Input
            type="search"
            id="catalogue-search"
            label={t('catalogue.search')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            autoComplete="off"
          />
        </div>
        <div className="col-12 col-sm-6 col-lg-3">
          <div className="select-wrapper">
            <label htmlFor="catalogue-area">{t('catalogue.area')}</label>
            <select id="catalogue-area" value={area} onChange={(e) => update('area', e.target.value)}>
              <option value="">{t('catalogue.allAreas')}</option>
              {catalogue?.areas.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="col-12 col-sm-6 col-lg-3">
          <div className="select-wrapper">
            <label htmlFor="catalogue-sort">{t('catalogue.sort')}</label>
            <select id="catalogue-sort" value={sort} onChange={(e) => update('sort', e.target.value === 'name' ? '' : e.target.value)}>
              <option value="name">{t('catalogue.sort.name')}</option>
              <option value="area">{t('catalogue.sort.area')}</option>
            </select>
          </div>
        </div>
      </form>
      {failed && <div className="alert alert-danger">{t('app.loadError')}</div>}
      {catalogue && (
        <>
          <p role="status" aria-live="polite" className="fw-semibold" data-testid="catalogue-count">
            {t('catalogue.count', { n: catalogue.services.length })}
          </p>
          {catalogue.services.length === 0 ? (
            <p>{t('catalogue.none')}</p>
          ) : (
            <div data-testid="catalogue">
              {groups(catalogue, sort).map((g) => (
                <section key={g.id} aria-labelledby={`area-${g.id}`}>
                  <h2 id={`area-${g.id}`} className={sort === 'area' ? 'h4 mt-4' : 'visually-hidden'}>
                    {g.label ?? t('catalogue.list')}
                  </h2>
                  <div className="row">
                    {g.services.map((s) => (
                      <div key={s.id} className="col-12 col-md-6 col-lg-4">
                        <ServiceCard s={s} />
                      </div>
                    ))}
                  </div>
                </section>
              ))}
            </div>
          )}
        </>
      )}
      {!catalogue && !failed && <p>{t('app.loading')}</p>}
    </div>
  );
}

/** Sorted by area, one section per thematic area (in the API's order); by name, one list. */
function groups(c: CatalogueResponse, sort: 'name' | 'area'): Array<{ id: string; label: string | null; services: CatalogueService[] }> {
  if (sort !== 'area') return [{ id: 'all', label: null, services: c.services }];
  // One group per area even while the list on screen is still the one sorted by name (unique keys).
  const out = new Map<string, { id: string; label: string | null; services: CatalogueService[] }>();
  for (const s of c.services) {
    const g = out.get(s.area.id);
    if (g) g.services.push(s);
    else out.set(s.area.id, { id: s.area.id, label: s.area.label, services: [s] });
  }
  return [...out.values()];
}
