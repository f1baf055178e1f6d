import 'leaflet/dist/leaflet.css';
import L from 'leaflet';
import { useEffect, useRef } from 'react';
import type { PlanningMap } from '@server/participation/planning/planning.api';
import type { PortalComuneMap } from '@server/portal/portal.api';

/** Colours of the alternatives (contrast ≥ 3:1 on the map's light background). */
export const ALTERNATIVE_COLOURS = ['#c0392b', '#1f6f43', '#6a3d9a', '#b35900', '#00607a'];

/**
 * The hypothesis on a Leaflet map: the comune's boundary, the area and lines the comune drew (blue),
 * each alternative in its colour, the citizens' remarks as small pins. The map is a picture: the
 * same content is listed beside it for screen readers and keyboards.
 */
export default function PlanningMapView({ cfg, data, label }: { cfg: PortalComuneMap; data: PlanningMap; label: string }) {
  const el = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!el.current) return;
    const map = L.map(el.current, { keyboard: false, zoomControl: true, attributionControl: true }).setView([41.117, 16.871], 13);
    map.attributionControl.setPrefix(false);
    if (cfg.tileUrl) L.tileLayer(cfg.tileUrl, { maxZoom: 19 }).addTo(map);
    for (const a of cfg.attribution) map.attributionControl.addAttribution(a);
    if (cfg.boundary) L.geoJSON(cfg.boundary, { style: { color: '#5c6f82', weight: 1, fillOpacity: 0.02 }, interactive: false }).addTo(map);
    const drawn = L.featureGroup().addTo(map);
    if (data.geometry)
      L.geoJSON(data.geometry, {
        style: { color: '#0066cc', weight: 4, fillOpacity: 0.15 },
        interactive: false,
      }).addTo(drawn);
    data.alternatives.forEach((a, i) => {
      if (a.geometry)
        L.geoJSON(a.geometry, {
          style: { color: ALTERNATIVE_COLOURS[i % ALTERNATIVE_COLOURS.length], weight: 5, dashArray: '8 6', fillOpacity: 0.1 },
          interactive: false,
        }).addTo(drawn);
    });
    for (const r of data.remarks)
      L.circleMarker([r.lat, r.lon], {
        radius: 7,
        color: '#fff',
        weight: 2,
        fillColor: '#17324d',
        fillOpacity: 1,
        interactive: false,
      }).addTo(drawn);
    const bounds = drawn.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    return () => {
      map.remove();
    };
  }, [cfg, data]);

  return <div ref={el} className="portal-map" role="img" aria-label={label} data-testid="planning-map" />;
}
