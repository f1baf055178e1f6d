/** Types of the comuni shared by the console's and the portal's APIs (imported as types by the front-ends). */

/** A GeoJSON geometry (RFC 7946) as PostGIS's ST_AsGeoJSON writes a comune's boundary. */
export interface BoundaryGeometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: unknown[];
}

/** Where the ISTAT boundaries come from: shown on every map that draws one. */
export const BOUNDARY_ATTRIBUTION = '© ISTAT, CC-BY 4.0';
