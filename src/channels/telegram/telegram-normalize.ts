import type { Message, Update } from 'telegraf/types';

export const TELEGRAM_CHANNEL = 'telegram';

/** A file the citizen sent, still on Telegram's servers. */
export interface TelegramFileRef {
  fileId: string;
  filename: string | null;
  declaredType: string | null;
  sizeBytes: number | null;
  kind: 'photo' | 'document' | 'voice' | 'audio' | 'video';
}

/** A citizen's Telegram message in our terms, before its files are downloaded. */
export interface NormalizedTelegramMessage {
  externalId: string;
  address: string;
  chatId: number;
  displayName: string | null;
  text: string | null;
  files: TelegramFileRef[];
  location: { lat: number; lng: number } | null;
  notes: string[];
}

/** Citizen identities are per bot: the same person on two comuni's bots is reached through each bot. */
export const telegramAddress = (accountId: number, chatId: number | string) => `${accountId}:${chatId}`;
export const telegramExternalId = (accountId: number, chatId: number | string, messageId: number) => `${accountId}:${chatId}:${messageId}`;

export function parseTelegramAddress(address: string): { accountId: number; chatId: string } | null {
  const m = /^(\d+):(-?\d+)$/.exec(address);
  return m ? { accountId: Number(m[1]), chatId: m[2] } : null;
}

/** The message an update carries, new or edited; null for what we do not handle (channel posts, callbacks…). */
export function messageOf(update: Update): { message: Message; edited: boolean } | null {
  if ('message' in update && update.message) return { message: update.message, edited: false };
  if ('edited_message' in update && update.edited_message) return { message: update.edited_message as Message, edited: true };
  return null;
}

export function normalizeTelegramMessage(accountId: number, message: Message): NormalizedTelegramMessage {
  const m = message as Message & Record<string, any>;
  const from = m.from;
  const displayName = from
    ? [from.first_name, from.last_name].filter(Boolean).join(' ') + (from.username ? ` (@${from.username})` : '')
    : null;
  const files: TelegramFileRef[] = [];
  const notes: string[] = [];
  let location: { lat: number; lng: number } | null = null;
  let text: string | null = m.text ?? m.caption ?? null;

  if (Array.isArray(m.photo) && m.photo.length) {
    // Telegram lists the sizes of a photo from smallest to largest.
    const best = m.photo[m.photo.length - 1];
    files.push({ fileId: best.file_id, filename: null, declaredType: 'image/jpeg', sizeBytes: best.file_size ?? null, kind: 'photo' });
  }
  if (m.document)
    files.push({
      fileId: m.document.file_id,
      filename: m.document.file_name ?? null,
      declaredType: m.document.mime_type ?? null,
      sizeBytes: m.document.file_size ?? null,
      kind: 'document',
    });
  if (m.voice)
    files.push({
      fileId: m.voice.file_id,
      filename: null,
      declaredType: m.voice.mime_type ?? 'audio/ogg',
      sizeBytes: m.voice.file_size ?? null,
      kind: 'voice',
    });
  if (m.audio)
    files.push({
      fileId: m.audio.file_id,
      filename: m.audio.file_name ?? null,
      declaredType: m.audio.mime_type ?? null,
      sizeBytes: m.audio.file_size ?? null,
      kind: 'audio',
    });
  if (m.video)
    files.push({
      fileId: m.video.file_id,
      filename: m.video.file_name ?? null,
      declaredType: m.video.mime_type ?? null,
      sizeBytes: m.video.file_size ?? null,
      kind: 'video',
    });
  if (m.location) {
    location = { lat: m.location.latitude, lng: m.location.longitude };
    if (m.venue) text = [text, [m.venue.title, m.venue.address].filter(Boolean).join(', ')].filter(Boolean).join('\n');
  }
  if (m.contact) {
    const c = m.contact;
    const name = [c.first_name, c.last_name].filter(Boolean).join(' ');
    text = [text, `Contatto condiviso: ${name}${c.phone_number ? `, tel. ${c.phone_number}` : ''}`].filter(Boolean).join('\n');
  }
  if (m.sticker) notes.push(`[sticker ${m.sticker.emoji ?? ''}]`.replace(' ]', ']'));

  return {
    externalId: telegramExternalId(accountId, m.chat.id, m.message_id),
    address: telegramAddress(accountId, m.chat.id),
    chatId: m.chat.id,
    displayName: displayName || null,
    text,
    files,
    location,
    notes,
  };
}

/** `/stato BA-2026-000123` (also `/stato@bot_username …`): the reference asked for, or '' when none. */
export function parseStatusCommand(text: string): string | null {
  const m = /^\/stato(?:@\w+)?(?:\s+(\S+))?\s*$/i.exec(text.trim());
  if (!m) return null;
  return (m[1] ?? '').toUpperCase();
}
