import { useSyncExternalStore } from 'react';

export type Lang = 'it' | 'en';
/** Text shown to people: Italian first, English available. */
export type Text = { it: string; en: string };

const dict = {
  'app.title': { it: 'Sportello — Console operatori', en: 'Sportello — Agent console' },
  'app.skip': { it: 'Vai al contenuto', en: 'Skip to content' },
  'app.lang': { it: 'English', en: 'Italiano' },
  'app.langLabel': { it: 'Switch to English', en: 'Passa all’italiano' },
  'app.logout': { it: 'Esci', en: 'Log out' },
  'app.mainNav': { it: 'Navigazione principale', en: 'Main navigation' },
  'app.queueBoard': { it: 'Code di lavoro', en: 'Job queues' },
  'app.newTab': { it: 'si apre in una nuova scheda', en: 'opens in a new tab' },
  'app.connection.lost': { it: 'Connessione persa: riconnessione in corso…', en: 'Connection lost: reconnecting…' },
  'app.notifications.enable': { it: 'Attiva notifiche', en: 'Enable notifications' },
  'presence.label': { it: 'Il mio stato', en: 'My status' },
  'presence.online': { it: 'Disponibile', en: 'Online' },
  'presence.away': { it: 'Assente', en: 'Away' },
  'presence.offline': { it: 'Non in linea', en: 'Offline' },
  'load.label': { it: 'Carico', en: 'Load' },
  'load.value': { it: '{load} di {capacity} conversazioni', en: '{load} of {capacity} conversations' },
  'login.title': { it: 'Accesso operatori', en: 'Operator sign-in' },
  'login.intro': {
    it: 'URP digitale della Città Metropolitana di Bari',
    en: 'Digital public relations office of the Metropolitan City of Bari',
  },
  'login.email': { it: 'Indirizzo e-mail', en: 'E-mail address' },
  'login.password': { it: 'Password', en: 'Password' },
  'login.submit': { it: 'Accedi', en: 'Sign in' },
  'login.failed': { it: 'Accesso non riuscito: controlla e-mail e password.', en: 'Sign-in failed: check e-mail and password.' },
  'inbox.title': { it: 'Conversazioni', en: 'Conversations' },
  'inbox.views': { it: 'Viste', en: 'Views' },
  'inbox.view.offered': { it: 'Offerti a me', en: 'Offered to me' },
  'inbox.view.mine': { it: 'Le mie conversazioni', en: 'My conversations' },
  'inbox.view.queues': { it: 'Code dei miei gruppi', en: 'My groups’ queues' },
  'inbox.view.unassigned': { it: 'Non assegnati', en: 'Unassigned' },
  'inbox.view.all': { it: 'Tutti i ticket del comune', en: 'All tickets of the comune' },
  'inbox.empty': { it: 'Nessun ticket in questa vista.', en: 'No tickets in this view.' },
  'inbox.waiting': { it: 'in attesa da {time}', en: 'waiting for {time}' },
  'inbox.select': { it: 'Seleziona una conversazione dall’elenco.', en: 'Select a conversation from the list.' },
  'filters.title': { it: 'Filtri', en: 'Filters' },
  'filters.search': { it: 'Cerca (riferimento o oggetto)', en: 'Search (reference or subject)' },
  'filters.status': { it: 'Stato', en: 'Status' },
  'filters.channel': { it: 'Canale', en: 'Channel' },
  'filters.type': { it: 'Tipo', en: 'Type' },
  'filters.group': { it: 'Gruppo', en: 'Group' },
  'filters.category': { it: 'Categoria', en: 'Category' },
  'filters.from': { it: 'Dal', en: 'From' },
  'filters.to': { it: 'Al', en: 'To' },
  'filters.any': { it: 'Tutti', en: 'Any' },
  'filters.reset': { it: 'Azzera filtri', en: 'Reset filters' },
  'status.new': { it: 'Nuovo', en: 'New' },
  'status.open': { it: 'Aperto', en: 'Open' },
  'status.waiting_citizen': { it: 'In attesa del cittadino', en: 'Waiting for citizen' },
  'status.resolved': { it: 'Risolto', en: 'Resolved' },
  'status.closed': { it: 'Chiuso', en: 'Closed' },
  'priority.label': { it: 'Priorità', en: 'Priority' },
  'priority.low': { it: 'Bassa', en: 'Low' },
  'priority.normal': { it: 'Normale', en: 'Normal' },
  'priority.high': { it: 'Alta', en: 'High' },
  'priority.urgent': { it: 'Urgente', en: 'Urgent' },
  'queue.unrouted': { it: 'Da instradare', en: 'Not routed yet' },
  'queue.queued': { it: 'In coda', en: 'Queued' },
  'queue.offered': { it: 'Offerto', en: 'Offered' },
  'queue.assigned': { it: 'Assegnato', en: 'Assigned' },
  'queue.done': { it: 'Concluso', en: 'Done' },
  'channel.webchat': { it: 'Web chat', en: 'Web chat' },
  'channel.app': { it: 'App', en: 'App' },
  'channel.whatsapp': { it: 'WhatsApp', en: 'WhatsApp' },
  'channel.whatsapp-web': { it: 'WhatsApp', en: 'WhatsApp' },
  'channel.telegram': { it: 'Telegram', en: 'Telegram' },
  'channel.email': { it: 'E-mail', en: 'E-mail' },
  'channel.pec': { it: 'PEC', en: 'PEC' },
  'channel.phone': { it: 'Telefono', en: 'Phone' },
  'channel.desk': { it: 'Sportello fisico', en: 'Front desk' },
  'type.request': { it: 'Richiesta', en: 'Request' },
  'type.report': { it: 'Segnalazione', en: 'Report' },
  'delivery.received': { it: 'ricevuto', en: 'received' },
  'delivery.queued': { it: 'in invio', en: 'sending' },
  'delivery.sent': { it: 'inviato', en: 'sent' },
  'delivery.delivered': { it: 'consegnato', en: 'delivered' },
  'delivery.read': { it: 'letto', en: 'read' },
  'delivery.failed': { it: 'non consegnato', en: 'not delivered' },
  'delivery.not_sent': { it: 'non inviato', en: 'not sent' },
  'conv.thread': { it: 'Conversazione', en: 'Conversation' },
  'conv.citizen': { it: 'Cittadino', en: 'Citizen' },
  'conv.operator': { it: 'Operatore', en: 'Operator' },
  'conv.you': { it: 'Tu', en: 'You' },
  'conv.note': { it: 'Nota interna', en: 'Internal note' },
  'conv.noteHint': { it: 'visibile solo agli operatori', en: 'visible to operators only' },
  'conv.typing': { it: 'Il cittadino sta scrivendo…', en: 'The citizen is typing…' },
  'conv.via': { it: 'via {channel}', en: 'via {channel}' },
  'conv.to': { it: 'a {recipient}', en: 'to {recipient}' },
  'conv.download': { it: 'Scarica {name}', en: 'Download {name}' },
  'pec.verified': { it: 'PEC: firma del gestore verificata', en: 'PEC: provider signature verified' },
  'pec.not_verified': {
    it: 'PEC: firma del gestore non verificata (nessun certificato dei gestori configurato)',
    en: 'PEC: provider signature not verified (no provider certificates configured)',
  },
  'pec.invalid': {
    it: 'PEC: firma del gestore non valida, la busta potrebbe essere falsa',
    en: 'PEC: invalid provider signature, the envelope may be forged',
  },
  'conv.group': { it: 'Gruppo', en: 'Group' },
  'conv.assignee': { it: 'Assegnatario', en: 'Assignee' },
  'conv.nobody': { it: 'nessuno', en: 'nobody' },
  'conv.created': { it: 'Aperto il {date}', en: 'Opened on {date}' },
  'conv.counterHint': {
    it: 'Richiesta raccolta {channel}: le risposte scritte non raggiungono il cittadino. Usa le note interne e richiama il cittadino.',
    en: 'Request taken by {channel}: written replies cannot reach the citizen. Use internal notes and call the citizen back.',
  },
  'reply.label': { it: 'Scrivi una risposta', en: 'Write a reply' },
  'reply.noteLabel': { it: 'Scrivi una nota interna', en: 'Write an internal note' },
  'reply.mode': { it: 'Tipo di messaggio', en: 'Message type' },
  'reply.reply': { it: 'Risposta al cittadino', en: 'Reply to citizen' },
  'reply.note': { it: 'Nota interna', en: 'Internal note' },
  'reply.send': { it: 'Invia', en: 'Send' },
  'reply.addNote': { it: 'Aggiungi nota', en: 'Add note' },
  'reply.help': {
    it: 'Invio per inviare, Maiusc+Invio per andare a capo, «/» per le risposte rapide.',
    en: 'Enter sends, Shift+Enter adds a line, “/” opens canned responses.',
  },
  'reply.canned': { it: 'Risposte rapide', en: 'Canned responses' },
  'reply.cannedNone': { it: 'Nessuna risposta rapida corrisponde.', en: 'No canned response matches.' },
  'reply.failed': { it: 'Invio non riuscito: {error}', en: 'Sending failed: {error}' },
  'actions.title': { it: 'Azioni', en: 'Actions' },
  'actions.accept': { it: 'Accetta', en: 'Accept' },
  'actions.decline': { it: 'Rifiuta', en: 'Decline' },
  'actions.take': { it: 'Prendi in carico', en: 'Take it' },
  'actions.transfer': { it: 'Trasferisci', en: 'Transfer' },
  'actions.resolve': { it: 'Segna come risolto', en: 'Mark resolved' },
  'actions.reopen': { it: 'Riapri', en: 'Reopen' },
  'actions.status': { it: 'Stato', en: 'Status' },
  'actions.type': { it: 'Tipo', en: 'Type' },
  'actions.category': { it: 'Categoria', en: 'Category' },
  'actions.save': { it: 'Salva', en: 'Save' },
  'actions.done': { it: 'Fatto.', en: 'Done.' },
  'transfer.title': { it: 'Trasferisci il ticket', en: 'Transfer the ticket' },
  'transfer.group': { it: 'Gruppo di destinazione', en: 'Destination group' },
  'transfer.operator': { it: 'Operatore (facoltativo)', en: 'Operator (optional)' },
  'transfer.anyOperator': { it: 'Chiunque del gruppo', en: 'Anyone in the group' },
  'transfer.note': { it: 'Nota per chi riceve (interna)', en: 'Note for the recipient (internal)' },
  'transfer.submit': { it: 'Trasferisci', en: 'Transfer' },
  'transfer.cancel': { it: 'Annulla', en: 'Cancel' },
  'side.citizen': { it: 'Cittadino', en: 'Citizen' },
  'side.map': { it: 'Mappa', en: 'Map' },
  'side.history': { it: 'Cronologia', en: 'History' },
  'citizen.anonymous': { it: 'Cittadino senza nome', en: 'Unnamed citizen' },
  'citizen.identities': { it: 'Identità sui canali', en: 'Channel identities' },
  'citizen.contacts': { it: 'Contatti lasciati', en: 'Contacts left' },
  'citizen.tickets': { it: 'Altre richieste', en: 'Other requests' },
  'citizen.noTickets': { it: 'Nessun’altra richiesta visibile.', en: 'No other visible request.' },
  'citizen.consent': { it: 'Consenso privacy', en: 'Privacy consent' },
  'citizen.updates': { it: 'Aggiornamenti sul contatto', en: 'Updates on the contact' },
  'citizen.granted': { it: 'Dato il {date} ({source})', en: 'Given on {date} ({source})' },
  'citizen.refused': { it: 'Negato il {date} ({source})', en: 'Refused on {date} ({source})' },
  'citizen.unknown': { it: 'Non registrato', en: 'Not recorded' },
  'map.title': { it: 'Posizione della segnalazione', en: 'Position of the report' },
  'map.none': { it: 'Nessuna posizione per questo ticket.', en: 'No position for this ticket.' },
  'map.noTiles': {
    it: 'Mappa senza sfondo: è mostrato il confine del comune.',
    en: 'Map without background tiles: the comune’s boundary is shown.',
  },
  'map.coords': { it: 'Coordinate: {lat}, {lng}', en: 'Coordinates: {lat}, {lng}' },
  'map.zoomIn': { it: 'Ingrandisci', en: 'Zoom in' },
  'map.zoomOut': { it: 'Riduci', en: 'Zoom out' },
  'history.empty': { it: 'Nessun evento.', en: 'No events.' },
  'offer.title': { it: 'Nuova conversazione offerta', en: 'New conversation offered' },
  'offer.body': { it: '{reference}: {subject}', en: '{reference}: {subject}' },
  'offer.expires': { it: 'Scade tra {seconds} s', en: 'Expires in {seconds} s' },
  'offer.open': { it: 'Apri', en: 'Open' },
  'super.title': { it: 'Supervisione', en: 'Supervision' },
  'super.groups': { it: 'Code per gruppo', en: 'Queues by group' },
  'super.group': { it: 'Gruppo', en: 'Group' },
  'super.queued': { it: 'In coda', en: 'Queued' },
  'super.oldest': { it: 'Attesa più lunga', en: 'Longest wait' },
  'super.operators': { it: 'Operatori', en: 'Operators' },
  'super.name': { it: 'Nome', en: 'Name' },
  'super.role': { it: 'Ruolo', en: 'Role' },
  'super.presence': { it: 'Stato', en: 'Status' },
  'super.load': { it: 'Carico', en: 'Load' },
  'super.groupsOf': { it: 'Gruppi', en: 'Groups' },
  'role.operator': { it: 'Operatore', en: 'Operator' },
  'role.supervisor': { it: 'Supervisore', en: 'Supervisor' },
  'role.manager': { it: 'Responsabile', en: 'Manager' },
  'role.metro_admin': { it: 'Amministratore metropolitano', en: 'Metropolitan administrator' },
  'canned.title': { it: 'Risposte rapide per gruppo', en: 'Canned responses by group' },
  'canned.shortcut': { it: 'Scorciatoia', en: 'Shortcut' },
  'canned.titleField': { it: 'Titolo', en: 'Title' },
  'canned.body': { it: 'Testo', en: 'Text' },
  'canned.group': { it: 'Gruppo', en: 'Group' },
  'canned.add': { it: 'Aggiungi risposta rapida', en: 'Add canned response' },
  'canned.update': { it: 'Salva modifiche', en: 'Save changes' },
  'canned.edit': { it: 'Modifica', en: 'Edit' },
  'canned.delete': { it: 'Elimina', en: 'Delete' },
  'canned.empty': { it: 'Nessuna risposta rapida.', en: 'No canned responses.' },
  'new.title': { it: 'Nuova richiesta per conto del cittadino', en: 'New request on behalf of a citizen' },
  'new.intro': {
    it: 'Per chi ha telefonato o si è presentato allo sportello. La richiesta è instradata come tutte le altre.',
    en: 'For citizens who phoned or came to the desk. The request is routed like any other.',
  },
  'new.channel': { it: 'Come è arrivata', en: 'How it came in' },
  'new.citizen': { it: 'Il cittadino', en: 'The citizen' },
  'new.name': { it: 'Nome e cognome', en: 'Full name' },
  'new.phone': { it: 'Numero di telefono', en: 'Phone number' },
  'new.email': { it: 'E-mail', en: 'E-mail' },
  'new.fiscalCode': { it: 'Codice fiscale', en: 'Fiscal code' },
  'new.request': { it: 'La richiesta', en: 'The request' },
  'new.subject': { it: 'Oggetto', en: 'Subject' },
  'new.text': { it: 'Descrizione', en: 'Description' },
  'new.lat': { it: 'Latitudine', en: 'Latitude' },
  'new.lng': { it: 'Longitudine', en: 'Longitude' },
  'new.locationHint': { it: 'Necessaria per le segnalazioni.', en: 'Required for reports.' },
  'new.privacy': {
    it: 'Il cittadino ha letto l’informativa privacy e acconsente al trattamento dei dati per questa richiesta',
    en: 'The citizen has read the privacy notice and consents to the processing of their data for this request',
  },
  'new.updates': {
    it: 'Il cittadino vuole essere aggiornato sul contatto indicato',
    en: 'The citizen wants to be updated on the given contact',
  },
  'new.submit': { it: 'Registra la richiesta', en: 'Record the request' },
  'new.created': { it: 'Richiesta registrata con riferimento {reference}.', en: 'Request recorded with reference {reference}.' },
  'new.open': { it: 'Apri il ticket', en: 'Open the ticket' },
  'errors.generic': { it: 'Si è verificato un errore: {error}', en: 'Something went wrong: {error}' },
  'common.loading': { it: 'Caricamento…', en: 'Loading…' },
  'common.close': { it: 'Chiudi', en: 'Close' },
  'nav.inbox': { it: 'Conversazioni', en: 'Conversations' },
} satisfies Record<string, Text>;

