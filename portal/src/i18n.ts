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
  // ── Segnala un disservizio, Richiedi assistenza, the case page (portal/src/report/) ──
  'comune.flows': { it: 'Segnalazioni e richieste', en: 'Reports and requests' },
  'comune.flowsText': {
    it: 'Segnala un problema del territorio o chiedi assistenza agli uffici; con il codice ricevuto puoi seguire la pratica.',
    en: 'Report a problem in the area or ask the offices for assistance; with the code you receive you can follow the case.',
  },
  'comune.lookup': { it: 'Segui una segnalazione o richiesta', en: 'Follow a report or request' },
  'flow.report.title': { it: 'Segnala un disservizio', en: 'Report a problem' },
  'flow.report.lead': {
    it: 'Segnala al Comune di {name} un problema del territorio: una buca, un lampione spento, rifiuti abbandonati.',
    en: 'Report a problem in the area to the Comune of {name}: a pothole, a broken street light, dumped waste.',
  },
  'flow.request.title': { it: 'Richiedi assistenza', en: 'Ask for assistance' },
  'flow.request.lead': {
    it: 'Chiedi informazioni o aiuto agli uffici del Comune di {name} su un servizio.',
    en: 'Ask the offices of the Comune of {name} for information or help about a service.',
  },
  'flow.steps': { it: 'Passaggi del modulo', en: 'Steps of the form' },
  'flow.stepDone': { it: 'completato', en: 'done' },
  'flow.step.privacy': { it: 'Informativa sulla privacy', en: 'Privacy notice' },
  'flow.step.place': { it: 'Luogo', en: 'Place' },
  'flow.step.topic': { it: 'Servizio', en: 'Service' },
  'flow.step.details': { it: 'Dettagli', en: 'Details' },
  'flow.step.contact': { it: 'Contatti', en: 'Contact details' },
  'flow.step.summary': { it: 'Riepilogo', en: 'Summary' },
  'flow.errorsTitle': { it: 'Controlla questi campi:', en: 'Please check these fields:' },
  'flow.field': { it: 'Campo', en: 'Field' },
  'flow.choose': { it: 'Scegli un’opzione', en: 'Choose an option' },
  'flow.next': { it: 'Avanti', en: 'Next' },
  'flow.back': { it: 'Indietro', en: 'Back' },
  'flow.edit': { it: 'Modifica', en: 'Edit' },
  'flow.send': { it: 'Invia', en: 'Send' },
  'flow.sending': { it: 'Invio in corso…', en: 'Sending…' },
  'flow.backToComune': { it: 'Torna alla pagina del Comune di {name}', en: 'Back to the page of the Comune of {name}' },
  'flow.err.required': { it: 'è obbligatorio', en: 'is required' },
  'flow.err.privacy': {
    it: 'per procedere occorre dichiarare di aver letto l’informativa',
    en: 'you must confirm you have read the notice to go on',
  },
  'flow.err.place': {
    it: 'indica il punto sulla mappa oppure scrivi l’indirizzo',
    en: 'mark the point on the map or type the address',
  },
  'flow.err.max': { it: 'può avere al massimo {n} caratteri', en: 'can have at most {n} characters' },
  'flow.err.email': { it: 'non è un indirizzo e-mail valido', en: 'is not a valid e-mail address' },
  'flow.err.phone': { it: 'non è un numero di telefono valido', en: 'is not a valid phone number' },
  'flow.err.photoType': {
    it: '«{name}» non è una foto JPEG, PNG o WebP',
    en: '«{name}» is not a JPEG, PNG or WebP photo',
  },
  'flow.err.documentType': { it: '«{name}» non è un documento PDF', en: '«{name}» is not a PDF document' },
  'flow.err.fileSize': { it: '«{name}» supera {mb} MB', en: '«{name}» is larger than {mb} MB' },
  'flow.err.fileCount': { it: 'si possono allegare al massimo {n} file', en: 'at most {n} files can be attached' },
  'flow.privacy.text': {
    it: 'Il Comune di {name}, titolare del trattamento, usa i dati che inserisci in questo modulo (nome, contatti, descrizione, luogo e allegati) solo per gestire la tua segnalazione o richiesta e per risponderti, come previsto dal Regolamento UE 2016/679 (GDPR). I dati sono conservati per il tempo necessario alla pratica e agli obblighi di legge.',
    en: 'The Comune of {name}, data controller, uses the data you enter in this form (name, contacts, description, place and attachments) only to handle your report or request and to answer you, as the EU Regulation 2016/679 (GDPR) provides. The data are kept as long as the case and the law require.',
  },
  'flow.privacy.rights': {
    it: 'Puoi chiedere in ogni momento l’accesso, la rettifica o la cancellazione dei tuoi dati scrivendo all’URP del Comune.',
    en: 'You can ask at any time for access to, correction or deletion of your data by writing to the comune’s public relations office.',
  },
  'flow.privacy.consent': {
    it: 'Ho letto e compreso l’informativa sulla privacy',
    en: 'I have read and understood the privacy notice',
  },
  'flow.place.title': { it: 'Punto sulla mappa', en: 'Point on the map' },
  'flow.place.help': {
    it: 'Tocca la mappa nel punto del problema. Con la tastiera: porta il fuoco sulla mappa e usa le frecce per spostare il segnaposto, oppure usa il centro della mappa. Se preferisci, scrivi solo l’indirizzo.',
    en: 'Tap the map where the problem is. With the keyboard: focus the map and move the pin with the arrow keys, or use the map’s centre. If you prefer, just type the address.',
  },
  'flow.map.label': { it: 'Mappa del Comune: posizione del disservizio', en: 'Map of the comune: where the problem is' },
  'flow.map.useCentre': { it: 'Usa il centro della mappa', en: 'Use the centre of the map' },
  'flow.map.zoomIn': { it: 'Ingrandisci', en: 'Zoom in' },
  'flow.map.zoomOut': { it: 'Riduci', en: 'Zoom out' },
  'flow.place.pinned': { it: 'Punto scelto: {lat}, {lon}', en: 'Point chosen: {lat}, {lon}' },
  'flow.place.outside': {
    it: 'Il punto scelto è fuori dal territorio del Comune di {name}: scegline uno all’interno del confine.',
    en: 'The point chosen is outside the Comune of {name}: choose one inside the boundary.',
  },
  'flow.place.remove': { it: 'Togli il segnaposto', en: 'Remove the pin' },
  'flow.place.removed': { it: 'Segnaposto tolto.', en: 'Pin removed.' },
  'flow.place.address': { it: 'Indirizzo o luogo', en: 'Address or place' },
  'flow.place.addressHint': {
    it: 'Per esempio «Via Roma 10» o «davanti alla scuola elementare». Obbligatorio se non metti il segnaposto.',
    en: 'For example «Via Roma 10» or «in front of the primary school». Required without a pin.',
  },
  'flow.topic.label': { it: 'Servizio su cui chiedi assistenza', en: 'Service you need assistance with' },
  'flow.details.category': { it: 'Categoria del disservizio', en: 'Category of the problem' },
  'flow.details.title': { it: 'Titolo', en: 'Title' },
  'flow.details.description': { it: 'Descrizione', en: 'Description' },
  'flow.details.descriptionHint': {
    it: 'Cosa hai visto, da quando, se è pericoloso.',
    en: 'What you saw, since when, whether it is dangerous.',
  },
  'flow.details.requestHint': {
    it: 'Che cosa ti serve: gli uffici ti rispondono per e-mail.',
    en: 'What you need: the offices answer you by e-mail.',
  },
  'flow.details.photos': { it: 'Foto (facoltative)', en: 'Photos (optional)' },
  'flow.details.photosHint': {
    it: 'Fino a 3 foto JPEG, PNG o WebP, al massimo 10 MB ciascuna.',
    en: 'Up to 3 JPEG, PNG or WebP photos, 10 MB each at most.',
  },
  'flow.details.documents': { it: 'Documenti (facoltativi)', en: 'Documents (optional)' },
  'flow.details.documentsHint': {
    it: 'Fino a 3 documenti PDF, al massimo 10 MB ciascuno.',
    en: 'Up to 3 PDF documents, 10 MB each at most.',
  },
  'flow.details.remove': { it: 'Rimuovi', en: 'Remove' },
  'flow.details.filesNotKept': {
    it: 'Gli allegati non sono salvati nella bozza: se riprendi il modulo più tardi, allegali di nuovo.',
    en: 'Attachments are not kept in the draft: if you resume the form later, attach them again.',
  },
  'flow.nearby.title': { it: 'Segnalazioni simili vicine', en: 'Similar reports nearby' },
  'flow.nearby.lead': {
    it: 'Qualcuno ha già segnalato un problema simile qui vicino. Se è lo stesso, seguilo: riceverai gli aggiornamenti senza aprire una nuova pratica.',
    en: 'Someone already reported a similar problem nearby. If it is the same, follow it: you will get its updates without opening a new case.',
  },
  'flow.nearby.email': { it: 'La tua e-mail per gli aggiornamenti', en: 'Your e-mail for the updates' },
  'flow.nearby.emailHint': {
    it: 'Riceverai un’e-mail quando sarà presa in carico e quando sarà risolta; ogni e-mail ha il link per smettere.',
    en: 'You will get an e-mail when it is taken in charge and when it is resolved; each e-mail has a link to stop.',
  },
  'flow.nearby.distance': { it: 'a {m} m', en: '{m} m away' },
  'flow.nearby.since': { it: 'dal {date}', en: 'since {date}' },
  'flow.nearby.follow': { it: 'Segui questa', en: 'Follow this one' },
  'flow.nearby.edit': { it: 'Modifica i dettagli', en: 'Edit the details' },
  'flow.nearby.new': { it: 'Nessuna di queste: continua con una nuova segnalazione', en: 'None of these: go on with a new report' },
  'flow.nearby.followedTitle': { it: 'Ora segui la segnalazione', en: 'You now follow the report' },
  'flow.nearby.followed': {
    it: 'Segui la segnalazione {reference}: ti abbiamo inviato un’e-mail di conferma e riceverai gli aggiornamenti.',
    en: 'You follow report {reference}: we sent you a confirmation e-mail and you will get its updates.',
  },
  'flow.contact.anonymous': {
    it: 'Non hai effettuato l’accesso: indica come possiamo contattarti.',
    en: 'You are not signed in: tell us how to contact you.',
  },
  'flow.contact.fromProfile': {
    it: 'Abbiamo compilato i dati dal tuo profilo: puoi correggerli.',
    en: 'We filled in the data from your profile: you can correct them.',
  },
  'flow.contact.name': { it: 'Nome e cognome', en: 'Full name' },
  'flow.contact.email': { it: 'E-mail', en: 'E-mail' },
  'flow.contact.emailHint': {
    it: 'Qui ricevi il riepilogo e le risposte del Comune.',
    en: 'Here you receive the summary and the comune’s answers.',
  },
  'flow.contact.phone': { it: 'Telefono (facoltativo)', en: 'Phone (optional)' },
  'flow.contact.updates': {
    it: 'Voglio ricevere per e-mail gli aggiornamenti sulla pratica',
    en: 'I want to receive the case’s updates by e-mail',
  },
  'flow.summary.lead': { it: 'Controlla i dati prima di inviare.', en: 'Check the data before sending.' },
  'flow.summary.files': { it: 'Allegati', en: 'Attachments' },
  'flow.expired': {
    it: 'La sessione è scaduta. Accedi di nuovo per inviare: la bozza resta salvata e la ritrovi al ritorno.',
    en: 'Your session has expired. Sign in again to send: the draft is kept and you will find it when you come back.',
  },
  'flow.loginAgain': { it: 'Accedi di nuovo', en: 'Sign in again' },
  'flow.draft.title': { it: 'Hai una bozza', en: 'You have a draft' },
  'flow.draft.text': {
    it: 'Hai una bozza del {date}: vuoi riprenderla o ricominciare?',
    en: 'You have a draft from {date}: resume it or start again?',
  },
  'flow.draft.resume': { it: 'Riprendi', en: 'Resume' },
  'flow.draft.restart': { it: 'Ricomincia', en: 'Start again' },
  'flow.done.reportTitle': { it: 'Segnalazione inviata', en: 'Report sent' },
  'flow.done.requestTitle': { it: 'Richiesta inviata', en: 'Request sent' },
  'flow.done.code': { it: 'Codice della pratica', en: 'Case code' },
  'flow.done.keep': {
    it: 'Conserva il codice: con il codice e la tua e-mail puoi seguire la pratica.',
    en: 'Keep the code: with it and your e-mail you can follow the case.',
  },
  'flow.done.email': {
    it: 'Riceverai un’e-mail di riepilogo all’indirizzo {email}. Gli uffici del Comune di {name} ti risponderanno lì.',
    en: 'You will receive a summary e-mail at {email}. The offices of the Comune of {name} will answer you there.',
  },
  'flow.done.open': { it: 'Vedi la pratica', en: 'See the case' },
  'flow.done.mine': { it: 'Vai a Le mie richieste', en: 'Go to My requests' },
  'flow.rating.title': { it: 'Valuta il servizio', en: 'Rate the service' },
  'flow.rating.serviceLegend': {
    it: 'Quanto è stato facile usare questo servizio online?',
    en: 'How easy was it to use this online service?',
  },
  'flow.rating.stars': { it: '{n} stelle su 5', en: '{n} stars out of 5' },
  'flow.rating.comment': { it: 'Commento (facoltativo)', en: 'Comment (optional)' },
  'flow.rating.send': { it: 'Invia la valutazione', en: 'Send the rating' },
  'flow.rating.required': { it: 'Scegli da 1 a 5 stelle.', en: 'Choose from 1 to 5 stars.' },
  'flow.rating.thanks': { it: 'Grazie per la tua valutazione.', en: 'Thank you for your rating.' },
  'case.title': { it: 'Pratica', en: 'Case' },
  'case.lookupTitle': { it: 'Segui una segnalazione o richiesta', en: 'Follow a report or request' },
  'case.lookupLead': {
    it: 'Inserisci il codice della pratica e l’e-mail con cui l’hai inviata al Comune di {name}.',
    en: 'Enter the case code and the e-mail you sent it with to the Comune of {name}.',
  },
  'case.reference': { it: 'Codice della pratica', en: 'Case code' },
  'case.referenceHint': {
    it: 'Per esempio MOD-2026-000123: è nell’e-mail di riepilogo.',
    en: 'For example MOD-2026-000123: it is in the summary e-mail.',
  },
  'case.emailHint': { it: 'L’indirizzo indicato nel modulo.', en: 'The address given in the form.' },
  'case.err.reference': { it: 'non è un codice valido (per esempio MOD-2026-000123)', en: 'is not a valid code (e.g. MOD-2026-000123)' },
  'case.open': { it: 'Apri la pratica', en: 'Open the case' },
  'case.notFound': {
    it: 'Nessuna pratica con questo codice e questa e-mail. Controlla i dati e riprova.',
    en: 'No case with this code and this e-mail. Check the data and try again.',
  },
  'case.throttled': { it: 'Troppi tentativi: riprova tra qualche minuto.', en: 'Too many attempts: try again in a few minutes.' },
  'case.address': { it: 'Luogo', en: 'Place' },
  'case.merged': {
    it: 'Questa segnalazione è stata unita alla segnalazione {reference}, che riguarda lo stesso problema.',
    en: 'This report was merged into report {reference}, about the same problem.',
  },
  'case.followMerged': { it: 'Segui {reference}', en: 'Follow {reference}' },
  'case.followTitle': { it: 'Segui questa segnalazione', en: 'Follow this report' },
  'case.follow': { it: 'Segui', en: 'Follow' },
  'case.followed': { it: 'Ora segui la segnalazione {reference}.', en: 'You now follow report {reference}.' },
  'case.alreadyFollowing': { it: 'Segui già la segnalazione {reference}.', en: 'You already follow report {reference}.' },
  'case.rateTitle': { it: 'Valuta la risposta', en: 'Rate the answer' },
  'case.rateLegend': {
    it: 'Quanto sei soddisfatto di come il Comune ha gestito la pratica?',
    en: 'How satisfied are you with how the comune handled the case?',
  },
  'case.rated': { it: 'Hai valutato il servizio: {n} su 5', en: 'You rated the service: {n} out of 5' },
  'unfollow.title': { it: 'Non seguire più la segnalazione', en: 'Stop following the report' },
  'unfollow.lead': {
    it: 'Non riceverai più e-mail sugli aggiornamenti di questa segnalazione.',
    en: 'You will no longer receive e-mails about this report’s updates.',
  },
  'unfollow.button': { it: 'Non seguire più', en: 'Stop following' },
  'unfollow.done': {
    it: 'Fatto: non riceverai più aggiornamenti su questa segnalazione.',
    en: 'Done: you will no longer receive updates on this report.',
  },
  'unfollow.invalid': {
    it: 'Il link non è valido o è già stato usato.',
    en: 'The link is not valid or was already used.',
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
