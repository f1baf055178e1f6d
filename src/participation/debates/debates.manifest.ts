import { defineParticipationService } from '../kernel/manifest.js';
import type { SportelloService } from '../../portal/catalogue/catalogue-registry.js';

/**
 * Debates (forum): the comune opens a debate on a question; citizens comment, reply and vote
 * comments up or down; the comune's official answer is pinned at the top; the comune closes it.
 */
export const DEBATES = defineParticipationService({
  name: 'debates',
  title: { it: 'Dibattiti', en: 'Debates' },
  description: {
    it: 'Discuti con gli altri cittadini e con il Comune i temi aperti dall’amministrazione.',
    en: 'Discuss with other citizens and the comune the questions the administration opens.',
  },
  itemKinds: {
    debate: {
      label: { it: 'Dibattito', en: 'Debate' },
      createdBy: 'staff',
      assurance: 'email',
      initialStage: 'open',
      stages: {
        open: { label: { it: 'Aperto', en: 'Open' }, next: ['closed'], public: true },
        closed: { label: { it: 'Chiuso', en: 'Closed' }, next: ['open'], public: true },
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
      whileStages: ['open'],
      publicText: true,
    },
    comment_vote: {
      label: { it: 'Vota un commento', en: 'Vote on a comment' },
      assurance: 'email',
      once: true,
      body: { use: 'none', max: 0 },
      parentKinds: ['comment'],
      votesParent: true,
      whileStages: ['open'],
    },
  },
  approvalBeforePublication: false,
  defaultSettings: {},
});

export const DEBATES_CATALOGUE: SportelloService[] = [
  {
    id: 'debates',
    area: 'participation',
    title: DEBATES.title,
    description: DEBATES.description,
    audience: 'citizens',
    path: (c, lang) => `/${c.slug}/partecipa?servizio=debates${lang === 'en' ? '&lang=en' : ''}`,
  },
];