export type TextKey = keyof typeof dict;

let lang: Lang = (localStorage.getItem('sportello.lang') as Lang | null) === 'en' ? 'en' : 'it';
const listeners = new Set<() => void>();
document.documentElement.lang = lang;

export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem('sportello.lang', next);
  document.documentElement.lang = next;
  listeners.forEach((l) => l());
}

export function currentLang(): Lang {
  return lang;
}

export function translate(key: TextKey | Text, vars: Record<string, string | number> = {}, l: Lang = lang): string {
  const entry = typeof key === 'string' ? dict[key] : key;
  const text = entry ? entry[l] : String(key);
  return text.replace(/\{(\w+)\}/g, (_, k: string) => (vars[k] !== undefined ? String(vars[k]) : `{${k}}`));
}

/** `t(key, vars)` in the current language; the component re-renders when the language changes. */
export function useI18n(): {
  lang: Lang;
  t: (key: TextKey | Text, vars?: Record<string, string | number>) => string;
  has: (key: string) => boolean;
} {
  const l = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => lang,
  );
  return { lang: l, t: (key, vars) => translate(key, vars, l), has: (key) => key in dict };
}

export function formatDuration(ms: number, l: Lang): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return l === 'it' ? `${s} s` : `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return l === 'it' ? `${Math.floor(h / 24)} giorni` : `${Math.floor(h / 24)} days`;
}

export function formatDateTime(iso: string, l: Lang): string {
  return new Intl.DateTimeFormat(l === 'it' ? 'it-IT' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: 'Europe/Rome',
  }).format(new Date(iso));
}
