import 'leaflet/dist/leaflet.css';
import L from 'leaflet';
import type { PortalComuneMap } from '@server/portal/portal.api';
import { useEffect, useRef } from 'react';
import { useT } from '../i18n';
import { insideBoundary } from './geo';

/** One arrow key moves the pin this far (degrees: about 20 m in Bari's latitudes). */
const STEP = 0.0002;

/**
 * The place of a report: a pin on a map of the comune (Leaflet, its own chunk). Click or tap puts the
 * pin; with the keyboard the map is focused and the arrow keys move the pin (the first press puts it
 * at a point inside the comune). A point outside the comune's boundary is refused through `onRefused`.
 */
export default function PlaceMap({
  map: cfg,
  value,
  onPin,
  onRefused,
  describedBy,
}: {
  map: PortalComuneMap;
  value: { lat: number; lon: number } | null;
  onPin: (lat: number, lon: number) => void;
  onRefused: () => void;
  describedBy: string;
}) {
  const t = useT();
  const el = useRef<HTMLDivElement>(null);
  const mapRef = useRef<L.Map | null>(null);
  const pinRef = useRef<L.CircleMarker | null>(null);
  const valueRef = useRef(value);
  valueRef.current = value;
  const cb = useRef({ onPin, onRefused });
  cb.current = { onPin, onRefused };

  const place = (lat: number, lon: number) => {
    if (!insideBoundary(cfg.boundary, lat, lon)) return cb.current.onRefused();
    cb.current.onPin(Number(lat.toFixed(6)), Number(lon.toFixed(6)));
  };

  useEffect(() => {
    if (!el.current) return;
    const centre = value ?? (cfg.center ? { lat: cfg.center.lat, lon: cfg.center.lng } : { lat: 41.117, lon: 16.871 });
    const map = L.map(el.current, { keyboard: false, attributionControl: true, zoomControl: false }).setView([centre.lat, centre.lon], 14);
    L.control.zoom({ zoomInTitle: t('flow.map.zoomIn'), zoomOutTitle: t('flow.map.zoomOut') }).addTo(map);
    if (cfg.tileUrl) L.tileLayer(cfg.tileUrl, { maxZoom: 19 }).addTo(map);
    for (const a of cfg.attribution) map.attributionControl.addAttribution(a);
    if (cfg.boundary) {
      const layer = L.geoJSON(cfg.boundary, {
        style: { color: '#0066cc', weight: 2, fillOpacity: cfg.tileUrl ? 0.03 : 0.08 },
        interactive: false,
      }).addTo(map);
      if (!value) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    }
    map.on('click', (e: L.LeafletMouseEvent) => place(e.latlng.lat, e.latlng.lng));
    mapRef.current = map;
    return () => {
      map.remove();
      mapRef.current = null;
      pinRef.current = null;
    };
    // The map is made once per configuration; the pin follows `value` below.
  }, [cfg]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    if (!value) {
      pinRef.current?.remove();
      pinRef.current = null;
      return;
    }
    if (!pinRef.current)
      pinRef.current = L.circleMarker([value.lat, value.lon], {
        radius: 10,
        color: '#fff',
        weight: 3,
        fillColor: '#d1344c',
        fillOpacity: 1,
      }).addTo(map);
    else pinRef.current.setLatLng([value.lat, value.lon]);
    if (!map.getBounds().pad(-0.1).contains([value.lat, value.lon])) map.panTo([value.lat, value.lon]);
  }, [value]);

  function onKey(e: React.KeyboardEvent) {
    const d: Record<string, [number, number]> = { ArrowUp: [STEP, 0], ArrowDown: [-STEP, 0], ArrowLeft: [0, -STEP], ArrowRight: [0, STEP] };
    const move = d[e.key];
    if (!move || !mapRef.current) return;
    e.preventDefault();
    const pinned = valueRef.current;
    if (pinned) return place(pinned.lat + move[0], pinned.lon + move[1]);
    // The first press: a point surely inside the comune (the server's), else the map's centre.
    const start = cfg.center ?? mapRef.current.getCenter();
    place(start.lat, start.lng);
  }

  function useCentre() {
    const c = mapRef.current?.getCenter();
    if (c) place(c.lat, c.lng);
  }

  return (
    <div>
      <div
        ref={el}
        className="portal-map"
        role="region"
        tabIndex={0}
        aria-label={t('flow.map.label')}
        aria-describedby={describedBy}
        onKeyDown={onKey}
        data-testid="place-map"
      />
      <button type="button" className="btn btn-outline-primary btn-sm mt-2" onClick={useCentre}>
        {t('flow.map.useCentre')}
      </button>
    </div>
  );
}
