import type { SportelloService } from './catalogue-registry.js';

/**
 * The contact-centre services every comune has today (src/channels/accounts/contact-page.controller.ts
 * serves the page): its contact channels and the web chat with the URP.
 */
export const CONTACT_SERVICES: SportelloService[] = [
  {
    id: 'contacts',
    area: 'participation',
    title: { it: 'Contatta l’URP', en: 'Contact the public relations office' },
    description: {
      it: 'Scrivi all’Ufficio Relazioni con il Pubblico su WhatsApp, Telegram, e-mail o dal sito: una sola pratica, qualunque canale.',
      en: 'Write to the public relations office on WhatsApp, Telegram, e-mail or from the website: one case, whatever the channel.',
    },
    audience: 'all',
    path: (c, lang) => `/contatti/${c.slug}${lang === 'en' ? '?lang=en' : ''}`,
  },
  {
    id: 'webchat',
    area: 'participation',
    title: { it: 'Chat con l’URP', en: 'Chat with the public relations office' },
    description: {
      it: 'Parla in chat con un operatore del Comune negli orari di apertura; fuori orario lascia un messaggio.',
      en: 'Chat with an officer of the comune during opening hours; outside them, leave a message.',
    },
    audience: 'all',
    path: (c, lang) => `/contatti/${c.slug}${lang === 'en' ? '?lang=en' : ''}#chat`,
  },
];

const en = (lang: 'it' | 'en') => (lang === 'en' ? '?lang=en' : '');

/**
 * The portal's two forms (portal/src/report/) and the case page they lead to: "Segnala un
 * disservizio", "Richiedi assistenza", and finding a report or request by its code and e-mail.
 */
export const REPORT_SERVICES: SportelloService[] = [
  {
    id: 'report',
    area: 'environment',
    title: { it: 'Segnala un disservizio', en: 'Report a problem' },
    description: {
      it: 'Una buca, un lampione spento, rifiuti abbandonati: indica il luogo sulla mappa, allega una foto e segui la pratica con il codice.',
      en: 'A pothole, a broken street light, dumped waste: mark the place on the map, attach a photo and follow the case by its code.',
    },
    audience: 'all',
    path: (c, lang) => `/${c.slug}/segnala${en(lang)}`,
  },
  {
    id: 'request',
    area: 'participation',
    title: { it: 'Richiedi assistenza', en: 'Ask for assistance' },
    description: {
      it: 'Chiedi informazioni o aiuto agli uffici del Comune su un servizio: ricevi un codice per seguire la risposta.',
      en: 'Ask the comune’s offices for information or help about a service: you get a code to follow the answer.',
    },
    audience: 'all',
    path: (c, lang) => `/${c.slug}/richiedi-assistenza${en(lang)}`,
  },
  {
    id: 'case-lookup',
    area: 'participation',
    title: { it: 'Segui una segnalazione o richiesta', en: 'Follow a report or request' },
    description: {
      it: 'Con il codice ricevuto e il tuo indirizzo e-mail: lo stato, i messaggi del Comune e la risposta.',
      en: 'With the code you received and your e-mail address: its status, the comune’s messages and your reply.',
    },
    audience: 'all',
    path: (c, lang) => `/${c.slug}/segnalazioni/cerca${en(lang)}`,
  },
];
