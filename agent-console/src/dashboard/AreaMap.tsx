import L from 'leaflet';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, type Analytics, type ComuneBoundaries, type MapConfig } from '../lib/api';
import { useI18n, type Text } from '../lib/i18n';

/** Texts of the map of requests by area: Italian first. */
const T = {
  title: { it: 'Dove: richieste per zona', en: 'Where: requests by area' },
  csv: { it: 'Esporta CSV', en: 'Export CSV' },
  category: { it: 'Categoria', en: 'Category' },
  allCategories: { it: 'Tutte le categorie', en: 'All categories' },
  noCategory: { it: 'senza categoria', en: 'no category' },
  none: { it: 'Nessuna richiesta con una posizione nel periodo.', en: 'No request with a position in this period.' },
  mapLabel: { it: 'Mappa delle richieste per zona', en: 'Map of requests by area' },
  summary: {
    it: '{cells} di circa 1 km con {total} nel periodo. La zona con più richieste è {top} ({comune}) con {max}. Ogni cerchio è più grande e più scuro quante più sono le richieste; il dettaglio di ogni zona è nella tabella qui sotto.',
    en: '{cells} of about 1 km with {total} in the period. The busiest area is {top} ({comune}) with {max}. The more requests, the larger and darker the circle; every area is listed in the table below.',
  },
  toTable: { it: 'Vai alla tabella delle zone', en: 'Go to the table of areas' },
  legend: { it: 'Legenda: richieste per zona', en: 'Legend: requests per area' },
  requests: { it: '{n} richieste', en: '{n} requests' },
  request: { it: '1 richiesta', en: '1 request' },
  zones: { it: '{n} zone', en: '{n} areas' },
  zone1: { it: '1 zona', en: '1 area' },
  topCategories: { it: 'Categorie principali', en: 'Top categories' },
  noTiles: {
    it: 'Mappa senza sfondo: sono mostrati i confini dei comuni.',
    en: 'Map without background tiles: the comuni boundaries are shown.',
  },
  tableCaption: {
    it: 'Richieste per zona (celle di circa 1 km), dalla più numerosa',
    en: 'Requests by area (cells of about 1 km), busiest first',
  },
  zone: { it: 'Zona (lat, lon)', en: 'Area (lat, lng)' },
  comune: { it: 'Comune', en: 'Comune' },
  count: { it: 'Richieste', en: 'Requests' },
  categories: { it: 'Per categoria', en: 'By category' },
  showAll: { it: 'Mostra tutte le {n} zone', en: 'Show all {n} areas' },
  zoomIn: { it: 'Ingrandisci', en: 'Zoom in' },
  zoomOut: { it: 'Riduci', en: 'Zoom out' },
} satisfies Record<string, Text>;

/** A cell of the map report: reports of one category in one area. */
export type AreaRow = Analytics.MapCell;
interface Cell {
  key: string;
  comuneId: number;
  lat: number;
  lng: number;
  count: number;
  categories: Array<[string, number]>;
}

/** Sequential colours (light to dark), each with a darker outline so light ones still stand out. */
const COLOURS = ['#fed976', '#feb24c', '#fd8d3c', '#e31a1c', '#800026'];
const TABLE_LIMIT = 100;

let mapConfig: Promise<MapConfig> | null = null;
let boundaries: Promise<ComuneBoundaries> | null = null;

/** Up to five classes of counts from 1 to `max`, of equal width. */
export function countClasses(max: number): Array<{ from: number; to: number; colour: string }> {
  const n = Math.min(COLOURS.length, Math.max(1, max));
  const step = Math.ceil(max / n);
  const out: Array<{ from: number; to: number; colour: string }> = [];
  for (let from = 1; from <= max; from += step) {
    out.push({ from, to: Math.min(max, from + step - 1), colour: '' });
  }
  // Spread the colours over the classes there are, always ending on the darkest.
  return out.map((c, i) => ({
    ...c,
    colour: COLOURS[out.length === 1 ? COLOURS.length - 1 : Math.round((i * (COLOURS.length - 1)) / (out.length - 1))],
  }));
}

const radius = (count: number, max: number) => 6 + 14 * Math.sqrt(count / Math.max(1, max));

/**
 * The dashboard's map of requests by area: the comune's boundary (the 41 for the metropolitan
 * administrator), one circle per ~1 km cell sized and coloured by its count, a legend, a tooltip
 * with the count and the top categories; below it, the same figures as a table for keyboard and
 * screen-reader users (and a summary sentence as the map's text alternative).
 */
