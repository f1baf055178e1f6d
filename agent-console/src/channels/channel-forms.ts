/** Text in Italian and English (the same shape as lib/i18n's Text; kept free of the DOM so the API's tests can check these forms). */
type Text = { it: string; en: string };

/**
 * The settings and secrets of each channel, as the API checks them (src/channels/accounts/account-schemas.ts
 * and, for e-mail, src/channels/email/email-accounts.ts). `key` is the API's field path, so a 400 naming
 * `config.imap.host` or `secrets.botToken` is shown next to that input.
 */
export type FieldKind = 'text' | 'tel' | 'email' | 'number' | 'list' | 'checkbox' | 'secret';

export interface FieldDef {
  key: string;
  kind: FieldKind;
  label: Text;
  hint?: Text;
  /** The rule the API applies, in words: shown (in Italian) when the API refuses the value. */
  rule?: Text;
  /** Needed to create the account (secrets: needed unless already set). */
  required?: boolean;
  /** Only sent, and shown, while this optional section is on (e-mail `imap`, `smtp`). */
  section?: 'imap' | 'smtp';
  /** Sent only when this other field has a value (the template's language goes with its name). */
  with?: string;
  initial?: string | boolean;
  placeholder?: string;
  /** Offer a button that fills in a random value (a secret nobody needs to type elsewhere). */
  generate?: boolean;
  /** A secret made of several inputs (`secrets.imap.user` + `.pass`): the API knows it as this key. */
  secretGroup?: string;
  /** A write-only value that may show while it is typed (a user name), unlike a password or token. */
  typedVisibly?: boolean;
}

export interface SectionDef {
  key: 'imap' | 'smtp';
  label: Text;
  hint: Text;
}

export interface ChannelDef {
  channel: string;
  name: Text;
  fields: FieldDef[];
  /** Names the API gives in `secretsSet`, with their labels. */
  secrets: Array<{ name: string; label: Text }>;
  sections?: SectionDef[];
}

const PHONE_RULE: Text = {
  it: 'Deve essere un numero di telefono, ad esempio +39 080 5771111.',
  en: 'Must be a phone number like +39 080 5771111.',
};
const HOST_RULE: Text = {
  it: 'Deve essere il nome di un server, ad esempio imap.comune.bari.it.',
  en: 'Must be a host name, e.g. imap.comune.bari.it.',
};
const PORT_RULE: Text = { it: 'Deve essere un numero di porta (1–65535).', en: 'Must be a port number (1–65535).' };
const TLS: Text = { it: 'Connessione cifrata dall’inizio (TLS)', en: 'Encrypted from the start (TLS)' };

