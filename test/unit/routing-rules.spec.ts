import {
  chooseGroup,
  DEFAULT_ROUTING_RULES,
  normalizeText,
  parseRoutingRules,
  pickOperator,
  type CandidateOperator,
} from '../../src/routing/routing-rules.js';

const GROUPS = ['urp', 'sociale', 'edilizia', 'tributi', 'ambiente', 'lavori-pubblici'];
const route = (text: string, extra: { type?: string; category?: string | null } = {}) =>
  chooseGroup({ type: extra.type ?? 'request', category: extra.category ?? null, text }, DEFAULT_ROUTING_RULES, GROUPS, 'urp');

describe('chooseGroup', () => {
  it.each([
    ['Il lampione di via Sparano è spento da tre giorni', 'lavori-pubblici'],
    ["C'è una BUCA enorme in strada", 'lavori-pubblici'],
    ['Quando scade la TARI quest’anno?', 'tributi'],
    ['Vorrei pagare l’IMU, come faccio?', 'tributi'],
    ['I cassonetti della differenziata sono pieni', 'ambiente'],
    ['Mio padre è anziano e invalido, che assistenza spetta?', 'sociale'],
    ['Mi serve una visura catastale', 'edilizia'],
    ['A che ora apre il municipio?', 'urp'],
  ])('%s → %s', (text, group) => {
    expect(route(text)).toBe(group);
  });

  it('ignores accents and case', () => {
    expect(normalizeText('Città  SPORCA, già!')).toBe('citta sporca gia');
    expect(route('ABITABILITÀ della casa')).toBe('edilizia');
  });

  it('matches word beginnings, not substrings inside words', () => {
    // "tari" must not match "notari…" or "sanitari"
    expect(route('servizi sanitari e notariato')).toBe('urp');
  });

  it('lets a category outweigh keywords', () => {
    expect(route('buca rifiuti strada', { category: 'rifiuti' })).toBe('ambiente');
  });

  it('falls back to the default group when the chosen group does not exist in the comune', () => {
    expect(chooseGroup({ type: 'request', category: null, text: 'buca in strada' }, DEFAULT_ROUTING_RULES, ['urp'], 'urp')).toBe('urp');
  });

  it('uses custom rules by type', () => {
    const rules = parseRoutingRules([{ group: 'ambiente', types: ['report'] }]);
    expect(chooseGroup({ type: 'report', category: null, text: 'qualcosa' }, rules, GROUPS, 'urp')).toBe('ambiente');
    expect(chooseGroup({ type: 'request', category: null, text: 'qualcosa' }, rules, GROUPS, 'urp')).toBe('urp');
  });

  it('refuses malformed rules with a message naming the problem', () => {
    expect(() => parseRoutingRules({})).toThrow('must be an array');
    expect(() => parseRoutingRules([{ types: ['x'] }])).toThrow('needs a "group"');
    expect(() => parseRoutingRules([{ group: 'urp', keywords: 'buca' }])).toThrow('"keywords" must be a list');
  });
});

describe('pickOperator', () => {
  const op = (id: number, load: number, capacity = 3, groupIds = [1], lastOfferedAt: Date | null = null): CandidateOperator => ({
    id,
    load,
    capacity,
    groupIds,
    lastOfferedAt,
  });

  it('offers to the least loaded member of the group', () => {
    expect(pickOperator(1, [], [op(1, 2), op(2, 0), op(3, 1)])?.id).toBe(2);
  });

  it('skips operators at capacity and operators of other groups', () => {
    expect(pickOperator(1, [], [op(1, 3), op(2, 0, 3, [2]), op(3, 2)])?.id).toBe(3);
    expect(pickOperator(1, [], [op(1, 3), op(2, 0, 3, [2])])).toBeNull();
  });

  it('breaks ties by who waited longest for an offer', () => {
    const early = new Date('2026-01-01T09:00:00Z');
    const late = new Date('2026-01-01T10:00:00Z');
    expect(pickOperator(1, [], [op(1, 1, 3, [1], late), op(2, 1, 3, [1], early)])?.id).toBe(2);
  });

  it('moves an offer on to someone who has not declined it', () => {
    expect(pickOperator(1, [2], [op(2, 0), op(3, 2)])?.id).toBe(3);
  });

  it('starts a new round when everyone declined, the last decliner last', () => {
    expect(pickOperator(1, [2, 3], [op(2, 0), op(3, 0)])?.id).toBe(2);
    expect(pickOperator(1, [2], [op(2, 0)])?.id).toBe(2);
  });
});
