import L from 'leaflet';
import { useEffect, useRef, useState } from 'react';
import { api, type ComuneBoundary, type MapConfig } from '../lib/api';
import { useI18n } from '../lib/i18n';

let mapConfig: Promise<MapConfig> | null = null;

/**
 * The report's position. With a tile server configured it is drawn on the map; without one (or
 * offline) the comune's boundary gives the point its context, so the map is never blank.
 */
export default function ReportMap({ location, comuneId }: { location: { lat: number; lng: number }; comuneId: number }) {
  const { t } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  const [tiles, setTiles] = useState<boolean | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const map = L.map(el.current, { zoomControl: false, attributionControl: true }).setView([location.lat, location.lng], 16);
    L.control.zoom({ zoomInTitle: t('map.zoomIn'), zoomOutTitle: t('map.zoomOut') }).addTo(map);
    L.circleMarker([location.lat, location.lng], { radius: 9, color: '#fff', weight: 3, fillColor: '#d1344c', fillOpacity: 1 })
      .addTo(map)
      .bindTooltip(t('map.title'));
    let cancelled = false;
    mapConfig ??= api<MapConfig>('/api/console/map');
    void mapConfig
      .then((cfg) => {
        if (cancelled) return;
        setTiles(Boolean(cfg.tileUrl));
        if (cfg.tileUrl) L.tileLayer(cfg.tileUrl, { attribution: cfg.attribution, maxZoom: 19 }).addTo(map);
        return api<ComuneBoundary>(`/api/console/comuni/${comuneId}/boundary`).then((f) => {
          if (cancelled) return;
          L.geoJSON(f, { style: { color: '#0066cc', weight: 2, fillOpacity: cfg.tileUrl ? 0.03 : 0.08 }, interactive: false }).addTo(map);
          map.attributionControl.addAttribution('Confini © ISTAT, CC-BY 4.0');
        });
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
      map.remove();
    };
  }, [location.lat, location.lng, comuneId]);

  return (
    <figure className="map-figure">
      {/* A region, not an image: Leaflet makes the map focusable (arrow keys pan it) and puts zoom
          buttons in it, and an image may not hold interactive controls (axe nested-interactive). */}
      <div
        ref={el}
        className="map"
        role="region"
        aria-label={t('map.title')}
        aria-describedby="report-map-caption"
        data-testid="report-map"
      />
      <figcaption id="report-map-caption" className="muted small">
        {t('map.coords', { lat: location.lat.toFixed(5), lng: location.lng.toFixed(5) })}
        {tiles === false && <> · {t('map.noTiles')}</>}
      </figcaption>
    </figure>
  );
}