export const CHANNELS: ChannelDef[] = [
  {
    channel: 'whatsapp',
    name: { it: 'WhatsApp Cloud API', en: 'WhatsApp Cloud API' },
    fields: [
      {
        key: 'config.phoneNumberId',
        kind: 'text',
        required: true,
        label: { it: 'ID del numero di telefono (Phone number ID)', en: 'Phone number ID' },
        hint: { it: 'Da Meta for Developers › WhatsApp › Configurazione API.', en: 'From Meta for Developers › WhatsApp › API setup.' },
        rule: {
          it: 'Deve essere l’ID numerico del numero WhatsApp (solo cifre).',
          en: 'Must be the digits of the WhatsApp phone number id.',
        },
      },
      {
        key: 'config.displayPhoneNumber',
        kind: 'tel',
        required: true,
        label: { it: 'Numero mostrato ai cittadini', en: 'Number shown to citizens' },
        placeholder: '+39 080 5771111',
        rule: PHONE_RULE,
      },
      {
        key: 'config.businessAccountId',
        kind: 'text',
        label: { it: 'ID dell’account WhatsApp Business (facoltativo)', en: 'WhatsApp Business account ID (optional)' },
        rule: { it: 'Deve contenere solo cifre.', en: 'Must be digits.' },
      },
      {
        key: 'config.notificationTemplate.name',
        kind: 'text',
        label: { it: 'Modello approvato per gli avvisi (facoltativo)', en: 'Approved template for notices (optional)' },
        hint: {
          it: 'Usato per gli avvisi di stato oltre 24 ore dall’ultimo messaggio del cittadino, ad esempio aggiornamento_pratica.',
          en: 'Used for state notices more than 24 hours after the citizen’s last message, e.g. aggiornamento_pratica.',
        },
        rule: {
          it: 'Deve essere il nome di un modello approvato (lettere minuscole, cifre, _).',
          en: 'Must be an approved template name (lowercase letters, digits, _).',
        },
      },
      {
        key: 'config.notificationTemplate.language',
        kind: 'text',
        with: 'config.notificationTemplate.name',
        initial: 'it',
        label: { it: 'Lingua del modello', en: 'Template language' },
        rule: { it: 'Deve essere un codice di lingua come it o en_US.', en: 'Must be a language code like it or en_US.' },
      },
      {
        key: 'secrets.accessToken',
        kind: 'secret',
        required: true,
        label: { it: 'Token di accesso (utente di sistema)', en: 'Access token (system user)' },
        rule: {
          it: 'Deve essere il token di accesso permanente dell’utente di sistema WhatsApp Business.',
          en: 'Must be the access token of the WhatsApp Business system user.',
        },
      },
      {
        key: 'secrets.appSecret',
        kind: 'secret',
        required: true,
        label: { it: 'Chiave segreta dell’app (App secret)', en: 'App secret' },
        hint: { it: 'Verifica la firma di ogni notifica di Meta.', en: 'Checks the signature of every notification from Meta.' },
        rule: { it: 'Deve essere la chiave segreta dell’app Meta.', en: 'Must be the Meta app secret.' },
      },
      {
        key: 'secrets.verifyToken',
        kind: 'secret',
        required: true,
        label: { it: 'Token di verifica del webhook', en: 'Webhook verify token' },
        hint: {
          it: 'Una parola a scelta, da scrivere identica nella configurazione del webhook su Meta.',
          en: 'A word of your choice, to type identically in the webhook setup at Meta.',
        },
        rule: { it: 'Deve avere almeno 8 caratteri, senza spazi.', en: 'Must be at least 8 characters without spaces.' },
      },
    ],
    secrets: [
      { name: 'accessToken', label: { it: 'Token di accesso', en: 'Access token' } },
      { name: 'appSecret', label: { it: 'Chiave segreta dell’app', en: 'App secret' } },
      { name: 'verifyToken', label: { it: 'Token di verifica', en: 'Verify token' } },
    ],
  },
  {
    channel: 'whatsapp-web',
    name: { it: 'WhatsApp Web', en: 'WhatsApp Web' },
    fields: [
      {
        key: 'config.displayPhoneNumber',
        kind: 'tel',
        required: true,
        label: { it: 'Numero WhatsApp da collegare', en: 'WhatsApp number to pair' },
        placeholder: '+39 080 5771112',
        rule: PHONE_RULE,
      },
    ],
    secrets: [],
  },
  {
    channel: 'telegram',
    name: { it: 'Telegram', en: 'Telegram' },
    fields: [
      {
        key: 'config.botUsername',
        kind: 'text',
        required: true,
        label: { it: 'Nome utente del bot (senza @)', en: 'Bot username (without @)' },
        placeholder: 'urp_comune_bot',
        rule: {
          it: 'Deve essere il nome utente del bot, che finisce con «bot», senza @.',
          en: 'Must be the bot username, ending in “bot” (without @).',
        },
      },
      {
        key: 'secrets.botToken',
        kind: 'secret',
        required: true,
        label: { it: 'Token del bot', en: 'Bot token' },
        hint: {
          it: 'Quello dato da @BotFather alla creazione del bot (123456:ABC…).',
          en: 'The one @BotFather gave when the bot was created (123456:ABC…).',
        },
        rule: { it: 'Deve essere il token dato da @BotFather (123456:ABC…).', en: 'Must be the token given by @BotFather (123456:ABC…).' },
      },
      {
        key: 'secrets.webhookSecret',
        kind: 'secret',
        required: true,
        generate: true,
        label: { it: 'Segreto del webhook', en: 'Webhook secret' },
        hint: {
          it: 'Da 16 a 256 lettere, cifre, _ o -. Telegram lo invia con ogni messaggio: non serve ricordarlo.',
          en: '16–256 letters, digits, _ or -. Telegram sends it with every message: no need to remember it.',
        },
        rule: { it: 'Deve avere da 16 a 256 lettere, cifre, _ o -.', en: 'Must be 16–256 letters, digits, _ or -.' },
      },
    ],
    secrets: [
      { name: 'botToken', label: { it: 'Token del bot', en: 'Bot token' } },
      { name: 'webhookSecret', label: { it: 'Segreto del webhook', en: 'Webhook secret' } },
    ],
  },
  {
    channel: 'email',
    name: { it: 'E-mail / PEC', en: 'E-mail / PEC' },
    sections: [
      {
        key: 'imap',
        label: { it: 'Leggi la posta da una casella esistente (IMAP)', en: 'Read mail from an existing mailbox (IMAP)' },
        hint: {
          it: 'Di solito per la PEC. Senza IMAP la posta arriva inoltrata al server SMTP di Sportello.',
          en: 'Usual for PEC. Without IMAP, mail arrives forwarded to Sportello’s SMTP server.',
        },
      },
      {
        key: 'smtp',
        label: { it: 'Invia le risposte dal server SMTP del comune', en: 'Send replies through the comune’s SMTP server' },
        hint: {
          it: 'Senza, le risposte partono dal server di posta predefinito dell’installazione.',
          en: 'Without it, replies leave through the installation’s default mail server.',
        },
      },
    ],
    fields: [
      {
        key: 'config.address',
        kind: 'email',
        required: true,
        label: { it: 'Indirizzo della casella', en: 'Mailbox address' },
        placeholder: 'urp@comune.bari.it',
        hint: { it: 'Le risposte ai cittadini partono da questo indirizzo.', en: 'Replies to citizens are sent from this address.' },
        rule: {
          it: 'Deve essere un indirizzo e-mail valido, ad esempio urp@comune.bari.it.',
          en: 'Must be a valid e-mail address, e.g. urp@comune.bari.it.',
        },
      },
      {
        key: 'config.displayName',
        kind: 'text',
        label: { it: 'Nome del mittente (facoltativo)', en: 'Sender name (optional)' },
        placeholder: 'URP Comune di Bari',
      },
      {
        key: 'config.pec',
        kind: 'checkbox',
        initial: false,
        label: {
          it: 'È una casella PEC (le ricevute aggiornano lo stato di consegna)',
          en: 'It is a PEC mailbox (receipts update the delivery state)',
        },
      },
      {
        key: 'config.aliases',
        kind: 'list',
        label: {
          it: 'Altri indirizzi consegnati a questa casella (facoltativo)',
          en: 'Other addresses delivered to this mailbox (optional)',
        },
        hint: { it: 'Separati da virgola o a capo.', en: 'Separated by commas or new lines.' },
        rule: { it: 'Ogni voce deve essere un indirizzo e-mail valido.', en: 'Each entry must be an e-mail address.' },
      },
      {
        key: 'config.domains',
        kind: 'list',
        label: { it: 'Domini interi consegnati a questa casella (facoltativo)', en: 'Whole domains delivered to this mailbox (optional)' },
        hint: {
          it: 'Ad esempio sportello.comune.bari.it, se il suo record MX punta a Sportello.',
          en: 'E.g. sportello.comune.bari.it, when its MX record points at Sportello.',
        },
        rule: { it: 'Ogni voce deve essere un nome di dominio.', en: 'Each entry must be a domain name.' },
      },
      {
        key: 'config.imap.host',
        kind: 'text',
        section: 'imap',
        required: true,
        label: { it: 'Server IMAP', en: 'IMAP server' },
        placeholder: 'imap.comune.bari.it',
        rule: HOST_RULE,
      },
      {
        key: 'config.imap.port',
        kind: 'number',
        section: 'imap',
        label: { it: 'Porta IMAP (facoltativa: 993 con TLS, 143 senza)', en: 'IMAP port (optional: 993 with TLS, 143 without)' },
        rule: PORT_RULE,
      },
      { key: 'config.imap.secure', kind: 'checkbox', section: 'imap', initial: true, label: TLS },
      {
        key: 'config.imap.mailbox',
        kind: 'text',
        section: 'imap',
        label: { it: 'Cartella da leggere (facoltativa, INBOX se vuota)', en: 'Folder to read (optional, INBOX when empty)' },
      },
      {
        key: 'config.imap.processedMailbox',
        kind: 'text',
        section: 'imap',
        label: { it: 'Cartella dove spostare i messaggi letti (facoltativa)', en: 'Folder to move read messages to (optional)' },
      },
      {
        key: 'secrets.imap.user',
        kind: 'secret',
        section: 'imap',
        secretGroup: 'secrets.imap',
        typedVisibly: true,
        required: true,
        label: { it: 'Utente IMAP', en: 'IMAP user' },
        rule: { it: 'Servono sia l’utente sia la password IMAP.', en: 'Both the IMAP user and password are needed.' },
      },
      {
        key: 'secrets.imap.pass',
        kind: 'secret',
        section: 'imap',
        secretGroup: 'secrets.imap',
        required: true,
        label: { it: 'Password IMAP', en: 'IMAP password' },
      },
      {
        key: 'config.smtp.host',
        kind: 'text',
        section: 'smtp',
        required: true,
        label: { it: 'Server SMTP', en: 'SMTP server' },
        placeholder: 'smtp.comune.bari.it',
        rule: HOST_RULE,
      },
      {
        key: 'config.smtp.port',
        kind: 'number',
        section: 'smtp',
        label: { it: 'Porta SMTP (facoltativa: 465 con TLS, 587 senza)', en: 'SMTP port (optional: 465 with TLS, 587 without)' },
        rule: PORT_RULE,
      },
      { key: 'config.smtp.secure', kind: 'checkbox', section: 'smtp', initial: true, label: TLS },
      {
        key: 'secrets.smtp.user',
        kind: 'secret',
        section: 'smtp',
        secretGroup: 'secrets.smtp',
        typedVisibly: true,
        label: { it: 'Utente SMTP (facoltativo)', en: 'SMTP user (optional)' },
        rule: { it: 'Servono sia l’utente sia la password SMTP.', en: 'Both the SMTP user and password are needed.' },
      },
      {
        key: 'secrets.smtp.pass',
        kind: 'secret',
        section: 'smtp',
        secretGroup: 'secrets.smtp',
        label: { it: 'Password SMTP (facoltativa)', en: 'SMTP password (optional)' },
      },
    ],
    secrets: [
      { name: 'imap', label: { it: 'Credenziali IMAP', en: 'IMAP credentials' } },
      { name: 'smtp', label: { it: 'Credenziali SMTP', en: 'SMTP credentials' } },
    ],
  },
];

