/**
 * Which competence group a ticket belongs to, decided from its type, category and words.
 * Pure functions: the worker loads the comune's rules and groups, this decides.
 */
export interface RoutingRule {
  /** Code of the competence group this rule sends tickets to. */
  group: string;
  types?: string[];
  categories?: string[];
  /** Words or word beginnings (accents and case ignored), e.g. "lampion" matches "lampione", "lampioni". */
  keywords?: string[];
}

export interface RoutableTicket {
  type: string;
  category: string | null;
  text: string;
}

export const DEFAULT_ROUTING_RULES: RoutingRule[] = [
  {
    group: 'sociale',
    categories: ['servizi-sociali', 'disabilita', 'anziani', 'famiglia'],
    keywords: [
      'assistenz',
      'sussidi',
      'disabil',
      'anzian',
      'invalid',
      'reddito di',
      'assegno',
      'servizi social',
      'badant',
      'povert',
      'sfratt',
      'casa popolare',
      'alloggio popolare',
      'contribut',
    ],
  },
  {
    group: 'edilizia',
    categories: ['edilizia', 'catasto', 'urbanistica'],
    keywords: [
      'permesso di costruire',
      'scia',
      'cila',
      'catast',
      'edilizi',
      'condono',
      'visura',
      'abitabilit',
      'agibilit',
      'planimetri',
      'ristrutturazion',
      'urbanistic',
    ],
  },
  {
    group: 'tributi',
    categories: ['tributi', 'tari', 'imu'],
    keywords: [
      'tari',
      'imu',
      'tass',
      'tribut',
      'bollett',
      'cosap',
      'canone unico',
      'rimbors',
      'avviso di accertamento',
      'cartella',
      'pagament',
      'f24',
    ],
  },
  {
    group: 'ambiente',
    categories: ['rifiuti', 'verde', 'ambiente', 'animali'],
    keywords: [
      'rifiut',
      'spazzatur',
      'immondizi',
      'cassonett',
      'differenziat',
      'discaric',
      'verde pubblico',
      'alber',
      'potatur',
      'inquinament',
      'randag',
      'amianto',
      'rumore',
      'odori',
      'ingombrant',
    ],
  },
  {
    group: 'lavori-pubblici',
    categories: ['strade', 'illuminazione', 'fognature', 'segnaletica'],
    keywords: [
      'buca',
      'buche',
      'strada',
      'strade',
      'marciapied',
      'lampion',
      'illuminazion',
      'fogn',
      'tombin',
      'semafor',
      'segnaletic',
      'asfalt',
      'voragin',
      'lavori pubblici',
      'cantier',
      'allagament',
    ],
  },
];

/** Lower case, no accents, single spaces: "Città  SPORCA" → "citta sporca". */
export function normalizeText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function keywordHits(normalized: string, keywords: string[]): number {
  const padded = ` ${normalized} `;
  let hits = 0;
  for (const k of keywords) {
    const nk = normalizeText(k);
    if (nk && padded.includes(` ${nk}`)) hits += 1;
  }
  return hits;
}

/**
 * The group code for a ticket, or `defaultGroup` when no rule matches. A matching category weighs
 * most, then the type, then each keyword found; ties go to the rule listed first.
 */
export function chooseGroup(ticket: RoutableTicket, rules: RoutingRule[], availableGroups: string[], defaultGroup: string): string {
  const text = normalizeText(ticket.text);
  const category = ticket.category ? normalizeText(ticket.category).replace(/ /g, '-') : null;
  let best: { group: string; score: number } | null = null;
  for (const rule of rules) {
    if (!availableGroups.includes(rule.group)) continue;
    let score = 0;
    if (category && rule.categories?.some((c) => normalizeText(c).replace(/ /g, '-') === category)) score += 10;
    if (rule.types?.includes(ticket.type)) score += 3;
    if (rule.keywords) score += keywordHits(text, rule.keywords);
    if (score > 0 && (!best || score > best.score)) best = { group: rule.group, score };
  }
  return best?.group ?? defaultGroup;
}

/** Checks rules stored for a comune (JSON from the database or an admin's request). */
export function parseRoutingRules(value: unknown): RoutingRule[] {
  if (!Array.isArray(value)) throw new Error('routing rules must be an array');
  return value.map((r, i) => {
    if (typeof r !== 'object' || r === null || typeof (r as RoutingRule).group !== 'string') {
      throw new Error(`routing rule ${i} needs a "group"`);
    }
    const rule = r as RoutingRule;
    for (const key of ['types', 'categories', 'keywords'] as const) {
      const v = rule[key];
      if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) {
        throw new Error(`routing rule ${i}: "${key}" must be a list of texts`);
      }
    }
    return { group: rule.group, types: rule.types, categories: rule.categories, keywords: rule.keywords };
  });
}

export interface CandidateOperator {
  id: number;
  capacity: number;
  load: number;
  groupIds: number[];
  lastOfferedAt: Date | null;
}

/**
 * The operator a queued ticket is offered to: member of its group, with free capacity, not among
 * those who already let it go; the least loaded first, then the one who waited longest for an
 * offer. When everyone able has let it go, a new round starts (the last to let it go comes last)
 * rather than leaving the ticket unseen.
 */
export function pickOperator(groupId: number, declinedBy: number[], candidates: CandidateOperator[]): CandidateOperator | null {
  const able = candidates.filter((c) => c.groupIds.includes(groupId) && c.load < c.capacity);
  if (able.length === 0) return null;
  const fresh = able.filter((c) => !declinedBy.includes(c.id));
  const lastDecliner = declinedBy[declinedBy.length - 1];
  const others = able.filter((c) => c.id !== lastDecliner);
  const pool = fresh.length > 0 ? fresh : others.length > 0 ? others : able;
  return [...pool].sort(
    (a, b) => a.load - b.load || (a.lastOfferedAt?.getTime() ?? 0) - (b.lastOfferedAt?.getTime() ?? 0) || a.id - b.id,
  )[0];
}
