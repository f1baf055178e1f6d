import { useSyncExternalStore } from 'react';
import type { PortalLang } from '@server/portal/portal.api';

export type Lang = PortalLang;
/** Text shown to people: Italian first, English available. */
export type Text = { it: string; en: string };

const dict = {
  'app.skip': { it: 'Vai al contenuto', en: 'Skip to content' },
  'app.metro': { it: 'Città Metropolitana di Bari', en: 'Metropolitan City of Bari' },
  'app.tagline': { it: 'I servizi digitali dei 41 comuni', en: 'Digital services of the 41 comuni' },
  'app.comuneTagline': { it: 'Servizi digitali del Comune', en: 'Digital services of the comune' },
  'app.lang': { it: 'English', en: 'Italiano' },
  'app.langLabel': { it: 'Switch to English', en: 'Passa all’italiano' },
  'app.login': { it: 'Accedi', en: 'Sign in' },
  'app.userMenu': { it: 'Menu di {name}', en: '{name}’s menu' },
  'app.personalArea': { it: 'Area personale', en: 'Personal area' },
  'app.logout': { it: 'Esci', en: 'Sign out' },
  'app.breadcrumb': { it: 'Percorso di navigazione', en: 'Breadcrumb' },
  'app.home': { it: 'Home', en: 'Home' },
  'app.loading': { it: 'Caricamento…', en: 'Loading…' },
  'app.loadError': {
    it: 'Non è stato possibile caricare i dati. Riprova più tardi.',
    en: 'The data could not be loaded. Please try again later.',
  },
  'app.newTab': { it: '(si apre in una nuova scheda)', en: '(opens in a new tab)' },
  'footer.about': {
    it: 'Sportello è la piattaforma della Città Metropolitana di Bari per i servizi digitali e i contatti dei suoi comuni.',
    en: 'Sportello is the Metropolitan City of Bari’s platform for the digital services and contacts of its comuni.',
  },
  'footer.address': { it: 'Lungomare Nazario Sauro 29, 70121 Bari', en: 'Lungomare Nazario Sauro 29, 70121 Bari, Italy' },
  'footer.links': { it: 'Collegamenti', en: 'Links' },
  'footer.comuni': { it: 'I 41 comuni', en: 'The 41 comuni' },
  'footer.privacy': { it: 'Informativa privacy', en: 'Privacy notice' },
  'home.title': { it: 'I servizi digitali della Città Metropolitana di Bari', en: 'Digital services of the Metropolitan City of Bari' },
  'home.lead': {
    it: 'Scegli il tuo comune per trovare i servizi online, i contatti e la chat con l’Ufficio Relazioni con il Pubblico.',
    en: 'Choose your comune to find its online services, contacts and the chat with the public relations office.',
  },
  'home.comuni': { it: 'I 41 comuni', en: 'The 41 comuni' },
  'home.search': { it: 'Cerca un comune', en: 'Search a comune' },
  'home.count': { it: '{n} comuni', en: '{n} comuni' },
  'home.none': { it: 'Nessun comune corrisponde alla ricerca.', en: 'No comune matches the search.' },
  'comune.title': { it: 'Comune di {name}', en: 'Comune of {name}' },
  'comune.lead': {
    it: 'I servizi digitali del Comune e della Città Metropolitana, e come contattare l’URP.',
    en: 'The digital services of the comune and of the Metropolitan City, and how to contact the public relations office.',
  },
  'comune.services': { it: 'Servizi online', en: 'Online services' },
  'comune.allServices': { it: 'Tutti i servizi', en: 'All services' },
  'comune.contacts': { it: 'Contatti', en: 'Contacts' },
  'comune.contactsText': {
    it: 'Scrivi all’URP su WhatsApp, Telegram o e-mail: i canali del Comune sono nella pagina dei contatti.',
    en: 'Write to the public relations office on WhatsApp, Telegram or e-mail: the comune’s channels are on its contact page.',
  },
  'comune.contactPage': { it: 'Canali di contatto', en: 'Contact channels' },
  'comune.chat': { it: 'Chat con l’URP', en: 'Chat with the office' },
  'catalogue.title': { it: 'Servizi del Comune di {name}', en: 'Services of the Comune of {name}' },
  'catalogue.short': { it: 'Servizi', en: 'Services' },
  'catalogue.lead': {
    it: 'Tutti i servizi digitali del Comune e della Città Metropolitana di Bari, per area tematica.',
    en: 'All the digital services of the comune and of the Metropolitan City of Bari, by thematic area.',
  },
  'catalogue.search': { it: 'Cerca un servizio', en: 'Search a service' },
  'catalogue.area': { it: 'Area tematica', en: 'Thematic area' },
  'catalogue.allAreas': { it: 'Tutte le aree', en: 'All areas' },
  'catalogue.sort': { it: 'Ordina per', en: 'Sort by' },
  'catalogue.sort.name': { it: 'Nome', en: 'Name' },
  'catalogue.sort.area': { it: 'Area tematica', en: 'Thematic area' },
  'catalogue.list': { it: 'Elenco dei servizi', en: 'List of services' },
  'catalogue.count': { it: '{n} servizi', en: '{n} services' },
  'catalogue.none': { it: 'Nessun servizio corrisponde alla ricerca.', en: 'No service matches the search.' },
  'catalogue.metropolitan': { it: 'Città Metropolitana', en: 'Metropolitan City' },
  'catalogue.sportello': { it: 'Sportello', en: 'Sportello' },
  'catalogue.offline': { it: 'Allo sportello', en: 'At the office' },
  'catalogue.go': { it: 'Vai al servizio', en: 'Go to the service' },
  'catalogue.businesses': { it: 'Per le imprese', en: 'For businesses' },
  'login.title': { it: 'Accedi ai servizi', en: 'Sign in to the services' },
  'login.lead': {
    it: 'Entra con la tua identità digitale per seguire le tue pratiche. Per alcuni servizi basta un codice via e-mail.',
    en: 'Sign in with your digital identity to follow your cases. For some services a code by e-mail is enough.',
  },
  'login.spid': { it: 'Entra con SPID', en: 'Sign in with SPID' },
  'login.cie': { it: 'Entra con CIE', en: 'Sign in with CIE' },
  'login.spidHelp': { it: 'Sistema Pubblico di Identità Digitale', en: 'Public Digital Identity System' },
  'login.cieHelp': { it: 'Carta d’Identità Elettronica', en: 'Electronic Identity Card' },
  'login.or': { it: 'Oppure', en: 'Or' },
  'login.email.title': { it: 'Accedi con un codice via e-mail', en: 'Sign in with a code by e-mail' },
  'login.email.help': {
    it: 'Ti inviamo un codice di 6 cifre: vale per i servizi che non richiedono SPID o CIE.',
    en: 'We send you a 6-digit code: it is enough for the services that do not need SPID or CIE.',
  },
  'login.email': { it: 'Indirizzo e-mail', en: 'E-mail address' },
  'login.sendCode': { it: 'Invia il codice', en: 'Send the code' },
  'login.code': { it: 'Codice ricevuto', en: 'Code received' },
  'login.codeSent': { it: 'Abbiamo inviato un codice a {email}. Inseriscilo qui sotto.', en: 'We sent a code to {email}. Enter it below.' },
  'login.verify': { it: 'Accedi', en: 'Sign in' },
  'login.changeEmail': { it: 'Usa un altro indirizzo', en: 'Use another address' },
  'login.tooMany': { it: 'Troppi tentativi: riprova tra {s} secondi.', en: 'Too many attempts: try again in {s} seconds.' },
  'login.failed': { it: 'Accesso non riuscito. Riprova.', en: 'Sign-in failed. Please try again.' },
  'login.unavailable': {
    it: 'Il servizio di accesso non è al momento disponibile. Riprova più tardi.',
    en: 'The sign-in service is not available at the moment. Please try again later.',
  },
  'login.already': { it: 'Hai già effettuato l’accesso come {name}.', en: 'You are already signed in as {name}.' },
  'error.cancelled': { it: 'Accesso annullato: non è stato completato.', en: 'Sign-in cancelled: it was not completed.' },
  'error.failed': {
    it: 'Accesso non riuscito: il gestore dell’identità ha rifiutato la richiesta.',
    en: 'Sign-in failed: the identity provider refused the request.',
  },
  'error.expired': { it: 'La sessione di accesso è scaduta: riprova.', en: 'The sign-in session expired: please try again.' },
  'error.level': {
    it: 'Il livello di sicurezza dell’identità digitale usata non basta per questo servizio: accedi con SPID di livello 2 o con CIE.',
    en: 'The security level of the digital identity used is not enough for this service: sign in with SPID level 2 or CIE.',
  },
  'error.unavailable': {
    it: 'Il servizio di accesso con identità digitale non è al momento raggiungibile. Riprova più tardi.',
    en: 'The digital identity sign-in service cannot be reached at the moment. Please try again later.',
  },
  'error.unknown': { it: 'Accesso non riuscito. Riprova più tardi.', en: 'Sign-in failed. Please try again later.' },
  'profile.title': { it: 'Area personale', en: 'Personal area' },
  'profile.name': { it: 'Nome e cognome', en: 'Name' },
  'profile.fiscalCode': { it: 'Codice fiscale', en: 'Fiscal code' },
  'profile.email': { it: 'E-mail', en: 'E-mail' },
  'profile.level': { it: 'Livello di accesso', en: 'Sign-in level' },
  'profile.levelValue': { it: 'Livello {level} — {assurance}', en: 'Level {level} — {assurance}' },
  'profile.assurance.email': { it: 'codice via e-mail', en: 'code by e-mail' },
  'profile.assurance.spid': { it: 'SPID', en: 'SPID' },
  'profile.assurance.cie': { it: 'CIE', en: 'CIE' },
  'profile.notGiven': { it: 'non disponibile', en: 'not available' },
  'profile.logout': { it: 'Esci', en: 'Sign out' },
  'mine.title': { it: 'Le mie richieste', en: 'My requests' },
  'mine.intro': {
    it: 'Le segnalazioni e le richieste che hai inviato a qualsiasi comune della Città metropolitana, dal portale o dai canali collegati.',
    en: 'The reports and requests you sent to any comune of the Metropolitan City, from the portal or from your linked channels.',
  },
  'mine.empty': {
    it: 'Non ci sono ancora richieste nella tua area personale. Quelle che invii dal portale dopo l’accesso compaiono qui. Per vedere anche le pratiche aperte da WhatsApp, Telegram o e-mail, collega quei contatti: chiedi un codice di collegamento e invia «COLLEGA» seguito dal codice dal contatto da collegare.',
    en: 'There are no requests in your personal area yet. Those you send from the portal after signing in appear here. To see the cases you opened on WhatsApp, Telegram or by e-mail too, link those contacts: ask for a link code and send «COLLEGA» followed by the code from the contact to link.',
  },
  'mine.error': {
    it: 'Non è stato possibile caricare le richieste. Riprova più tardi.',
    en: 'Your requests could not be loaded. Please try again later.',
  },
  'mine.reference': { it: 'Codice', en: 'Reference' },
  'mine.comune': { it: 'Comune', en: 'Comune' },
  'mine.category': { it: 'Argomento', en: 'Topic' },
  'mine.state': { it: 'Stato', en: 'Status' },
  'mine.created': { it: 'Inviata il', en: 'Sent on' },
  'mine.taken': { it: 'Presa in carico il', en: 'Taken in charge on' },
  'mine.expected': { it: 'Risposta prevista entro', en: 'Answer expected by' },
  'mine.resolved': { it: 'Risolta il', en: 'Resolved on' },
  'mine.lastMessage': { it: 'Ultimo messaggio', en: 'Last message' },
  'mine.channel': { it: 'Canale', en: 'Channel' },
  'mine.open': { it: 'Apri la pratica {reference}', en: 'Open case {reference}' },
  'mine.state.received': { it: 'Ricevuta', en: 'Received' },
  'mine.state.in_progress': { it: 'In lavorazione', en: 'In progress' },
  'mine.state.resolved': { it: 'Risolta', en: 'Resolved' },
  'mine.state.closed': { it: 'Chiusa', en: 'Closed' },
  'mine.type.report': { it: 'Segnalazione', en: 'Report' },
  'mine.type.request': { it: 'Richiesta', en: 'Request' },
  'mine.conversation': { it: 'Conversazione', en: 'Conversation' },
  'mine.from.citizen': { it: 'Tu', en: 'You' },
  'mine.from.operator': { it: 'Il Comune', en: 'The comune' },
  'mine.from.system': { it: 'Messaggio automatico', en: 'Automatic message' },
  'mine.attachments': { it: 'Allegati', en: 'Attachments' },
  'mine.reply': { it: 'Scrivi al Comune', en: 'Write to the comune' },
  'mine.replyHint': {
    it: 'Il messaggio si aggiunge a questa pratica (al massimo 4000 caratteri).',
    en: 'The message is added to this case (up to 4000 characters).',
  },
  'mine.message': { it: 'Il tuo messaggio', en: 'Your message' },
  'mine.send': { it: 'Invia', en: 'Send' },
  'mine.sent': { it: 'Messaggio inviato.', en: 'Message sent.' },
  'mine.closedCase': {
    it: 'La pratica è conclusa: per un nuovo problema invia una nuova segnalazione o richiesta.',
    en: 'The case is closed: for a new problem send a new report or request.',
  },
  'mine.notFound': { it: 'Pratica non trovata tra le tue richieste.', en: 'Case not found among your requests.' },
  'mine.back': { it: 'Torna alle mie richieste', en: 'Back to my requests' },
  'notFound.title': { it: 'Pagina non trovata', en: 'Page not found' },
  'notFound.text': {
    it: 'La pagina che cerchi non esiste: forse il nome del comune è scritto in modo diverso.',
    en: 'The page you are looking for does not exist: perhaps the comune’s name is spelt differently.',
  },
  'notFound.back': { it: 'Torna alla home', en: 'Back to the home page' },
  // ── privacy (I miei dati e la privacy) ──
  'privacy.title': { it: 'I miei dati e la privacy', en: 'My data and privacy' },
  'privacy.link': { it: 'I miei dati e la privacy', en: 'My data and privacy' },
  'privacy.intro': {
    it: 'Qui trovi tutti i dati che Sportello conserva su di te, nei comuni a cui ti sei rivolto. Puoi scaricarli in un file o chiedere di cancellarli (artt. 15, 17 e 20 del GDPR).',
    en: 'Here is all the data Sportello holds about you, in the comuni you contacted. You can download it as a file or ask for it to be erased (GDPR arts. 15, 17 and 20).',
  },
  'privacy.download': { it: 'Scarica i miei dati (JSON)', en: 'Download my data (JSON)' },
  'privacy.account': { it: 'Il tuo account', en: 'Your account' },
  'privacy.created': { it: 'Creato il', en: 'Created on' },
  'privacy.lastLogin': { it: 'Ultimo accesso', en: 'Last sign-in' },
  'privacy.links': { it: 'Canali collegati', en: 'Linked channels' },
  'privacy.sessions': { it: 'Accessi attivi', en: 'Active sessions' },
  'privacy.consents': { it: 'Consensi', en: 'Consents' },
  'privacy.consentGiven': { it: 'dato', en: 'given' },
  'privacy.consentWithdrawn': { it: 'revocato', en: 'withdrawn' },
  'privacy.cases': { it: 'Pratiche e conversazioni', en: 'Cases and conversations' },
  'privacy.follows': { it: 'Segnalazioni seguite', en: 'Followed reports' },
  'privacy.none': { it: 'Nessuno.', en: 'None.' },
  'privacy.messages': { it: '{n} messaggi', en: '{n} messages' },
  'privacy.attachment': { it: 'allegato', en: 'attachment' },
  'privacy.removed': { it: 'rimosso', en: 'removed' },
  'privacy.anonymised': { it: 'Dati personali rimossi il {date}', en: 'Personal data removed on {date}' },
  'privacy.erasure': { it: 'Cancella il mio account e i miei dati', en: 'Erase my account and my data' },
  'privacy.erasureRemoved': { it: 'Cosa verrà cancellato', en: 'What will be erased' },
  'privacy.erasureRemovedText': {
    it: 'Il tuo account, gli accessi, i canali collegati, le segnalazioni che segui; nelle tue pratiche concluse: i testi che hai scritto, i file che hai inviato, i tuoi recapiti e il tuo nome.',
    en: 'Your account, sessions, linked channels, the reports you follow; in your closed cases: the texts you wrote, the files you sent, your contacts and your name.',
  },
  'privacy.erasureKept': { it: 'Cosa verrà conservato, e perché', en: 'What will be kept, and why' },
  'privacy.erasureKeptText': {
    it: 'Le pratiche ancora aperte restano come sono finché il Comune non le conclude, poi i tuoi dati vengono rimossi. Il Comune deve conservare, senza dati personali, il protocollo della pratica, le date, la categoria e le risposte dei propri uffici: sono atti della pubblica amministrazione (obbligo di legge, art. 17 par. 3 GDPR).',
    en: 'Cases still open stay as they are until the comune closes them; then your data are removed. The comune must keep, without personal data, the case reference, dates, category and its offices’ answers: they are records of the public administration (legal obligation, GDPR art. 17(3)).',
  },
  'privacy.erasureConfirm': {
    it: 'Ho capito: voglio cancellare il mio account e i miei dati. L’operazione non si può annullare.',
    en: 'I understand: I want to erase my account and my data. This cannot be undone.',
  },
  'privacy.erasureButton': { it: 'Chiedi la cancellazione', en: 'Request erasure' },
  'privacy.erasureNeedsConfirm': { it: 'Spunta la casella per confermare.', en: 'Tick the box to confirm.' },
  'privacy.erasureDone': {
    it: 'Richiesta registrata (codice {id}). Sei stato disconnesso: la cancellazione è in corso.',
    en: 'Request recorded (code {id}). You have been signed out: erasure is in progress.',
  },
  'privacy.erasureLevel': {
    it: 'Per cancellare l’account accedi con lo stesso livello di sicurezza con cui lo hai creato (SPID o CIE).',
    en: 'To erase the account, sign in at the same security level you created it with (SPID or CIE).',
  },
  'privacy.failed': {
    it: 'Non è stato possibile caricare i tuoi dati. Riprova più tardi.',
    en: 'Your data could not be loaded. Please try again later.',
  },
} satisfies Record<string, Text>;

export type Key = keyof typeof dict;

const STORAGE = 'sportello.portal.lang';
const listeners = new Set<() => void>();

function readLang(): Lang {
  try {
    return localStorage.getItem(STORAGE) === 'en' ? 'en' : 'it';
  } catch {
    return 'it';
  }
}
let current: Lang = readLang();
document.documentElement.lang = current;

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE, lang);
  } catch {
    /* private mode: the choice lasts for this page */
  }
  document.documentElement.lang = lang;
  listeners.forEach((l) => l());
}

export function useLang(): Lang {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}

export function translate(lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  return dict[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** `t('home.count', { n: 41 })` in the current language. */
export function useT(): (key: Key, vars?: Record<string, string | number>) => string {
  const lang = useLang();
  return (key, vars) => translate(lang, key, vars);
}