export const LABEL_RULE: Text = { it: 'Scrivi un nome da 1 a 120 caratteri.', en: 'Write a name of 1 to 120 characters.' };

export const channelDef = (channel: string): ChannelDef | undefined => CHANNELS.find((c) => c.channel === channel);

/** The name of an account's channel, PEC apart from ordinary e-mail. */
export function channelName(channel: string, config: Record<string, unknown>): Text {
  if (channel === 'email') return config.pec === true ? { it: 'PEC', en: 'PEC' } : { it: 'E-mail', en: 'E-mail' };
  return channelDef(channel)?.name ?? { it: channel, en: channel };
}

export type FormValues = Record<string, string | boolean>;

const getPath = (o: unknown, path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

/** A field's stored setting, as text for display or an input (lists joined, numbers as digits). */
export function settingOf(config: Record<string, unknown>, key: string): unknown {
  return getPath(config, key.split('.').slice(1));
}

/** The form's starting values: a new account's defaults, or an account's current settings (secrets always empty). */
export function initialValues(
  def: ChannelDef,
  config?: Record<string, unknown>,
): { values: FormValues; sections: Record<string, boolean> } {
  const values: FormValues = {};
  for (const f of def.fields) {
    const stored = config && !f.key.startsWith('secrets.') ? settingOf(config, f.key) : undefined;
    if (f.kind === 'checkbox') values[f.key] = typeof stored === 'boolean' ? stored : ((f.initial as boolean | undefined) ?? false);
    else if (f.kind === 'list') values[f.key] = Array.isArray(stored) ? stored.join(', ') : '';
    else values[f.key] = stored === undefined || stored === null ? ((f.initial as string | undefined) ?? '') : String(stored);
  }
  const sections: Record<string, boolean> = {};
  for (const s of def.sections ?? []) sections[s.key] = Boolean(config && config[s.key] !== undefined && config[s.key] !== null);
  return { values, sections };
}

const setPath = (o: Record<string, unknown>, path: string[], v: unknown) => {
  let cur = o;
  for (const k of path.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[path[path.length - 1]] = v;
};

/**
 * What the form sends. Empty settings are left out (a new account) or removed with null (an
 * account being edited); secrets left empty are not sent, so the stored ones are kept; a section
 * turned off removes its settings and its credentials.
 */
export function payloadOf(
  def: ChannelDef,
  values: FormValues,
  sections: Record<string, boolean>,
  existing?: { config: Record<string, unknown>; secretsSet: string[] },
): { config: Record<string, unknown>; secrets: Record<string, unknown> } {
  const config: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const f of def.fields) {
    if (f.section && !sections[f.section]) continue;
    if (f.with && !String(values[f.with] ?? '').trim()) continue;
    const path = f.key.split('.');
    const raw = values[f.key];
    if (f.kind === 'checkbox') {
      setPath(config, path.slice(1), raw === true);
      continue;
    }
    const text = String(raw ?? '').trim();
    if (f.kind === 'secret') {
      // A secret is written as typed (no trimming of what the provider gave, only of surrounding blanks).
      if (text) setPath(secrets, path.slice(1), text);
      continue;
    }
    if (!text) continue;
    if (f.kind === 'list') setPath(config, path.slice(1), text.split(/[\s,;]+/).filter(Boolean));
    else if (f.kind === 'number') setPath(config, path.slice(1), /^\d+$/.test(text) ? Number(text) : text);
    else setPath(config, path.slice(1), text);
  }
  // A pair of credentials is one secret: one half typed sends both halves (the API names the missing one).
  for (const group of new Set(def.fields.map((f) => f.secretGroup).filter((g): g is string => Boolean(g)))) {
    const name = group.split('.')[1];
    const given = secrets[name] as Record<string, unknown> | undefined;
    if (given) for (const f of def.fields.filter((x) => x.secretGroup === group)) given[f.key.split('.')[2]] ??= '';
  }
  if (existing) {
    for (const f of def.fields) {
      if (f.key.startsWith('secrets.')) continue;
      const top = f.key.split('.')[1];
      if (config[top] === undefined && existing.config[top] !== undefined) config[top] = null;
    }
    for (const s of def.sections ?? []) {
      if (!sections[s.key] && existing.secretsSet.includes(s.key)) secrets[s.key] = null;
    }
  }
  return { config, secrets };
}

/** The input an API field path belongs to: `config.aliases[1]` → the aliases input, `secrets.imap` → its user input. */
export function fieldForProblem(def: ChannelDef | undefined, field: string): string | null {
  const key = field.replace(/\[\d+\]/g, '');
  if (key === 'label' || key === 'enabled') return key;
  if (!def) return null;
  const exact = def.fields.find((f) => f.key === key);
  if (exact) return exact.key;
  const inside = def.fields.find((f) => f.key.startsWith(`${key}.`) || f.secretGroup === key);
  return inside ? inside.key : null;
}
