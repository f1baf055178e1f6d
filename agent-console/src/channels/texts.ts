import type { Text } from '../lib/i18n';

/** Texts of the Canali page: Italian first, English available. */
export const T = {
  title: { it: 'Canali', en: 'Channels' },
  intro: {
    it: 'Gli account con cui il comune riceve e risponde ai cittadini: numeri WhatsApp, bot Telegram, caselle e-mail e PEC. Le credenziali si possono solo scrivere: una volta salvate non vengono più mostrate.',
    en: 'The accounts the comune uses to receive and answer citizens: WhatsApp numbers, Telegram bots, e-mail and PEC mailboxes. Credentials are write-only: once saved they are never shown again.',
  },
  comune: { it: 'Comune', en: 'Comune' },
  chooseComune: { it: 'Scegli un comune', en: 'Choose a comune' },
  pickFirst: { it: 'Scegli il comune di cui configurare i canali.', en: 'Choose the comune whose channels you want to configure.' },
  contactPage: { it: 'Pagina pubblica dei contatti del comune', en: 'The comune’s public contact page' },
  contactPageHint: {
    it: 'con i codici QR di WhatsApp, Telegram e web chat, da pubblicare sul sito del comune',
    en: 'with QR codes for WhatsApp, Telegram and web chat, to publish on the comune’s site',
  },
  newTab: { it: '(si apre in una nuova scheda)', en: '(opens in a new tab)' },
  accounts: { it: 'Account del comune', en: 'Accounts of the comune' },
  none: { it: 'Nessun account configurato.', en: 'No account configured.' },
  add: { it: 'Nuovo account', en: 'New account' },
  edit: { it: 'Modifica', en: 'Edit' },
  enable: { it: 'Attiva', en: 'Enable' },
  disable: { it: 'Disattiva', en: 'Disable' },
  enabled: { it: 'Attivo', en: 'Enabled' },
  disabled: { it: 'Disattivato', en: 'Disabled' },
  state: { it: 'Stato', en: 'State' },
  channel: { it: 'Canale', en: 'Channel' },
  settings: { it: 'Impostazioni', en: 'Settings' },
  credentials: { it: 'Credenziali', en: 'Credentials' },
  noCredentials: { it: 'Nessuna credenziale per questo canale.', en: 'No credentials for this channel.' },
  isSet: { it: 'impostato', en: 'set' },
  notSet: { it: 'non impostato', en: 'not set' },
  yes: { it: 'sì', en: 'yes' },
  no: { it: 'no', en: 'no' },
  providerSetup: { it: 'Configurazione presso il fornitore', en: 'Setup at the provider' },
  copy: { it: 'Copia', en: 'Copy' },
  copied: { it: 'Indirizzo copiato negli appunti.', en: 'Address copied to the clipboard.' },
  loading: { it: 'Caricamento…', en: 'Loading…' },
  loadFailed: { it: 'Impossibile caricare gli account: {error}', en: 'Could not load the accounts: {error}' },

  formNew: { it: 'Nuovo account', en: 'New account' },
  formEdit: { it: 'Modifica «{label}»', en: 'Edit “{label}”' },
  formChannel: { it: 'Canale', en: 'Channel' },
  formLabel: { it: 'Nome dell’account', en: 'Account name' },
  formLabelHint: {
    it: 'Come gli operatori vedono l’account, ad esempio «WhatsApp URP».',
    en: 'How operators see the account, e.g. “WhatsApp URP”.',
  },
  formEnabled: { it: 'Account attivo (riceve e invia messaggi)', en: 'Account enabled (receives and sends messages)' },
  required: { it: '(obbligatorio)', en: '(required)' },
  secretKeep: { it: 'Attualmente impostato: lascia vuoto per non cambiarlo.', en: 'Currently set: leave empty to keep it.' },
  secretUnset: { it: 'Attualmente non impostato.', en: 'Currently not set.' },
  secretPairKeep: {
    it: 'Credenziali attualmente impostate: lascia vuoti utente e password per non cambiarle, oppure scrivili entrambi.',
    en: 'Credentials currently set: leave user and password empty to keep them, or fill in both.',
  },
  generate: { it: 'Genera un valore casuale', en: 'Generate a random value' },
  generated: { it: 'Valore casuale generato.', en: 'Random value generated.' },
  save: { it: 'Salva', en: 'Save' },
  create: { it: 'Crea l’account', en: 'Create the account' },
  cancel: { it: 'Annulla', en: 'Cancel' },
  saving: { it: 'Salvataggio…', en: 'Saving…' },
  fixFields: { it: 'L’account non è stato salvato: correggi i campi indicati.', en: 'The account was not saved: fix the fields shown.' },
  notSaved: { it: 'L’account non è stato salvato: {error}', en: 'The account was not saved: {error}' },
  saved: { it: 'Account «{label}» salvato.', en: 'Account “{label}” saved.' },
  created: { it: 'Account «{label}» creato.', en: 'Account “{label}” created.' },
  nowEnabled: { it: 'Account «{label}» attivato.', en: 'Account “{label}” enabled.' },
  nowDisabled: { it: 'Account «{label}» disattivato.', en: 'Account “{label}” disabled.' },
  connectionOk: { it: 'Verifica del canale: {detail}', en: 'Channel check: {detail}' },
  connectionKo: { it: 'Attenzione, il canale non ha confermato: {detail}', en: 'Warning, the channel did not confirm: {detail}' },
  errRequired: { it: 'Campo obbligatorio.', en: 'Required.' },
  errTaken: { it: 'Già usato da un altro account (n. {id}).', en: 'Already used by another account (no. {id}).' },
  errInvalid: { it: 'Valore non valido.', en: 'Invalid value.' },

  pairing: { it: 'Collegamento', en: 'Pairing' },
  pairingOpen: { it: 'Collegamento', en: 'Pairing' },
  pairingClose: { it: 'Chiudi il collegamento', en: 'Close pairing' },
  pairingTitle: { it: 'Collegamento di WhatsApp Web', en: 'WhatsApp Web pairing' },
  pairingInstruction: {
    it: 'Apri WhatsApp › Dispositivi collegati › Collega un dispositivo e inquadra il codice',
    en: 'Open WhatsApp › Linked devices › Link a device and scan the code',
  },
  pairingQrAlt: {
    it: 'Codice QR da inquadrare con WhatsApp sul telefono del numero {number}',
    en: 'QR code to scan with WhatsApp on the phone of number {number}',
  },
  pairingUpdated: {
    it: 'Ultimo cambio di stato: {time}. Lo stato si aggiorna da solo ogni pochi secondi.',
    en: 'Last state change: {time}. The state refreshes by itself every few seconds.',
  },
  pairingError: { it: 'Stato del collegamento non disponibile: {error}', en: 'Pairing state not available: {error}' },
  pairingDetail: { it: 'Dettaglio: {detail}', en: 'Detail: {detail}' },
} satisfies Record<string, Text>;

