import type { Audience, PortalLang, ThematicAreaId } from '../portal.api.js';

/** The catalogue's thematic areas, in the order the portal shows them (a fixed list; the database checks it too). */
export const THEMATIC_AREAS: ReadonlyArray<{ id: ThematicAreaId; label: Record<PortalLang, string> }> = [
  { id: 'social', label: { it: 'Assistenza e sostegno sociale', en: 'Social care and support' } },
  { id: 'building', label: { it: 'Edilizia e catasto', en: 'Building and land registry' } },
  { id: 'taxes', label: { it: 'Tributi locali', en: 'Local taxes' } },
  { id: 'environment', label: { it: 'Ambiente e territorio', en: 'Environment and territory' } },
  { id: 'public-works', label: { it: 'Lavori pubblici', en: 'Public works' } },
  { id: 'participation', label: { it: 'Partecipazione', en: 'Participation' } },
  { id: 'registry', label: { it: 'Anagrafe e stato civile', en: 'Registry office and civil status' } },
  { id: 'education', label: { it: 'Scuola e istruzione', en: 'School and education' } },
  { id: 'mobility', label: { it: 'Mobilità e trasporti', en: 'Mobility and transport' } },
  { id: 'culture', label: { it: 'Cultura e turismo', en: 'Culture and tourism' } },
  { id: 'business', label: { it: 'Attività produttive e commercio', en: 'Business and trade' } },
];

export const AREA_IDS: readonly ThematicAreaId[] = THEMATIC_AREAS.map((a) => a.id);
export const AUDIENCE_IDS: readonly Audience[] = ['citizens', 'businesses', 'all'];

export const isAreaId = (v: unknown): v is ThematicAreaId => typeof v === 'string' && (AREA_IDS as readonly string[]).includes(v);
export const isAudience = (v: unknown): v is Audience => typeof v === 'string' && (AUDIENCE_IDS as readonly string[]).includes(v);

export function areaLabel(id: ThematicAreaId, lang: PortalLang): string {
  return THEMATIC_AREAS.find((a) => a.id === id)?.label[lang] ?? id;
}
