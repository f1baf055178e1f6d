/**
 * The words of the e-mail channel: what is kept of a citizen's mail, and the Italian (then
 * English) answer a citizen receives.
 */

const ATTRIBUTION = /^(il giorno|in data|on|le|am)\b.*\b(ha scritto|hanno scritto|wrote|a écrit|schrieb)\s*:?\s*$/i;
const SEPARATOR = /^-{2,}\s*(messaggio originale|original message|messaggio inoltrato|forwarded message)\s*-{2,}\s*$/i;

/**
 * The new text of a reply, without the quoted conversation below it (which Sportello already
 * has). Only cuts at an attribution line or an "original message" separator; text that would
 * become empty is kept whole.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let cut = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    const joined = `${l} ${lines[i + 1]?.trim() ?? ''}`.trim();
    if (SEPARATOR.test(l) || ATTRIBUTION.test(l)) {
      cut = i;
      break;
    }
    // Attribution lines are often wrapped after the sender's name.
    if (/^(il giorno|in data|on)\b/i.test(l) && ATTRIBUTION.test(joined)) {
      cut = i;
      break;
    }
    // Outlook's header block: "Da: …" followed by "Inviato: …" / "Sent: …".
    if (/^(da|from)\s*:\s*\S/i.test(l) && /^(inviato|sent|data|date)\s*:/i.test(lines[i + 1]?.trim() ?? '')) {
      cut = i;
      break;
    }
  }
  const kept = lines.slice(0, cut);
  while (kept.length && (kept[kept.length - 1].trim() === '' || kept[kept.length - 1].trimStart().startsWith('>'))) kept.pop();
  const out = kept.join('\n').trim();
  return out || text.trim();
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface ReplyContent {
  text: string;
  operatorName: string | null;
  comuneName: string;
  reference: string;
  /** Automatic notices (status changes) are signed by the office, not by a person. */
  automatic: boolean;
}

/** The operator's answer as a citizen reads it: plain text and the same as simple HTML. */
export function renderReply(c: ReplyContent): { text: string; html: string } {
  const office = `Ufficio Relazioni con il Pubblico – Comune di ${c.comuneName}`;
  const signature = c.operatorName && !c.automatic ? [c.operatorName, office] : [office];
  const howToReply = `Pratica ${c.reference}. Per scriverci ancora su questa pratica rispondi a questa e-mail lasciando il codice nell'oggetto.`;
  const english = `Reference ${c.reference}. To write again about this request, reply to this e-mail keeping the code in the subject.`;
  const body = c.text.replace(/\r\n/g, '\n').trim();
  const text = [body, '', '-- ', ...signature, '', howToReply, english, ''].join('\n');
  const paragraphs = body
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 1em">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const html = `<!DOCTYPE html>
<html lang="it"><head><meta charset="utf-8"><title>${escapeHtml(c.reference)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a">
${paragraphs}
<p style="margin:1.5em 0 1em;color:#333">${signature.map(escapeHtml).join('<br>')}</p>
<hr style="border:none;border-top:1px solid #ccc">
<p style="font-size:13px;color:#555">${escapeHtml(howToReply)}</p>
<p lang="en" style="font-size:12px;color:#777">${escapeHtml(english)}</p>
</body></html>`;
  return { text, html };
}
