import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import type { PortalCategory, PublicReport } from '@server/portal/reports/reports.api';
import { useComune } from '../comune';
import { translate, useLang, useT, type Key } from '../i18n';
import { Crumbs } from '../pages/Crumbs';
import { formatDate, StateBadge } from '../pages/MyCases';
import { NotFound } from '../pages/NotFound';
import { useTitle } from '../pages/title';
import { filterQuery, PERIODS, publicApi, STATE_PARAMS, STATE_STYLE, type Filters, type Period, type StateParam } from './publicApi';

// Leaflet is its own chunk, downloaded when the map is shown: the list needs none of it.
const ReportsMap = lazy(() => import('./ReportsMap'));

type View = 'map' | 'list';

/**
 * «Segnalazioni nel comune di …»: the reports anyone may see (no personal data), on a map and in a
 * list with the same filters (category, state, period) — the list is the map's accessible form.
 * The filters and the view live in the address (shareable, back button).
 */
export default function PublicMapPage() {
  const { slug = '' } = useParams();
  const t = useT();
  const lang = useLang();
  const comune = useComune(slug);
  const [params, setParams] = useSearchParams();
  const view: View = params.get('vista') === 'elenco' ? 'list' : 'map';
  const filters: Filters = {
    category: params.get('categoria') ?? '',
    state: (params.get('stato') ?? '') in STATE_PARAMS ? (params.get('stato') as StateParam) : '',
    period: PERIODS.includes(params.get('periodo') as Period) ? (params.get('periodo') as Period) : '',
  };
  const qs = filterQuery(filters);
  /** What an answer was for: the comune and the filters (a newer answer replaces an older one). */
  const key = `${slug}?${qs}`;
  const [categories, setCategories] = useState<PortalCategory[]>([]);
  const labels = useMemo(() => new Map(categories.map((c) => [c.code, c.label[lang]])), [categories, lang]);
  const label = useCallback(
    (code: string | null) => (code ? (labels.get(code) ?? code) : translate(lang, 'pmap.noCategory')),
    [labels, lang],
  );
  const name = comune.value?.name ?? '';
  useTitle(name ? t('pmap.title', { name }) : t('pmap.short'));

  const set = (k: string, v: string) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (v) n.set(k, v);
        else n.delete(k);
        return n;
      },
      { replace: true },
    );

  useEffect(() => {
    let live = true;
    publicApi.categories(slug).then(
      (c) => live && setCategories(c.reportCategories),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [slug]);

  // The list: the first page for the filters, «Mostra altre» appends the next.
  const [list, setList] = useState<{ key: string; qs: string; reports: PublicReport[]; page: number; hasMore: boolean } | null>(null);
  const [listFailed, setListFailed] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const firstNew = useRef<number | null>(null);
  const listEl = useRef<HTMLUListElement>(null);
  // Only while the list is shown (the map view reads its own answer).
  useEffect(() => {
    if (view !== 'list' || list?.key === key) return;
    let live = true;
    setListFailed(false);
    publicApi.list(slug, qs, 1).then(
      (r) => live && setList({ key, qs, reports: r.reports, page: 1, hasMore: r.hasMore }),
      () => live && setListFailed(true),
    );
    return () => {
      live = false;
    };
  }, [slug, qs, view]);
  const more = () => {
    if (!list) return;
    setLoadingMore(true);
    publicApi.list(slug, list.qs, list.page + 1).then(
      (r) => {
        firstNew.current = list.reports.length;
        setList({ ...list, reports: [...list.reports, ...r.reports], page: list.page + 1, hasMore: r.hasMore });
        setLoadingMore(false);
      },
      () => {
        setLoadingMore(false);
        setListFailed(true);
      },
    );
  };
  // After «Mostra altre», the keyboard continues from the first report added.
  useEffect(() => {
    if (firstNew.current === null) return;
    listEl.current?.querySelectorAll<HTMLElement>('[data-report-heading]')[firstNew.current]?.focus();
    firstNew.current = null;
  }, [list]);

  // The map: every report of the filters (up to the API's limit), only while the map is shown.
  const [mapData, setMapData] = useState<{ key: string; reports: PublicReport[]; truncated: boolean } | null>(null);
  const [mapFailed, setMapFailed] = useState(false);
  useEffect(() => {
    if (view !== 'map' || mapData?.key === key) return;
    let live = true;
    setMapFailed(false);
    publicApi.map(slug, qs).then(
      (r) => live && setMapData({ key, reports: r.reports, truncated: r.truncated }),
      () => live && setMapFailed(true),
    );
    return () => {
      live = false;
    };
  }, [slug, qs, view]);

  if (comune.error === 'not-found') return <NotFound />;
  const currentList = list?.key === key ? list : null;
  const currentMap = mapData?.key === key ? mapData : null;

  return (
    <div className="container my-4">
      <Crumbs items={[{ label: name, to: `/${slug}` }, { label: t('pmap.short') }]} />
      <h1>{t('pmap.title', { name })}</h1>
      <p className="lead">{t('pmap.lead')}</p>

      <form className="row g-3 align-items-end mt-3 mb-3" aria-label={t('pmap.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="col-12 col-md-4">
          <div className="select-wrapper">
            <label htmlFor="pmap-category">{t('pmap.category')}</label>
            <select id="pmap-category" value={filters.category} onChange={(e) => set('categoria', e.target.value)}>
              <option value="">{t('pmap.allCategories')}</option>
              {categories.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.label[lang]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="col-12 col-sm-6 col-md-4">
          <div className="select-wrapper">
            <label htmlFor="pmap-state">{t('pmap.state')}</label>
            <select id="pmap-state" value={filters.state} onChange={(e) => set('stato', e.target.value)}>
              <option value="">{t('pmap.allStates')}</option>
              {(Object.keys(STATE_PARAMS) as StateParam[]).map((s) => (
                <option key={s} value={s}>
                  {t(`pmap.state.${s}` as Key)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="col-12 col-sm-6 col-md-4">
          <div className="select-wrapper">
            <label htmlFor="pmap-period">{t('pmap.period')}</label>
            <select id="pmap-period" value={filters.period} onChange={(e) => set('periodo', e.target.value)}>
              <option value="">{t('pmap.anyTime')}</option>
              {PERIODS.map((p) => (
                <option key={p} value={p}>
                  {t(`pmap.period.${p}` as Key)}
                </option>
              ))}
            </select>
          </div>
        </div>
      </form>

      <div className="d-flex flex-wrap align-items-center justify-content-between gap-2 mb-3">
        <div className="btn-group pmap-toggle" role="group" aria-label={t('pmap.view')}>
          <button
            type="button"
            className={`btn ${view === 'list' ? 'btn-primary' : 'btn-outline-primary'}`}
            aria-pressed={view === 'list'}
            onClick={() => set('vista', 'elenco')}
          >
            {t('pmap.list')}
          </button>
          <button
            type="button"
            className={`btn ${view === 'map' ? 'btn-primary' : 'btn-outline-primary'}`}
            aria-pressed={view === 'map'}
            onClick={() => set('vista', '')}
          >
            {t('pmap.map')}
          </button>
        </div>
        <p className="mb-0 fw-semibold" role="status" aria-live="polite" data-testid="pmap-count">
          {view === 'map'
            ? currentMap && t(currentMap.truncated ? 'pmap.countMapTruncated' : 'pmap.countMap', { n: currentMap.reports.length })
            : currentList && t(currentList.hasMore ? 'pmap.countListMore' : 'pmap.countList', { n: currentList.reports.length })}
        </p>
      </div>

      {view === 'list' ? (
        <section aria-labelledby="pmap-list-title">
          <h2 id="pmap-list-title" className="visually-hidden">
            {t('pmap.list')}
          </h2>
          {listFailed && (
            <div className="alert alert-danger" role="alert">
              {t('app.loadError')}
            </div>
          )}
          {!currentList && !listFailed && <p aria-busy="true">{t('app.loading')}</p>}
          {currentList && currentList.reports.length === 0 && <p>{t('pmap.none')}</p>}
          {currentList && currentList.reports.length > 0 && (
            <ul className="list-unstyled pmap-list" ref={listEl} data-testid="pmap-list">
              {currentList.reports.map((r) => (
                <li key={r.reference} className="pmap-item" data-reference={r.reference}>
                  <div className="pmap-item-text">
                    <h3 className="h5 mb-1" tabIndex={-1} data-report-heading>
                      {label(r.category)}
                    </h3>
                    <StateBadge state={r.state} />
                    <dl className="pmap-facts">
                      <dt>{t('pmap.place')}</dt>
                      <dd>{r.address ?? t('pmap.pinOnly')}</dd>
                      <dt>{t('pmap.opened')}</dt>
                      <dd>{formatDate(lang, r.createdAt)}</dd>
                      <dt>{t('pmap.updated')}</dt>
                      <dd>{formatDate(lang, r.resolvedAt ?? r.updatedAt)}</dd>
                      <dt>{t('pmap.reference')}</dt>
                      <dd className="font-monospace">{r.reference}</dd>
                    </dl>
                  </div>
                  {r.photos.length > 0 && (
                    <a href={r.photos[0].url} className="pmap-photo">
                      <img
                        src={r.photos[0].url}
                        alt={t('pmap.photoAlt', { category: label(r.category), place: r.address ?? name })}
                        width={112}
                        height={112}
                        loading="lazy"
                      />
                    </a>
                  )}
                </li>
              ))}
            </ul>
          )}
          {currentList?.hasMore && (
            <button type="button" className="btn btn-outline-primary" onClick={more} disabled={loadingMore}>
              {loadingMore ? t('app.loading') : t('pmap.more')}
            </button>
          )}
        </section>
      ) : (
        <section aria-labelledby="pmap-map-title">
          <h2 id="pmap-map-title" className="visually-hidden">
            {t('pmap.map')}
          </h2>
          <p className="small">{t('pmap.mapHint')}</p>
          {mapFailed && (
            <div className="alert alert-danger" role="alert">
              {t('app.loadError')}
            </div>
          )}
          <Suspense fallback={<div className="pmap-map" aria-busy="true" />}>
            <ReportsMap slug={slug} reports={currentMap?.reports ?? null} categoryLabel={label} />
          </Suspense>
          <ul className="list-inline pmap-legend mt-2" aria-label={t('pmap.legend')}>
            {(['received', 'in_progress', 'resolved'] as const).map((s) => (
              <li key={s} className="list-inline-item me-3">
                <span className={`pmap-marker pmap-${s}`} style={{ background: STATE_STYLE[s].color }} aria-hidden="true">
                  {STATE_STYLE[s].glyph}
                </span>{' '}
                {t(`mine.state.${s}` as Key)}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
