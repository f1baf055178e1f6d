export const WHATSAPP_CHANNEL = 'whatsapp';

/**
 * Webhook payloads of the WhatsApp Business Cloud API, as Meta documents them
 * (object "whatsapp_business_account", entry[].changes[].value with metadata, contacts,
 * messages, statuses).
 */
export interface WaMedia {
  id: string;
  mime_type?: string;
  sha256?: string;
  caption?: string;
  filename?: string;
  voice?: boolean;
}
export interface WaMessage {
  from: string;
  id: string;
  timestamp: string;
  type: string;
  text?: { body: string };
  image?: WaMedia;
  document?: WaMedia;
  audio?: WaMedia;
  video?: WaMedia;
  sticker?: WaMedia;
  location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
  contacts?: Array<{
    name?: { formatted_name?: string; first_name?: string; last_name?: string };
    phones?: Array<{ phone?: string; wa_id?: string; type?: string }>;
    emails?: Array<{ email?: string }>;
  }>;
  button?: { text?: string; payload?: string };
  interactive?: {
    type: string;
    button_reply?: { id: string; title: string };
    list_reply?: { id: string; title: string; description?: string };
  };
  reaction?: { message_id: string; emoji?: string };
  context?: { from?: string; id?: string };
  errors?: Array<{ code: number; title?: string; message?: string }>;
}
export interface WaStatus {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | (string & {});
  timestamp: string;
  recipient_id: string;
  errors?: Array<{ code: number; title?: string; message?: string; error_data?: { details?: string } }>;
}
export interface WaChangeValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: Array<{ profile?: { name?: string }; wa_id: string }>;
  messages?: WaMessage[];
  statuses?: WaStatus[];
}

export interface NormalizedWaMessage {
  externalId: string;
  address: string;
  waId: string;
  displayName: string | null;
  text: string | null;
  media: Array<WaMedia & { kind: 'image' | 'document' | 'audio' | 'video' | 'sticker' }>;
  location: { lat: number; lng: number } | null;
  notes: string[];
}

/** Citizen identities are per WhatsApp number of a comune: the reply goes out from the number written to. */
export const whatsappAddress = (accountId: number, waId: string) => `${accountId}:${waId}`;
export function parseWhatsappAddress(address: string): { accountId: number; waId: string } | null {
  const m = /^(\d+):(\d{6,20})$/.exec(address);
  return m ? { accountId: Number(m[1]), waId: m[2] } : null;
}

/** The value's changes with field "messages"; null when the payload is not a WhatsApp webhook. */
export function changesOf(payload: unknown): WaChangeValue[] | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as { object?: unknown; entry?: unknown };
  if (p.object !== 'whatsapp_business_account' || !Array.isArray(p.entry)) return null;
  const out: WaChangeValue[] = [];
  for (const e of p.entry as Array<{ changes?: Array<{ field?: string; value?: WaChangeValue }> }>) {
    for (const c of e.changes ?? []) if (c.field === 'messages' && c.value && typeof c.value === 'object') out.push(c.value);
  }
  return out;
}

/** Returns null for what is not a citizen's message to keep (reactions, system notices). */
export function normalizeWaMessage(accountId: number, value: WaChangeValue, m: WaMessage): NormalizedWaMessage | null {
  if (typeof m.id !== 'string' || typeof m.from !== 'string' || !/^\d{6,20}$/.test(m.from)) return null;
  const profile = value.contacts?.find((c) => c.wa_id === m.from)?.profile?.name ?? null;
  const base: NormalizedWaMessage = {
    externalId: m.id,
    address: whatsappAddress(accountId, m.from),
    waId: m.from,
    displayName: profile,
    text: null,
    media: [],
    location: null,
    notes: [],
  };
  switch (m.type) {
    case 'text':
      return { ...base, text: m.text?.body ?? null };
    case 'image':
    case 'document':
    case 'audio':
    case 'video':
    case 'sticker': {
      const media = m[m.type];
      if (!media?.id) return { ...base, notes: ['[allegato senza contenuto]'] };
      return { ...base, text: media.caption ?? null, media: [{ ...media, kind: m.type }] };
    }
    case 'location': {
      const l = m.location;
      if (!l || typeof l.latitude !== 'number' || typeof l.longitude !== 'number') return { ...base, notes: ['[posizione non valida]'] };
      const label = [l.name, l.address].filter(Boolean).join(', ');
      return { ...base, text: label || null, location: { lat: l.latitude, lng: l.longitude } };
    }
    case 'contacts': {
      const lines = (m.contacts ?? []).map((c) => {
        const name = c.name?.formatted_name ?? [c.name?.first_name, c.name?.last_name].filter(Boolean).join(' ');
        const phones = (c.phones ?? [])
          .map((p) => p.phone ?? p.wa_id)
          .filter(Boolean)
          .join(', ');
        return `Contatto condiviso: ${name || 'senza nome'}${phones ? `, tel. ${phones}` : ''}`;
      });
      return { ...base, text: lines.join('\n') || null };
    }
    case 'button':
      return { ...base, text: m.button?.text ?? m.button?.payload ?? null };
    case 'interactive':
      return { ...base, text: m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? null };
    case 'reaction':
    case 'system':
    case 'ephemeral':
      return null;
    default:
      // "unsupported" and future types: kept, so the operator knows the citizen wrote something.
      return { ...base, notes: [`[messaggio WhatsApp di tipo «${m.type}» non supportato]`] };
  }
}

/** Delivery states only move forward; "failed" is final whatever came before. */
export const STATUS_RANK: Record<string, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/** WhatsApp's error codes an operator may meet, said in Italian. */
export function italianWaError(code: number | null, fallback: string): string {
  switch (code) {
    case 131047:
      return 'Non inviato: sono passate più di 24 ore dall’ultimo messaggio del cittadino. Fuori da questa finestra WhatsApp consente solo modelli di messaggio approvati.';
    case 131026:
      return 'WhatsApp non ha potuto consegnare il messaggio: il numero non è raggiungibile su WhatsApp.';
    case 131051:
      return 'WhatsApp non supporta questo tipo di messaggio.';
    case 131052:
    case 131053:
      return 'WhatsApp non ha potuto elaborare l’allegato.';
    case 131021:
      return 'Il destinatario coincide con il numero del Comune.';
    case 131049:
      return 'WhatsApp non ha consegnato il messaggio per limitare i messaggi di tipo marketing a questo utente.';
    case 131031:
      return 'L’account WhatsApp Business del Comune è bloccato: contattare l’amministratore.';
    case 132000:
    case 132001:
    case 132012:
      return 'Il modello di messaggio non è approvato o i suoi parametri non sono corretti.';
    case 190:
      return 'Il token di accesso WhatsApp è scaduto o non valido: aggiornarlo nelle impostazioni del canale.';
    case 100:
      return `Richiesta non valida per WhatsApp (${fallback}).`;
    default:
      return `WhatsApp non ha consegnato il messaggio${code ? ` (codice ${code})` : ''}: ${fallback}`;
  }
}

/** Codes that a retry cannot change (policy, recipient, template, credentials). */
export const PERMANENT_WA_CODES = new Set([
  100, 190, 131008, 131009, 131021, 131026, 131031, 131047, 131049, 131051, 131052, 131053, 132000, 132001, 132005, 132007, 132012, 132015,
  132016, 133010,
]);
/** Throughput limits: retried after a pause. */
export const RATE_LIMIT_WA_CODES = new Set([4, 80007, 130429, 131048, 131056]);
