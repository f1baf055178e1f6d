/** What the participatory planning routes answer (type-only: the portal imports it). */

/** A GeoJSON geometry as RFC 7946 writes it (longitude, latitude). */
export interface GeoJsonGeometry {
  type: 'Point' | 'MultiPoint' | 'LineString' | 'MultiLineString' | 'Polygon' | 'MultiPolygon' | 'GeometryCollection';
  coordinates?: unknown;
  geometries?: GeoJsonGeometry[];
}

export interface PlanningAlternative {
  key: string;
  title: { it: string; en: string };
  description: { it: string; en: string };
  geometry: GeoJsonGeometry | null;
  /** How many citizens prefer it. */
  preferences: number;
}

export interface PlanningDocument {
  title: string;
  url: string;
}

export interface PlanningMap {
  itemId: string;
  /** The area and lines the hypothesis draws. */
  geometry: GeoJsonGeometry | null;
  alternatives: PlanningAlternative[];
  documents: PlanningDocument[];
  /** The citizens' place-based remarks: pins with their text. */
  remarks: Array<{ id: string; lat: number; lon: number; text: string; authorName: string | null; createdAt: string }>;
  /** The logged-in citizen's preference, if any. */
  myPreference: string | null;
}

export interface PlanningMapInput {
  geometry: GeoJsonGeometry;
  alternatives?: Array<{
    key: string;
    titleIt: string;
    titleEn?: string;
    descriptionIt?: string;
    descriptionEn?: string;
    geometry?: GeoJsonGeometry | null;
  }>;
  documents?: PlanningDocument[];
}
