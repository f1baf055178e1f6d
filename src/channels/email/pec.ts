/**
 * PEC (Posta Elettronica Certificata, DPR 68/2005 and its technical rules, DM 2 November 2005).
 * A certified mail reaches the recipient as a transport envelope ("busta di trasporto") signed by
 * the sender's provider: headers `X-Trasporto: posta-certificata`, a human-readable text, the
 * certification data `daticert.xml` and the original message `postacert.eml`. The providers also
 * send receipts ("ricevute") to the sender: `X-Ricevuta: accettazione`, `avvenuta-consegna`,
 * `non-accettazione`, `errore-consegna`, … each with its own `daticert.xml`.
 */

export const PEC_RECEIPT_TYPES = [
  'accettazione',
  'non-accettazione',
  'presa-in-carico',
  'avvenuta-consegna',
  'errore-consegna',
  'preavviso-errore-consegna',
  'rilevazione-virus',
] as const;
export type PecReceiptType = (typeof PEC_RECEIPT_TYPES)[number];

export interface DatiCert {
  /** `posta-certificata` for an envelope, one of the receipt types otherwise. */
  tipo: string;
  /** `nessuno`, or the reason of a failure (`no-dest`, `no-dominio`, `virus`, `altro`). */
  errore: string;
  mittente: string | null;
  destinatari: string[];
  risposte: string | null;
  oggetto: string | null;
  gestoreEmittente: string | null;
  /** "15/01/2026 10:30:00 (+0100)" as the provider wrote it. */
  data: string | null;
  identificativo: string | null;
  /** Message-ID of the original message (without angle brackets). */
  msgid: string | null;
  consegna: string | null;
  erroreEsteso: string | null;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function xmlText(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ENTITIES[e])
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .trim();
}

function element(xml: string, name: string): string | null {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? xmlText(m[1]) : null;
}

function attribute(xml: string, elementName: string, attr: string): string | null {
  const tag = new RegExp(`<${elementName}(\\s[^>]*)?>`).exec(xml);
  if (!tag?.[1]) return null;
  const m = new RegExp(`\\s${attr}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag[1]);
  return m ? xmlText(m[1] ?? m[2]) : null;
}

/**
 * Reads a daticert.xml. The format is small and fixed by the DTD of the technical rules, so a
 * strict reader of the few elements we use is enough; anything that is not one returns null.
 */
export function parseDatiCert(xml: string): DatiCert | null {
  if (xml.length > 256 * 1024 || !/<postacert[\s>]/.test(xml)) return null;
  const tipo = attribute(xml, 'postacert', 'tipo');
  if (!tipo) return null;
  const destinatari = [...xml.matchAll(/<destinatari(?:\s[^>]*)?>([\s\S]*?)<\/destinatari>/g)].map((m) => xmlText(m[1]));
  const giorno = element(xml, 'giorno');
  const ora = element(xml, 'ora');
  const zona = attribute(xml, 'data', 'zona');
  const msgid = element(xml, 'msgid');
  return {
    tipo,
    errore: attribute(xml, 'postacert', 'errore') ?? 'nessuno',
    mittente: element(xml, 'mittente'),
    destinatari,
    risposte: element(xml, 'risposte'),
    oggetto: element(xml, 'oggetto'),
    gestoreEmittente: element(xml, 'gestore-emittente'),
    data: giorno && ora ? `${giorno} ${ora}${zona ? ` (${zona})` : ''}` : null,
    identificativo: element(xml, 'identificativo'),
    msgid: msgid ? msgid.replace(/^<|>$/g, '').trim() || null : null,
    consegna: element(xml, 'consegna'),
    erroreEsteso: element(xml, 'errore-esteso'),
  };
}

export type PecNature = { nature: 'envelope'; anomaly: boolean } | { nature: 'receipt'; type: PecReceiptType } | { nature: 'none' };

/** What a message is for PEC, from its transport headers (and daticert.xml when headers are missing). */
export function pecNature(headers: { trasporto?: string | null; ricevuta?: string | null }, datiCert: DatiCert | null): PecNature {
  const ricevuta = (headers.ricevuta ?? '').trim().toLowerCase();
  if ((PEC_RECEIPT_TYPES as readonly string[]).includes(ricevuta)) return { nature: 'receipt', type: ricevuta as PecReceiptType };
  const trasporto = (headers.trasporto ?? '').trim().toLowerCase();
  if (trasporto === 'posta-certificata') return { nature: 'envelope', anomaly: false };
  // "Busta di anomalia": a message the provider could not certify, still wrapped for the recipient.
  if (trasporto === 'errore') return { nature: 'envelope', anomaly: true };
  if (datiCert) {
    if (datiCert.tipo === 'posta-certificata') return { nature: 'envelope', anomaly: false };
    if ((PEC_RECEIPT_TYPES as readonly string[]).includes(datiCert.tipo))
      return { nature: 'receipt', type: datiCert.tipo as PecReceiptType };
  }
  return { nature: 'none' };
}

/** The delivery state a receipt gives our own outbound message, or null when it changes nothing. */
export function receiptDeliveryState(type: PecReceiptType): 'sent' | 'delivered' | 'failed' | null {
  switch (type) {
    case 'accettazione':
      return 'sent';
    case 'avvenuta-consegna':
      return 'delivered';
    case 'non-accettazione':
    case 'errore-consegna':
    case 'rilevazione-virus':
      return 'failed';
    // A warning that delivery has not happened yet, or the recipient provider's hand-over: not final.
    case 'presa-in-carico':
    case 'preavviso-errore-consegna':
      return null;
  }
}

/** Italian wording of a failed receipt, for the operator. */
export function receiptFailureText(type: PecReceiptType, d: DatiCert | null): string {
  const what =
    type === 'non-accettazione'
      ? 'non accettato dal gestore PEC'
      : type === 'rilevazione-virus'
        ? 'respinto: rilevato un virus'
        : 'non consegnato alla casella PEC del destinatario';
  const detail = d?.erroreEsteso ?? (d && d.errore !== 'nessuno' ? d.errore : null);
  return `PEC: messaggio ${what}${detail ? ` (${detail})` : ''}`;
}
