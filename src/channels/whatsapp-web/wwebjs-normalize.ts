export const WHATSAPP_WEB_CHANNEL = 'whatsapp-web';

/**
 * The parts of a whatsapp-web.js `Message` (and of its `MessageMedia`) this channel reads, as the
 * library produces them (src/structures/Message.js): ids as `{ _serialized }`, chat ids as
 * `<number>@c.us` (or `@lid`), `type` among chat, image, video, audio, ptt, document, sticker,
 * location, vcard, multi_vcard…
 */
export interface WwebjsMedia {
  mimetype: string;
  data: string;
  filename?: string | null;
  filesize?: number | null;
}
export interface WwebjsMessage {
  id: { _serialized: string; fromMe?: boolean; remote?: string; id?: string };
  from: string;
  to?: string;
  body: string;
  type: string;
  timestamp: number;
  fromMe: boolean;
  hasMedia: boolean;
  isStatus?: boolean;
  broadcast?: boolean;
  location?: { latitude: number | string; longitude: number | string; description?: string; name?: string; address?: string } | null;
  vCards?: string[];
  _data?: { notifyName?: string; caption?: string; filename?: string };
  downloadMedia(): Promise<WwebjsMedia | undefined>;
}

export interface NormalizedWwebjsMessage {
  externalId: string;
  address: string;
  chatId: string;
  displayName: string | null;
  text: string | null;
  location: { lat: number; lng: number } | null;
  wantsMedia: boolean;
  filename: string | null;
  notes: string[];
}

export const wwebjsAddress = (accountId: number, chatId: string) => `${accountId}:${chatId}`;
export function parseWwebjsAddress(address: string): { accountId: number; chatId: string } | null {
  const m = /^(\d+):([\w.-]+@(?:c\.us|lid))$/.exec(address);
  return m ? { accountId: Number(m[1]), chatId: m[2] } : null;
}

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);

/** Null for what is not a citizen's private message (our own, groups, status updates, broadcasts, notices). */
export function normalizeWwebjsMessage(accountId: number, msg: WwebjsMessage): NormalizedWwebjsMessage | null {
  if (msg.fromMe || msg.isStatus || msg.broadcast) return null;
  if (!/@(c\.us|lid)$/.test(msg.from)) return null;
  if (['e2e_notification', 'notification_template', 'gp2', 'call_log', 'ciphertext', 'revoked', 'protocol', 'reaction'].includes(msg.type))
    return null;
  const base: NormalizedWwebjsMessage = {
    externalId: `${accountId}:${msg.id._serialized}`,
    address: wwebjsAddress(accountId, msg.from),
    chatId: msg.from,
    displayName: msg._data?.notifyName ?? null,
    text: null,
    location: null,
    wantsMedia: false,
    filename: null,
    notes: [],
  };
  if (msg.type === 'chat') return { ...base, text: msg.body || null };
  if (MEDIA_TYPES.has(msg.type)) {
    // For media the library puts the caption in `body` (and in _data.caption).
    const caption = msg._data?.caption ?? (msg.body && !/^[A-Za-z0-9+/=]{200,}$/.test(msg.body) ? msg.body : null);
    return { ...base, text: caption || null, wantsMedia: msg.hasMedia, filename: msg._data?.filename ?? null };
  }
  if (msg.type === 'location' && msg.location) {
    const lat = Number(msg.location.latitude);
    const lng = Number(msg.location.longitude);
    if (!Number.isFinite(lat) || !Number.isFinite(lng)) return { ...base, notes: ['[posizione non valida]'] };
    return { ...base, text: msg.location.description || msg.location.name || null, location: { lat, lng } };
  }
  if (msg.type === 'vcard' || msg.type === 'multi_vcard') {
    const cards = msg.vCards?.length ? msg.vCards : [msg.body];
    return { ...base, text: cards.map(vcardLine).join('\n') || null };
  }
  return { ...base, text: msg.body || null, notes: msg.body ? [] : [`[messaggio WhatsApp di tipo «${msg.type}» non supportato]`] };
}

function vcardLine(card: string): string {
  const fn = /^FN(?:;[^:]*)?:(.*)$/m.exec(card)?.[1]?.trim();
  const tels = [...card.matchAll(/^(?:item\d+\.)?TEL[^:]*:(.*)$/gm)].map((m) => m[1].trim());
  return `Contatto condiviso: ${fn || 'senza nome'}${tels.length ? `, tel. ${tels.join(', ')}` : ''}`;
}
