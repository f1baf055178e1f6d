import type { BoundaryGeometry } from '@server/comuni/comuni.api';

type Ring = number[][];

function inRing(lon: number, lat: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Is the point inside the comune's boundary (GeoJSON, holes respected)? The server checks it again
 * (422 for a pin outside); this only lets the map refuse the pin at once, with a message.
 */
export function insideBoundary(b: BoundaryGeometry | null, lat: number, lon: number): boolean {
  if (!b) return true;
  const polygons = (b.type === 'Polygon' ? [b.coordinates] : b.coordinates) as Ring[][];
  return polygons.some((rings) => rings.length > 0 && inRing(lon, lat, rings[0]) && !rings.slice(1).some((h) => inRing(lon, lat, h)));
}
