import 'leaflet/dist/leaflet.css';
import L from 'leaflet';
import { useEffect, useRef, useState } from 'react';
import type { PortalComuneMap } from '@server/portal/portal.api';
import type { PublicReport } from '@server/portal/reports/reports.api';
import { useLang, useT, type Key } from '../i18n';
import { formatDate } from '../pages/MyCases';
import { publicApi, STATE_STYLE } from './publicApi';

/**
 * The reports on a Leaflet map of the comune: its boundary always (the map is never blank, and
 * works without a tile server), the tiles only when the installation has a tile server. One marker
 * per report, coloured and shaped by state; each is a button reachable by Tab (Enter opens its
 * card). A few hundred markers need no clustering.
 */
export default function ReportsMap({
  slug,
  reports,
  categoryLabel,
}: {
  slug: string;
  reports: PublicReport[] | null;
  categoryLabel: (code: string | null) => string;
}) {
  const t = useT();
  const lang = useLang();
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const markers = useRef<L.LayerGroup | null>(null);
  const [noTiles, setNoTiles] = useState(false);

  useEffect(() => {
    if (!el.current) return;
    const m = L.map(el.current, { zoomControl: false, attributionControl: true, center: [41.1171, 16.8719], zoom: 12 });
    L.control.zoom({ zoomInTitle: t('pmap.zoomIn'), zoomOutTitle: t('pmap.zoomOut') }).addTo(m);
    m.attributionControl.setPrefix(false);
    map.current = m;
    markers.current = L.layerGroup().addTo(m);
    let live = true;
    publicApi.comuneMap(slug).then(
      (cfg: PortalComuneMap) => {
        if (!live) return;
        if (cfg.center) m.setView([cfg.center.lat, cfg.center.lng], 13);
        if (cfg.tileUrl) L.tileLayer(cfg.tileUrl, { maxZoom: 19 }).addTo(m);
        else setNoTiles(true);
        if (cfg.boundary) {
          const b = L.geoJSON(cfg.boundary, {
            style: { color: '#0066cc', weight: 2, fillOpacity: cfg.tileUrl ? 0.03 : 0.06 },
            interactive: false,
          }).addTo(m);
          m.fitBounds(b.getBounds(), { padding: [8, 8] });
        }
        for (const a of cfg.attribution) m.attributionControl.addAttribution(escape(a));
      },
      () => live && setNoTiles(true),
    );
    return () => {
      live = false;
      m.remove();
      map.current = null;
    };
  }, [slug]);

  useEffect(() => {
    const group = markers.current;
    if (!group || !reports) return;
    group.clearLayers();
    for (const r of reports) {
      const s = STATE_STYLE[r.state];
      const name = t('pmap.markerName', {
        category: categoryLabel(r.category),
        state: t(`mine.state.${r.state}` as Key),
        place: r.address ?? t('pmap.pinOnly'),
      });
      const marker = L.marker([r.lat, r.lon], {
        icon: L.divIcon({
          className: `pmap-marker pmap-${r.state}`,
          html: `<span aria-hidden="true">${s.glyph}</span>`,
          iconSize: [28, 28],
          iconAnchor: [14, 14],
          popupAnchor: [0, -14],
        }),
        title: name,
        alt: name,
        keyboard: true,
        riseOnHover: true,
      });
      marker.on('add', () => {
        const icon = marker.getElement();
        if (!icon) return;
        icon.setAttribute('aria-label', name);
        icon.style.background = s.color;
        icon.dataset.reference = r.reference;
      });
      marker.bindPopup(() => card(r));
      group.addLayer(marker);
    }
  }, [reports, lang, categoryLabel]);

  /** A report's card in the popup, built as DOM nodes (the address is the citizen's text: never HTML). */
  const card = (r: PublicReport): HTMLElement => {
    const root = document.createElement('div');
    root.className = 'pmap-popup';
    const h = document.createElement('p');
    h.className = 'fw-semibold mb-1';
    h.textContent = categoryLabel(r.category);
    const lines = [
      `${t('pmap.stateLabel')}: ${t(`mine.state.${r.state}` as Key)}`,
      `${t('pmap.place')}: ${r.address ?? t('pmap.pinOnly')}`,
      `${t('pmap.opened')}: ${formatDate(lang, r.createdAt)}`,
      `${t('pmap.updated')}: ${formatDate(lang, r.resolvedAt ?? r.updatedAt)}`,
      `${t('pmap.reference')}: ${r.reference}`,
    ];
    root.append(h);
    for (const l of lines) {
      const p = document.createElement('p');
      p.className = 'mb-0 small';
      p.textContent = l;
      root.append(p);
    }
    if (r.photos[0]) {
      const img = document.createElement('img');
      img.src = r.photos[0].url;
      img.alt = t('pmap.photoAlt', { category: categoryLabel(r.category), place: r.address ?? '' });
      img.width = 160;
      img.height = 120;
      img.className = 'mt-2';
      root.append(img);
    }
    return root;
  };

  return (
    <figure className="mb-0">
      {/* A region, not an image: Leaflet makes the map focusable (arrow keys pan it) and puts buttons in it. */}
      <div
        ref={el}
        className="pmap-map"
        role="region"
        aria-label={t('pmap.mapRegion')}
        aria-describedby="pmap-map-caption"
        data-testid="pmap-map"
      />
      <figcaption id="pmap-map-caption" className="small mt-1">
        {t('pmap.mapCaption')}
        {noTiles && <> {t('pmap.noTiles')}</>}
      </figcaption>
    </figure>
  );
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
