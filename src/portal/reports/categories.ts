import { DEFAULT_ROUTING_RULES, parseRoutingRules, type RoutingRule } from '../../routing/routing-rules.js';
import type { Lang, PortalCategory } from './api-types.js';

/** Open reports of the same category closer than this are offered as possible duplicates, unless the comune sets otherwise. */
export const DEFAULT_DUPLICATE_RADIUS_M = 250;

/**
 * The labels of the categories routing knows, and whether each is a place's problem (a report: it
 * has a position) or a topic of a request. A category a comune's own rules add without a label
 * here is offered as a request topic, labelled from its code.
 */
const KNOWN: Record<string, { kind: 'report' | 'request'; label: Record<Lang, string> }> = {
  strade: { kind: 'report', label: { it: 'Strade e marciapiedi', en: 'Roads and pavements' } },
  illuminazione: { kind: 'report', label: { it: 'Illuminazione pubblica', en: 'Street lighting' } },
  rifiuti: { kind: 'report', label: { it: 'Rifiuti e pulizia', en: 'Waste and cleaning' } },
  verde: { kind: 'report', label: { it: 'Verde pubblico', en: 'Parks and trees' } },
  segnaletica: { kind: 'report', label: { it: 'Segnaletica e semafori', en: 'Road signs and traffic lights' } },
  fognature: { kind: 'report', label: { it: 'Fognature e tombini', en: 'Sewers and drains' } },
  animali: { kind: 'report', label: { it: 'Animali', en: 'Animals' } },
  ambiente: { kind: 'report', label: { it: 'Ambiente e inquinamento', en: 'Environment and pollution' } },
  'servizi-sociali': { kind: 'request', label: { it: 'Servizi sociali', en: 'Social services' } },
  disabilita: { kind: 'request', label: { it: 'Disabilità', en: 'Disability' } },
  anziani: { kind: 'request', label: { it: 'Anziani', en: 'Elderly people' } },
  famiglia: { kind: 'request', label: { it: 'Famiglia', en: 'Family' } },
  edilizia: { kind: 'request', label: { it: 'Edilizia privata', en: 'Building permits' } },
  catasto: { kind: 'request', label: { it: 'Catasto', en: 'Land registry' } },
  urbanistica: { kind: 'request', label: { it: 'Urbanistica', en: 'Town planning' } },
  tributi: { kind: 'request', label: { it: 'Tributi', en: 'Local taxes' } },
  tari: { kind: 'request', label: { it: 'TARI (tassa rifiuti)', en: 'TARI (waste tax)' } },
  imu: { kind: 'request', label: { it: 'IMU', en: 'IMU (property tax)' } },
};

function labelOf(code: string): Record<Lang, string> {
  const words = code.replace(/-/g, ' ');
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return { it: text, en: text };
}

/**
 * The comune's categories, from its routing rules (the defaults when it has none): what routes a
 * case to a group is exactly what the form offers. `radii`: the comune's own duplicate radius per
 * category (report_category_settings).
 */
export function portalCategories(
  storedRules: unknown,
  radii: Map<string, number>,
): { reportCategories: PortalCategory[]; requestTopics: PortalCategory[] } {
  let rules: RoutingRule[];
  try {
    rules = storedRules == null ? DEFAULT_ROUTING_RULES : parseRoutingRules(storedRules);
  } catch {
    rules = DEFAULT_ROUTING_RULES;
  }
  const codes = [...new Set(rules.flatMap((r) => r.categories ?? []))];
  const reportCategories: PortalCategory[] = [];
  const requestTopics: PortalCategory[] = [];
  for (const code of codes) {
    const known = KNOWN[code];
    if (known?.kind === 'report') {
      reportCategories.push({ code, label: known.label, duplicateRadiusM: radii.get(code) ?? DEFAULT_DUPLICATE_RADIUS_M });
    } else {
      requestTopics.push({ code, label: known?.label ?? labelOf(code), duplicateRadiusM: 0 });
    }
  }
  return { reportCategories, requestTopics };
}
