import { invalidField } from '../../common/errors.js';
import type { SportelloService } from '../../portal/catalogue/catalogue-registry.js';
import { defineParticipationService } from '../kernel/manifest.js';

/**
 * Participatory planning: the comune publishes a territorial hypothesis (areas and lines on the
 * map, documents, alternatives); citizens comment, leave remarks pinned to a place, and say which
 * alternative they prefer (one preference each, which they may change); the comune then publishes
 * the report of the outcome (the official answer).
 */
export const PLANNING = defineParticipationService({
  name: 'planning',
  title: { it: 'Pianificazione partecipata', en: 'Participatory planning' },
  description: {
    it: 'Guarda sulla mappa le ipotesi del Comune per il territorio, lascia osservazioni sui luoghi e scegli l’alternativa che preferisci.',
    en: 'See the comune’s plans for the territory on the map, leave remarks on places and choose the alternative you prefer.',
  },
  itemKinds: {
    hypothesis: {
      label: { it: 'Ipotesi', en: 'Hypothesis' },
      createdBy: 'staff',
      assurance: 'email',
      initialStage: 'consultation',
      stages: {
        consultation: { label: { it: 'In consultazione', en: 'Open for comments' }, next: ['evaluation'], public: true },
        evaluation: { label: { it: 'In valutazione', en: 'Being evaluated' }, next: ['concluded', 'consultation'], public: true },
        concluded: { label: { it: 'Concluso: esito pubblicato', en: 'Concluded: outcome published' }, next: [], public: true },
      },
      location: 'optional',
      answers: {
        adopted: { it: 'Ipotesi adottata', en: 'Hypothesis adopted' },
        revised: { it: 'Ipotesi rivista dopo la consultazione', en: 'Hypothesis revised after the consultation' },
        withdrawn: { it: 'Ipotesi ritirata', en: 'Hypothesis withdrawn' },
      },
    },
  },
  contributionKinds: {
    comment: {
      label: { it: 'Commenta', en: 'Comment' },
      assurance: 'email',
      once: false,
      counts: 'comments',
      body: { use: 'required', max: 3000 },
      parentKinds: ['comment'],
      whileStages: ['consultation'],
      publicText: true,
    },
    remark: {
      label: { it: 'Osservazione su un luogo', en: 'Remark on a place' },
      assurance: 'email',
      once: false,
      counts: 'comments',
      body: { use: 'required', max: 2000 },
      location: 'required',
      whileStages: ['consultation'],
      publicText: true,
    },
    preference: {
      label: { it: 'Scegli un’alternativa', en: 'Choose an alternative' },
      assurance: 'spid',
      once: true,
      counts: 'score',
      body: { use: 'none', max: 0 },
      whileStages: ['consultation'],
      withdrawable: true,
    },
  },
  approvalBeforePublication: false,
  defaultSettings: {},
  hooks: {
    contributionData(kind, data, item) {
      if (kind !== 'preference') return {};
      const keys = Array.isArray(item.data.alternatives) ? (item.data.alternatives as Array<{ key: string }>).map((a) => a.key) : [];
      if (typeof data.alternative !== 'string' || !keys.includes(data.alternative))
        throw invalidField(
          'data.alternative',
          keys.length ? `scegli una delle alternative: ${keys.join(', ')}` : 'questa ipotesi non ha alternative',
        );
      return { alternative: data.alternative };
    },
  },
});

export const PLANNING_CATALOGUE: SportelloService[] = [
  {
    id: 'planning',
    area: 'participation',
    title: PLANNING.title,
    description: PLANNING.description,
    audience: 'citizens',
    path: (c, lang) => `/${c.slug}/partecipa?servizio=planning${lang === 'en' ? '&lang=en' : ''}`,
  },
];
