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
