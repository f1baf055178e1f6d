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
  // ── Public map of reports ──
  'pmap.short': { it: 'Segnalazioni', en: 'Reports' },
  'pmap.title': { it: 'Segnalazioni nel comune di {name}', en: 'Reports in the comune of {name}' },
  'pmap.lead': {
    it: 'Le segnalazioni di disservizi inviate al Comune: dove, di che tipo, a che punto sono. Nessun dato personale di chi le ha inviate.',
    en: 'The reports of problems sent to the comune: where, what kind, how far along. No personal data of the people who sent them.',
  },
  'pmap.comuneLink': { it: 'Segnalazioni nel comune: mappa ed elenco', en: 'Reports in the comune: map and list' },
  'pmap.comuneSection': { it: 'Segnalazioni', en: 'Reports' },
  'pmap.comuneText': {
    it: 'Guarda sulla mappa o in elenco le segnalazioni di buche, lampioni spenti, rifiuti e altri disservizi, e il loro stato.',
    en: 'See on the map or in a list the reports of potholes, broken street lights, rubbish and other problems, and their state.',
  },
  'pmap.filters': { it: 'Filtra le segnalazioni', en: 'Filter the reports' },
  'pmap.category': { it: 'Categoria', en: 'Category' },
  'pmap.allCategories': { it: 'Tutte le categorie', en: 'All categories' },
  'pmap.noCategory': { it: 'Senza categoria', en: 'No category' },
  'pmap.state': { it: 'Stato', en: 'State' },
  'pmap.stateLabel': { it: 'Stato', en: 'State' },
  'pmap.allStates': { it: 'Tutti gli stati', en: 'All states' },
  'pmap.state.aperte': { it: 'Aperta (ricevuta)', en: 'Open (received)' },
  'pmap.state.in-lavorazione': { it: 'In lavorazione', en: 'In progress' },
  'pmap.state.risolte': { it: 'Risolta', en: 'Resolved' },
  'pmap.period': { it: 'Periodo', en: 'Period' },
  'pmap.anyTime': { it: 'Sempre', en: 'Any time' },
  'pmap.period.7': { it: 'Ultimi 7 giorni', en: 'Last 7 days' },
  'pmap.period.30': { it: 'Ultimi 30 giorni', en: 'Last 30 days' },
  'pmap.period.90': { it: 'Ultimi 3 mesi', en: 'Last 3 months' },
  'pmap.period.365': { it: 'Ultimo anno', en: 'Last year' },
  'pmap.view': { it: 'Mostra come', en: 'Show as' },
  'pmap.list': { it: 'Elenco', en: 'List' },
  'pmap.map': { it: 'Mappa', en: 'Map' },
  'pmap.countMap': { it: '{n} segnalazioni sulla mappa', en: '{n} reports on the map' },
  'pmap.countMapTruncated': {
    it: 'Le {n} segnalazioni più recenti sulla mappa: restringi i filtri per vedere le altre',
    en: 'The {n} most recent reports on the map: narrow the filters to see the others',
  },
  'pmap.countList': { it: '{n} segnalazioni', en: '{n} reports' },
  'pmap.countListMore': { it: '{n} segnalazioni mostrate, altre disponibili', en: '{n} reports shown, more available' },
  'pmap.none': { it: 'Nessuna segnalazione corrisponde ai filtri scelti.', en: 'No report matches the chosen filters.' },
  'pmap.place': { it: 'Luogo', en: 'Place' },
  'pmap.pinOnly': { it: 'Punto indicato sulla mappa', en: 'Point marked on the map' },
  'pmap.opened': { it: 'Aperta il', en: 'Opened on' },
  'pmap.updated': { it: 'Aggiornata il', en: 'Updated on' },
  'pmap.reference': { it: 'Codice', en: 'Reference' },
  'pmap.photoAlt': { it: 'Foto della segnalazione: {category}, {place}', en: 'Photo of the report: {category}, {place}' },
  'pmap.more': { it: 'Mostra altre segnalazioni', en: 'Show more reports' },
  'pmap.mapHint': {
    it: 'Ogni segnalazione è un punto sulla mappa: con il tasto Tab si passa da un punto all’altro, Invio ne apre la scheda. L’elenco mostra le stesse segnalazioni.',
    en: 'Each report is a point on the map: the Tab key moves from one point to the next, Enter opens its card. The list shows the same reports.',
  },
  'pmap.mapRegion': { it: 'Mappa delle segnalazioni', en: 'Map of the reports' },
  'pmap.mapCaption': { it: 'In blu il confine del comune.', en: 'In blue, the comune’s boundary.' },
  'pmap.noTiles': {
    it: 'Lo sfondo cartografico non è configurato: sono mostrati il confine e i punti.',
    en: 'No map background is configured: the boundary and the points are shown.',
  },
  'pmap.legend': { it: 'Legenda degli stati', en: 'Legend of the states' },
  'pmap.markerName': { it: '{category}, {state}: {place}', en: '{category}, {state}: {place}' },
  'pmap.zoomIn': { it: 'Ingrandisci', en: 'Zoom in' },
  'pmap.zoomOut': { it: 'Riduci', en: 'Zoom out' },
  // ── personal area settings: channels, notifications, consents ──
  'area.nav': { it: 'Sezioni dell’area personale', en: 'Personal area sections' },
  'area.profile': { it: 'Profilo', en: 'Profile' },
  'area.cases': { it: 'Le mie richieste', en: 'My requests' },
  'area.channels': { it: 'Canali collegati', en: 'Linked channels' },
  'area.notifications': { it: 'Notifiche', en: 'Notifications' },
  'area.consents': { it: 'Consensi', en: 'Consents' },
  'area.privacy': { it: 'Privacy', en: 'Privacy' },
  'channels.title': { it: 'Canali collegati', en: 'Linked channels' },
  'channels.lead': {
    it: 'I numeri WhatsApp, le chat Telegram e gli indirizzi e-mail collegati alla tua area personale: le richieste che invii da questi canali compaiono tra «Le mie richieste».',
    en: 'The WhatsApp numbers, Telegram chats and e-mail addresses linked to your personal area: the requests you send from them appear in «My requests».',
  },
  'channels.linked': { it: 'I tuoi canali', en: 'Your channels' },
  'channels.none': { it: 'Nessun canale collegato.', en: 'No channel linked yet.' },
  'channels.name.whatsapp': { it: 'WhatsApp', en: 'WhatsApp' },
  'channels.name.telegram': { it: 'Telegram', en: 'Telegram' },
  'channels.name.email': { it: 'E-mail', en: 'E-mail' },
  'channels.name.portal': { it: 'Portale (e-mail)', en: 'Portal (e-mail)' },
  'channels.linkedOn': { it: 'Collegato il {date}', en: 'Linked on {date}' },
  'channels.unlink': { it: 'Scollega', en: 'Unlink' },
  'channels.unlinkLabel': { it: 'Scollega {channel} {address}', en: 'Unlink {channel} {address}' },
  'channels.confirmTitle': { it: 'Conferma lo scollegamento', en: 'Confirm unlinking' },
  'channels.confirm': {
    it: 'Vuoi scollegare {channel} {address}? Le richieste inviate da questo canale non compariranno più nella tua area personale.',
    en: 'Unlink {channel} {address}? Requests sent from it will no longer appear in your personal area.',
  },
  'channels.confirmYes': { it: 'Sì, scollega', en: 'Yes, unlink' },
  'channels.confirmNo': { it: 'Annulla', en: 'Cancel' },
  'channels.unlinked': { it: '{channel} {address} è stato scollegato.', en: '{channel} {address} has been unlinked.' },
  'channels.unlinkError': {
    it: 'Non è stato possibile scollegare il canale. Riprova.',
    en: 'The channel could not be unlinked. Please try again.',
  },
  'channels.link': { it: 'Collega un canale', en: 'Link a channel' },
  'channels.linkIntro': {
    it: 'Scegli il canale: ti daremo un codice da inviare da quel canale al Comune. Il codice vale 15 minuti.',
    en: 'Choose the channel: you will get a code to send from it to the comune. The code is valid for 15 minutes.',
  },
  'channels.which': { it: 'Quale canale vuoi collegare?', en: 'Which channel do you want to link?' },
  'channels.comune': { it: 'Comune a cui inviare il codice', en: 'Comune to send the code to' },
  'channels.getCode': { it: 'Ottieni il codice', en: 'Get the code' },
  'channels.codeTitle': { it: 'Il tuo codice di collegamento', en: 'Your link code' },
  'channels.send': { it: 'Invia il messaggio', en: 'Send the message' },
  'channels.to.whatsapp': {
    it: 'al numero WhatsApp {address} del Comune di {comune}, dal numero che vuoi collegare.',
    en: 'to the WhatsApp number {address} of the Comune of {comune}, from the number you want to link.',
  },
  'channels.to.telegram': {
    it: 'al bot Telegram {address} del Comune di {comune}, dalla chat che vuoi collegare.',
    en: 'to the Telegram bot {address} of the Comune of {comune}, from the chat you want to link.',
  },
  'channels.to.email': {
    it: 'all’indirizzo {address} del Comune di {comune}, dall’indirizzo e-mail che vuoi collegare (nella prima riga del testo).',
    en: 'to the address {address} of the Comune of {comune}, from the e-mail address you want to link (on the first line of the text).',
  },
  'channels.open.whatsapp': { it: 'Apri WhatsApp', en: 'Open WhatsApp' },
  'channels.open.telegram': { it: 'Apri il bot su Telegram', en: 'Open the bot on Telegram' },
  'channels.open.email': { it: 'Scrivi l’e-mail', en: 'Write the e-mail' },
  'channels.expires': { it: 'Il codice scade alle {time}.', en: 'The code expires at {time}.' },
  'channels.waiting': {
    it: 'Appena il messaggio arriva, il canale compare qui sopra: la pagina controlla da sola ogni pochi secondi.',
    en: 'As soon as the message arrives, the channel appears above: the page checks by itself every few seconds.',
  },
  'channels.refresh': { it: 'Ho inviato il messaggio: aggiorna', en: 'I sent the message: refresh' },
  'channels.cancel': { it: 'Annulla', en: 'Cancel' },
  'channels.linkedNow': { it: 'Collegamento riuscito: {channel} {address}.', en: 'Linked: {channel} {address}.' },
  'channels.expired': { it: 'Il codice è scaduto: chiedine uno nuovo.', en: 'The code has expired: ask for a new one.' },
  'channels.tooMany': {
    it: 'Troppe richieste di codici: riprova tra qualche minuto.',
    en: 'Too many codes requested: try again in a few minutes.',
  },
  'channels.codeError': {
    it: 'Non è stato possibile generare il codice. Riprova.',
    en: 'The code could not be generated. Please try again.',
  },
  'notifications.title': { it: 'Notifiche', en: 'Notifications' },
  'notifications.lead': {
    it: 'Scegli dove ricevere ogni tipo di avviso. Puoi scegliere solo i canali collegati alla tua area personale.',
    en: 'Choose where to receive each kind of notice. Only the channels linked to your personal area can be chosen.',
  },
  'notifications.linkHint': {
    it: 'Per ricevere avvisi su WhatsApp o Telegram collega prima il canale:',
    en: 'To get notices on WhatsApp or Telegram, link the channel first:',
  },
  'notifications.purpose.updates': { it: 'Aggiornamenti sulle mie richieste', en: 'Updates on my requests' },
  'notifications.purpose.replies': { it: 'Risposte degli operatori', en: 'Operators’ replies' },
  'notifications.purpose.announcements': { it: 'Avvisi e comunicazioni del Comune', en: 'Notices from the comune' },
  'notifications.purpose.reminders': { it: 'Promemoria degli appuntamenti', en: 'Appointment reminders' },
  'notifications.hint.updates': {
    it: 'Quando una richiesta è presa in carico e quando è risolta.',
    en: 'When a request is taken in charge and when it is resolved.',
  },
  'notifications.hint.replies': {
    it: 'Quando un operatore ti scrive su una richiesta.',
    en: 'When an operator writes to you about a request.',
  },
  'notifications.hint.announcements': {
    it: 'Comunicazioni del Comune a chi le vuole ricevere.',
    en: 'Notices the comune sends to those who want them.',
  },
  'notifications.hint.reminders': { it: 'Promemoria prima di un appuntamento prenotato.', en: 'Reminders before a booked appointment.' },
  'notifications.later': {
    it: '(Servizio in arrivo: la scelta vale da quando sarà attivo.)',
    en: '(Coming soon: the choice applies once it is active.)',
  },
  'notifications.default': { it: 'Come di consueto (il canale da cui hai scritto)', en: 'As usual (the channel you wrote from)' },
  'notifications.channel.email': { it: 'E-mail', en: 'E-mail' },
  'notifications.channel.whatsapp': { it: 'WhatsApp', en: 'WhatsApp' },
  'notifications.channel.telegram': { it: 'Telegram', en: 'Telegram' },
  'notifications.channel.io': { it: 'App IO', en: 'IO app' },
  'notifications.channel.none': { it: 'Nessun avviso', en: 'No notices' },
  'notifications.unavailable': { it: 'non disponibile', en: 'not available' },
  'notifications.save': { it: 'Salva le preferenze', en: 'Save preferences' },
  'notifications.saved': { it: 'Preferenze salvate.', en: 'Preferences saved.' },
  'notifications.saveError': {
    it: 'Non è stato possibile salvare le preferenze. Riprova.',
    en: 'The preferences could not be saved. Please try again.',
  },
  'consents.title': { it: 'Consensi', en: 'Consents' },
  'consents.lead': {
    it: 'I consensi che hai dato ai Comuni con le tue richieste, con le date. Puoi revocare in ogni momento il consenso a ricevere aggiornamenti.',
    en: 'The consents you gave the comuni with your requests, with their dates. You can withdraw your consent to updates at any time.',
  },
  'consents.privacyHint': {
    it: 'L’informativa privacy accettata con una richiesta non si revoca: i dati sono conservati come prevede la legge. Per i tuoi diritti:',
    en: 'The privacy notice accepted with a request cannot be withdrawn: the data are kept as the law requires. For your rights:',
  },
  'consents.none': { it: 'Nessun consenso registrato.', en: 'No consent recorded.' },
  'consents.purpose.privacy': { it: 'Informativa privacy', en: 'Privacy notice' },
  'consents.purpose.updates': { it: 'Ricevere aggiornamenti', en: 'Receiving updates' },
  'consents.comune': { it: 'Comune di {comune}', en: 'Comune of {comune}' },
  'consents.statusActive': { it: 'Attivo', en: 'Active' },
  'consents.statusWithdrawn': { it: 'Revocato', en: 'Withdrawn' },
  'consents.given': { it: 'Dato il', en: 'Given on' },
  'consents.withdrawnOn': { it: 'Revocato il', en: 'Withdrawn on' },
  'consents.case': { it: 'Pratica', en: 'Case' },
  'consents.contact': { it: 'Recapito', en: 'Contact' },
  'consents.withdraw': { it: 'Revoca', en: 'Withdraw' },
  'consents.withdrawLabel': {
    it: 'Revoca: {purpose}, Comune di {comune}, dato il {date}',
    en: 'Withdraw: {purpose}, Comune of {comune}, given on {date}',
  },
  'consents.confirmTitle': { it: 'Conferma la revoca', en: 'Confirm the withdrawal' },
  'consents.confirm': {
    it: 'Vuoi revocare il consenso agli aggiornamenti? Il Comune di {comune} non ti scriverà più per aggiornarti sulle tue richieste.',
    en: 'Withdraw your consent to updates? The Comune of {comune} will no longer write to you about your requests.',
  },
  'consents.confirmYes': { it: 'Sì, revoca', en: 'Yes, withdraw' },
  'consents.confirmNo': { it: 'Annulla', en: 'Cancel' },
  'consents.withdrawn': {
    it: 'Consenso revocato il {date} (Comune di {comune}).',
    en: 'Consent withdrawn on {date} (Comune of {comune}).',
  },
  'consents.withdrawError': {
    it: 'Non è stato possibile revocare il consenso. Riprova.',
    en: 'The consent could not be withdrawn. Please try again.',
  },
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