/** What a whatsapp-web.js session's state means, for the person pairing it. */
export const PAIRING_STATES: Record<string, Text> = {
  starting: { it: 'Avvio della sessione in corso…', en: 'The session is starting…' },
  qr: {
    it: 'In attesa del collegamento: inquadra il codice QR con il telefono del numero.',
    en: 'Waiting for pairing: scan the QR code with the number’s phone.',
  },
  authenticated: { it: 'Codice accettato: sincronizzazione con il telefono in corso…', en: 'Code accepted: syncing with the phone…' },
  ready: { it: 'WhatsApp collegato: il numero riceve e invia messaggi.', en: 'WhatsApp paired: the number receives and sends messages.' },
  auth_failure: {
    it: 'Collegamento non riuscito: WhatsApp ha rifiutato la sessione. Scollega il dispositivo dal telefono, poi disattiva e riattiva l’account per avere un nuovo codice.',
    en: 'Pairing failed: WhatsApp refused the session. Unlink the device from the phone, then disable and enable the account to get a new code.',
  },
  disconnected: {
    it: 'WhatsApp scollegato: la sessione si è interrotta. Se serve un nuovo collegamento, il codice QR comparirà qui.',
    en: 'WhatsApp disconnected: the session stopped. If pairing is needed again, the QR code will appear here.',
  },
  stopped: {
    it: 'Sessione non avviata: l’account deve essere attivo e un processo worker deve avere WHATSAPP_WEB_ENABLED=true.',
    en: 'Session not started: the account must be enabled and one worker process must run with WHATSAPP_WEB_ENABLED=true.',
  },
};