export default function AreaMap({
  rows,
  comuneId,
  comuni,
  onDownload,
}: {
  rows: AreaRow[];
  /** The comune chosen in the page's filters, if any. */
  comuneId: number | null;
  comuni: Array<{ id: number; name: string }>;
  onDownload: (extra: Record<string, string>) => void;
}) {
  const { t, lang } = useI18n();
  const [category, setCategory] = useState('');
  const [showAll, setShowAll] = useState(false);
  const [tiles, setTiles] = useState<boolean | null>(null);
  const [shapes, setShapes] = useState<ComuneBoundaries | null>(null);
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef<{ cells: L.LayerGroup; bounds: L.LayerGroup } | null>(null);

  const comuneName = useMemo(() => new Map(comuni.map((c) => [c.id, c.name])), [comuni]);
  const categories = useMemo(() => [...new Set(rows.map((r) => r.category))].sort(), [rows]);
  const catLabel = (c: string) => (c === '-' ? t(T.noCategory) : c);
  const fmt = (n: number) => n.toLocaleString(lang === 'it' ? 'it-IT' : 'en-GB');
  const requests = (n: number) => (n === 1 ? t(T.request) : t(T.requests, { n: fmt(n) }));

  // One cell per position, its categories counted and ordered.
  const cells: Cell[] = useMemo(() => {
    const byPos = new Map<string, Cell>();
    for (const r of rows) {
      if (category && r.category !== category) continue;
      const key = `${r.lat.toFixed(3)},${r.lng.toFixed(3)}`;
      const c = byPos.get(key) ?? { key, comuneId: r.comuneId, lat: r.lat, lng: r.lng, count: 0, categories: [] };
      c.count += r.count;
      c.categories.push([r.category, r.count]);
      byPos.set(key, c);
    }
    const out = [...byPos.values()];
    for (const c of out) c.categories.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return out.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  }, [rows, category]);
  const max = cells[0]?.count ?? 0;
  const total = cells.reduce((s, c) => s + c.count, 0);
  const classes = useMemo(() => countClasses(max), [max]);
  const colourOf = (n: number) => (classes.find((k) => n >= k.from && n <= k.to) ?? classes[classes.length - 1])?.colour ?? COLOURS[0];

  // The map itself, once; tiles when the installation has a tile server, the boundaries always.
  useEffect(() => {
    if (!el.current) return;
    const m = L.map(el.current, { zoomControl: false, attributionControl: true, scrollWheelZoom: false }).setView([41.0, 16.75], 9);
    L.control.zoom({ zoomInTitle: t(T.zoomIn), zoomOutTitle: t(T.zoomOut) }).addTo(m);
    layers.current = { bounds: L.layerGroup().addTo(m), cells: L.layerGroup().addTo(m) };
    map.current = m;
    let cancelled = false;
    mapConfig ??= api<MapConfig>('/api/console/map');
    void mapConfig
      .then((cfg) => {
        if (cancelled) return;
        setTiles(Boolean(cfg.tileUrl));
        if (cfg.tileUrl) L.tileLayer(cfg.tileUrl, { attribution: cfg.attribution, maxZoom: 18 }).addTo(m);
      })
      .catch(() => setTiles(false));
    boundaries ??= api<ComuneBoundaries>('/api/console/comuni/boundaries');
    void boundaries
      .then((b) => {
        if (cancelled) return;
        m.attributionControl.addAttribution(`Confini ${b.attribution}`);
        setShapes(b);
      })
      .catch(() => {
        boundaries = null;
      });
    return () => {
      cancelled = true;
      map.current = null;
      layers.current = null;
      m.remove();
    };
  }, []);

  // The boundaries of the comuni in view, and the view fitted to them (or to the cells).
  useEffect(() => {
    const m = map.current,
      l = layers.current;
    if (!m || !l) return;
    l.bounds.clearLayers();
    const shown = shapes?.features.filter((f) => comuneId === null || f.id === comuneId) ?? [];
    const drawn = shown.length
      ? L.geoJSON({ type: 'FeatureCollection', features: shown } as GeoJSON.FeatureCollection, {
          style: { color: '#0066cc', weight: 1.5, fillColor: '#0066cc', fillOpacity: tiles ? 0.02 : 0.06, className: 'dash-map-boundary' },
          interactive: false,
        }).addTo(l.bounds)
      : null;
    const area = drawn?.getBounds();
    if (area?.isValid()) m.fitBounds(area, { padding: [12, 12] });
    else if (cells.length) m.fitBounds(L.latLngBounds(cells.map((c) => [c.lat, c.lng] as [number, number])).pad(0.2), { maxZoom: 14 });
  }, [shapes, comuneId, tiles, cells.length === 0]);

  // The cells: the largest drawn first, so a small one next to it stays reachable by the pointer.
  useEffect(() => {
    const l = layers.current;
    if (!l) return;
    l.cells.clearLayers();
    for (const c of cells) {
      const top = c.categories
        .slice(0, 3)
        .map(([k, n]) => `${escapeHtml(catLabel(k))} (${fmt(n)})`)
        .join(', ');
      L.circleMarker([c.lat, c.lng], {
        radius: radius(c.count, max),
        color: '#3d1a00',
        weight: 1,
        fillColor: colourOf(c.count),
        fillOpacity: 0.85,
        className: 'dash-map-cell',
      })
        .bindTooltip(
          `<strong>${escapeHtml(requests(c.count))}</strong><br>${escapeHtml(comuneName.get(c.comuneId) ?? '')} · ${c.lat.toFixed(3)}, ${c.lng.toFixed(3)}` +
            `<br>${escapeHtml(t(T.topCategories))}: ${top}`,
          { sticky: true, direction: 'top', className: 'dash-map-tooltip' },
        )
        .addTo(l.cells);
    }
  }, [cells, max, lang, comuneName]);

  const busiest = cells[0];
  const listed = showAll ? cells : cells.slice(0, TABLE_LIMIT);

  return (
    <section aria-labelledby="dash-map" data-testid="area-map-section">
      <div className="row">
        <h2 id="dash-map">{t(T.title)}</h2>
        <button type="button" className="btn btn-small" onClick={() => onDownload(category ? { category } : {})}>
          {t(T.csv)}
        </button>
      </div>
      <div className="row wrap">
        <div className="field">
          <label htmlFor="dash-map-category">{t(T.category)}</label>
          <select
            id="dash-map-category"
            value={category}
            onChange={(e) => {
              setCategory(e.target.value);
              setShowAll(false);
            }}
          >
            <option value="">{t(T.allCategories)}</option>
            {categories.map((c) => (
              <option key={c} value={c}>
                {catLabel(c)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <figure className="map-figure area-map">
        <a
          className="skip-to-table"
          href="#dash-map-table"
          onClick={(e) => {
            e.preventDefault();
            document.getElementById('dash-map-table')?.focus();
          }}
        >
          {t(T.toTable)}
        </a>
        <div
          ref={el}
          className="map map-large"
          role="region"
          aria-label={t(T.mapLabel)}
          aria-describedby="dash-map-summary"
          data-testid="area-map"
        />
        <figcaption id="dash-map-summary" className="small" data-testid="area-map-summary">
          {busiest
            ? t(T.summary, {
                cells: cells.length === 1 ? t(T.zone1) : t(T.zones, { n: fmt(cells.length) }),
                total: requests(total),
                top: `${busiest.lat.toFixed(3)}, ${busiest.lng.toFixed(3)}`,
                comune: comuneName.get(busiest.comuneId) ?? '—',
                max: requests(max),
              })
            : t(T.none)}
          {tiles === false && <> {t(T.noTiles)}</>}
        </figcaption>
        {busiest && (
          <ul className="map-legend" aria-label={t(T.legend)} data-testid="area-map-legend">
            {classes.map((k) => (
              <li key={k.from}>
                <svg width="44" height="44" aria-hidden="true" focusable="false">
                  <circle cx="22" cy="22" r={radius(k.to, max)} fill={k.colour} fillOpacity="0.85" stroke="#3d1a00" strokeWidth="1" />
                </svg>
                <span>{k.from === k.to ? requests(k.from) : `${fmt(k.from)}–${requests(k.to)}`}</span>
              </li>
            ))}
          </ul>
        )}
      </figure>
      {cells.length > 0 && (
        <div style={{ overflowX: 'auto' }}>
          <table className="table" id="dash-map-table" tabIndex={-1} data-testid="map-table">
            <caption>{t(T.tableCaption)}</caption>
            <thead>
              <tr>
                <th scope="col">{t(T.zone)}</th>
                <th scope="col">{t(T.comune)}</th>
                <th scope="col" className="num">
                  {t(T.count)}
                </th>
                <th scope="col">{t(T.categories)}</th>
              </tr>
            </thead>
            <tbody>
              {listed.map((c) => (
                <tr key={c.key}>
                  <th scope="row">
                    {c.lat.toFixed(3)}, {c.lng.toFixed(3)}
                  </th>
                  <td>{comuneName.get(c.comuneId) ?? '—'}</td>
                  <td className="num">{fmt(c.count)}</td>
                  <td>{c.categories.map(([k, n]) => `${catLabel(k)} (${fmt(n)})`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {cells.length > listed.length && (
            <button type="button" className="btn btn-small" onClick={() => setShowAll(true)}>
              {t(T.showAll, { n: fmt(cells.length) })}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