/** What the comune's IT office sets at the provider, per channel (README: "Channels"). */
export const SETUP = {
  metaIntro: {
    it: 'In Meta for Developers › WhatsApp › Configurazione › Webhook:',
    en: 'In Meta for Developers › WhatsApp › Configuration › Webhook:',
  },
  callbackUrl: { it: 'URL di callback', en: 'Callback URL' },
  verifyToken: { it: 'Token di verifica', en: 'Verify token' },
  verifyTokenIs: {
    it: 'lo stesso valore scritto nel campo «Token di verifica» di questo account ({state}). Non viene mostrato: se non lo ricordi, scrivine uno nuovo qui e su Meta.',
    en: 'the same value written in this account’s “Verify token” field ({state}). It is not shown: if you do not remember it, write a new one here and at Meta.',
  },
  subscribe: { it: 'Campo da sottoscrivere', en: 'Field to subscribe' },
  signature: {
    it: 'Ogni notifica di Meta è verificata con la chiave segreta dell’app (intestazione X-Hub-Signature-256).',
    en: 'Every notification from Meta is checked with the app secret (X-Hub-Signature-256 header).',
  },
  telegramIntro: {
    it: 'Non serve configurare nulla su Telegram: a ogni salvataggio dell’account Sportello registra presso Telegram questo indirizzo di webhook, con il segreto del webhook.',
    en: 'Nothing to set on Telegram: every time the account is saved, Sportello registers this webhook address with Telegram, with the webhook secret.',
  },
  webhookUrl: { it: 'Indirizzo del webhook', en: 'Webhook address' },
  botLink: { it: 'Il bot per i cittadini', en: 'The bot for citizens' },
  waWeb: {
    it: 'Nessuna credenziale: il numero si collega dal pannello «Collegamento», inquadrando il codice QR con WhatsApp sul telefono del numero. La sessione gira nel processo worker avviato con WHATSAPP_WEB_ENABLED=true.',
    en: 'No credentials: the number is paired from the “Pairing” panel, scanning the QR code with WhatsApp on the number’s phone. The session runs in the worker process started with WHATSAPP_WEB_ENABLED=true.',
  },
  emailForward: {
    it: 'Inoltro: fai arrivare la posta di {address} al server SMTP di Sportello (regola di inoltro sulla casella del comune, oppure record MX di un dominio elencato qui).',
    en: 'Forwarding: have the mail of {address} reach Sportello’s SMTP server (a forwarding rule on the comune’s mailbox, or the MX record of a domain listed here).',
  },
  emailImap: {
    it: 'Lettura IMAP: Sportello legge la casella su {host} ogni minuto e sposta o contrassegna i messaggi letti.',
    en: 'IMAP reading: Sportello reads the mailbox on {host} every minute and moves or flags the messages it read.',
  },
  emailNoImap: {
    it: 'Oppure lettura IMAP di una casella esistente (di solito la PEC): attivala in «Modifica».',
    en: 'Or IMAP reading of an existing mailbox (usual for PEC): turn it on in “Edit”.',
  },
} satisfies Record<string, Text>;

/** A channel's answer on save, in words (the API gives a short technical line). */
export function connectionText(detail: string): Text {
  let m: RegExpExecArray | null;
  if ((m = /^webhook set to (.+)$/.exec(detail)))
    return { it: `webhook registrato presso Telegram (${m[1]}).`, en: `webhook registered with Telegram (${m[1]}).` };
  if (detail === 'webhook removed')
    return { it: 'webhook rimosso: il bot non riceve più messaggi.', en: 'webhook removed: the bot no longer receives messages.' };
  if (detail === 'long polling started')
    return { it: 'ricezione dei messaggi avviata (long polling).', en: 'message reception started (long polling).' };
  if (detail === 'bot stopped') return { it: 'bot fermato.', en: 'bot stopped.' };
  if (/^WHATSAPP_WEB_ENABLED is false/.test(detail))
    return {
      it: 'la sessione WhatsApp Web si avvia nel processo worker con WHATSAPP_WEB_ENABLED=true.',
      en: 'the WhatsApp Web session starts in the worker process with WHATSAPP_WEB_ENABLED=true.',
    };
  if (detail === 'session stopped') return { it: 'sessione WhatsApp Web fermata.', en: 'WhatsApp Web session stopped.' };
  if (/^session starting/.test(detail))
    return {
      it: 'sessione WhatsApp Web in avvio: apri «Collegamento» per il codice QR.',
      en: 'WhatsApp Web session starting: open “Pairing” for the QR code.',
    };
  if ((m = /^mail to (\S+) is received by the built-in SMTP server$/.exec(detail)))
    return {
      it: `la posta per ${m[1]} è ricevuta dal server SMTP di Sportello.`,
      en: `mail to ${m[1]} is received by Sportello’s SMTP server.`,
    };
  if ((m = /^IMAP (\S+): logged in, (.+) holds (\S+) messages$/.exec(detail)))
    return {
      it: `accesso IMAP a ${m[1]} riuscito, ${m[3]} messaggi in ${m[2]}.`,
      en: `IMAP login to ${m[1]} succeeded, ${m[3]} messages in ${m[2]}.`,
    };
  if (/^IMAP: impossibile collegarsi al server di posta/.test(detail))
    return {
      it: 'IMAP: impossibile collegarsi al server di posta con queste impostazioni (server, porta, sicurezza, credenziali); il motivo è nel registro del server.',
      en: 'IMAP: cannot connect to the mail server with these settings (server, port, security, credentials); the reason is in the server log.',
    };
  return { it: detail, en: detail };
}
