/**
 * Mail as the providers send it, written out byte for byte: PEC envelopes and receipts in the
 * format of the PEC technical rules (DM 2 Nov 2005, DPR 68/2005: X-Trasporto / X-Ricevuta
 * headers, a multipart/signed body holding the provider's text, daticert.xml and, for
 * envelopes and full delivery receipts, postacert.eml), a Postfix delivery status
 * notification (RFC 3464) and common auto-responders. The S/MIME signature is a placeholder:
 * Sportello keeps it, it does not verify it.
 */
const CRLF = '\r\n';
const lines = (...l: string[]) => l.join(CRLF);

/** A plausible DER blob standing in for the provider's detached signature. */
const SIGNATURE_B64 = Buffer.concat([
  Buffer.from([0x30, 0x82, 0x01, 0x00, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]),
  Buffer.alloc(241, 0x5a),
]).toString('base64');

export interface OriginalMail {
  from: string;
  fromName?: string;
  to: string;
  subject: string;
  messageId: string;
  text: string;
  date?: string;
  /** A PDF the citizen attached to the original. */
  pdf?: { filename: string; bytes: Buffer };
}

/** The citizen's message as their mail client wrote it: what the provider puts in postacert.eml. */
export function originalMessage(o: OriginalMail): string {
  const head = [
    `Date: ${o.date ?? 'Thu, 15 Jan 2026 10:29:58 +0100'}`,
    `From: ${o.fromName ? `"${o.fromName}" ` : ''}<${o.from}>`,
    `To: ${o.to}`,
    `Subject: ${o.subject}`,
    `Message-ID: <${o.messageId}>`,
    'MIME-Version: 1.0',
  ];
  if (!o.pdf) {
    return lines(...head, 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', '', o.text, '');
  }
  return lines(
    ...head,
    'Content-Type: multipart/mixed; boundary="orig-boundary-1"',
    '',
    '--orig-boundary-1',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    o.text,
    '--orig-boundary-1',
    `Content-Type: application/pdf; name="${o.pdf.filename}"`,
    `Content-Disposition: attachment; filename="${o.pdf.filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    ...(o.pdf.bytes.toString('base64').match(/.{1,76}/g) ?? []),
    '--orig-boundary-1--',
    '',
  );
}

interface DatiCertInput {
  tipo: string;
  errore?: string;
  mittente: string;
  destinatario: string;
  oggetto: string;
  identificativo: string;
  msgid: string;
  consegna?: string;
  erroreEsteso?: string;
  ricevuta?: 'completa' | 'breve' | 'sintetica';
}

export function datiCert(d: DatiCertInput): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE postacert SYSTEM "Postacert.dtd">',
    `<postacert tipo="${d.tipo}" errore="${d.errore ?? 'nessuno'}">`,
    '  <intestazione>',
    `    <mittente>${esc(d.mittente)}</mittente>`,
    `    <destinatari tipo="certificato">${esc(d.destinatario)}</destinatari>`,
    `    <risposte>${esc(d.mittente)}</risposte>`,
    `    <oggetto>${esc(d.oggetto)}</oggetto>`,
    '  </intestazione>',
    '  <dati>',
    '    <gestore-emittente>ArubaPEC S.p.A.</gestore-emittente>',
    '    <data zona="+0100">',
    '      <giorno>15/01/2026</giorno>',
    '      <ora>10:30:00</ora>',
    '    </data>',
    `    <identificativo>${esc(d.identificativo)}</identificativo>`,
    `    <msgid>${esc(`<${d.msgid}>`)}</msgid>`,
    ...(d.ricevuta ? [`    <ricevuta tipo="${d.ricevuta}" />`] : []),
    ...(d.consegna ? [`    <consegna>${esc(d.consegna)}</consegna>`] : []),
    ...(d.erroreEsteso ? [`    <errore-esteso>${esc(d.erroreEsteso)}</errore-esteso>`] : []),
    '  </dati>',
    '</postacert>',
    '',
  ].join(CRLF);
}

function signed(headers: string[], parts: string[]): string {
  const outer = '----=_Part_Signed_4f1a';
  const inner = '----=_Part_Mixed_9c2e';
  return lines(
    ...headers,
    'MIME-Version: 1.0',
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${outer}"`,
    '',
    'This is a cryptographically signed message in MIME format.',
    '',
    `--${outer}`,
    `Content-Type: multipart/mixed; boundary="${inner}"`,
    '',
    ...parts.flatMap((p) => [`--${inner}`, p]),
    `--${inner}--`,
    '',
    `--${outer}`,
    'Content-Type: application/pkcs7-signature; name="smime.p7s"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7s"',
    'Content-Description: S/MIME Cryptographic Signature',
    '',
    ...(SIGNATURE_B64.match(/.{1,76}/g) ?? []),
    `--${outer}--`,
    '',
  );
}

const textPart = (text: string) => lines('Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', '', text);
const datiCertPart = (xml: string) =>
  lines(
    'Content-Type: application/xml; name="daticert.xml"',
    'Content-Disposition: inline; filename="daticert.xml"',
    'Content-Transfer-Encoding: base64',
    '',
    ...(Buffer.from(xml)
      .toString('base64')
      .match(/.{1,76}/g) ?? []),
  );
const postacertPart = (eml: string) =>
  lines('Content-Type: message/rfc822; name="postacert.eml"', 'Content-Disposition: inline; filename="postacert.eml"', '', eml);

/**
 * A transport envelope really signed by its provider: `sign` turns the MIME entity the provider
 * signs (the multipart/mixed of text, daticert.xml and postacert.eml) into an S/MIME
 * multipart/signed message (headers from MIME-Version on, as `openssl smime -sign` writes it),
 * and the envelope's own headers are put before it.
 */
export function signedPecEnvelope(o: OriginalMail & { envelopeId: string }, sign: (entity: string) => string): string {
  const xml = datiCert({
    tipo: 'posta-certificata',
    mittente: o.from,
    destinatario: o.to,
    oggetto: o.subject,
    identificativo: o.envelopeId,
    msgid: o.messageId,
  });
  const inner = '----=_Part_Mixed_signed_7d1e';
  const entity = lines(
    `Content-Type: multipart/mixed; boundary="${inner}"`,
    '',
    ...[
      textPart(`Messaggio di posta certificata\r\nIdentificativo messaggio: ${o.envelopeId}`),
      datiCertPart(xml),
      postacertPart(originalMessage(o)),
    ].flatMap((p) => [`--${inner}`, p]),
    `--${inner}--`,
    '',
  );
  const smime = sign(entity).replace(/\r?\n/g, CRLF);
  return (
    [
      'Return-Path: <posta-certificata@pec.aruba.it>',
      'Date: Thu, 15 Jan 2026 10:30:00 +0100',
      `Message-ID: <${o.envelopeId}>`,
      `X-Riferimento-Message-ID: <${o.messageId}>`,
      'X-Trasporto: posta-certificata',
      `From: "Per conto di: ${o.from}" <posta-certificata@pec.aruba.it>`,
      `Reply-To: ${o.from}`,
      `To: ${o.to}`,
      `Subject: POSTA CERTIFICATA: ${o.subject}`,
    ].join(CRLF) +
    CRLF +
    smime
  );
}

/** "Busta di trasporto": the citizen's certified mail as it reaches the comune's PEC box. */
export function pecEnvelope(o: OriginalMail & { envelopeId: string }): string {
  const xml = datiCert({
    tipo: 'posta-certificata',
    mittente: o.from,
    destinatario: o.to,
    oggetto: o.subject,
    identificativo: o.envelopeId,
    msgid: o.messageId,
  });
  const text = lines(
    'Messaggio di posta certificata',
    '',
    `Il giorno 15/01/2026 alle ore 10:30:00 (+0100) il messaggio "${o.subject}" è stato inviato da "${o.from}"`,
    'indirizzato a:',
    o.to,
    'Il messaggio originale è incluso in allegato.',
    `Identificativo messaggio: ${o.envelopeId}`,
  );
  return signed(
    [
      `Return-Path: <posta-certificata@pec.aruba.it>`,
      'Received: from smtpcert.pec.aruba.it (smtpcert.pec.aruba.it [62.149.158.115]) by mx.pec.comune.bari.it; Thu, 15 Jan 2026 10:30:01 +0100',
      'Date: Thu, 15 Jan 2026 10:30:00 +0100',
      `Message-ID: <${o.envelopeId}>`,
      `X-Riferimento-Message-ID: <${o.messageId}>`,
      'X-Trasporto: posta-certificata',
      `From: "Per conto di: ${o.from}" <posta-certificata@pec.aruba.it>`,
      `Reply-To: ${o.from}`,
      `To: ${o.to}`,
      `Subject: POSTA CERTIFICATA: ${o.subject}`,
    ],
    [textPart(text), datiCertPart(xml), postacertPart(originalMessage(o))],
  );
}

export type ReceiptKind = 'accettazione' | 'avvenuta-consegna' | 'errore-consegna';

/** A receipt the comune's PEC provider sends back about a mail the comune sent. */
export function pecReceipt(
  kind: ReceiptKind,
  o: { ourMessageId: string; from: string; to: string; subject: string; receiptId: string },
): string {
  const xml = datiCert({
    tipo: kind,
    errore: kind === 'errore-consegna' ? 'no-dest' : 'nessuno',
    mittente: o.from,
    destinatario: o.to,
    oggetto: o.subject,
    identificativo: `opec21010.20260115110000.1111.${kind}@pec.aruba.it`,
    msgid: o.ourMessageId,
    ...(kind === 'avvenuta-consegna' ? { consegna: o.to, ricevuta: 'breve' as const } : {}),
    ...(kind === 'errore-consegna' ? { consegna: o.to, erroreEsteso: '5.1.1 - ArubaPEC S.p.A. - indirizzo non valido' } : {}),
  });
  const title = { accettazione: 'ACCETTAZIONE', 'avvenuta-consegna': 'CONSEGNA', 'errore-consegna': 'AVVISO DI MANCATA CONSEGNA' }[kind];
  const sentence = {
    accettazione: `il messaggio "${o.subject}" proveniente da "${o.from}" ed indirizzato a: ${o.to} è stato accettato dal sistema ed inoltrato.`,
    'avvenuta-consegna': `il messaggio "${o.subject}" proveniente da "${o.from}" ed indirizzato a "${o.to}" è stato consegnato nella casella di destinazione.`,
    'errore-consegna': `nel messaggio "${o.subject}" proveniente da "${o.from}" ed indirizzato a "${o.to}" è stato rilevato un errore: 5.1.1 - indirizzo non valido. Il messaggio non è stato consegnato.`,
  }[kind];
  return signed(
    [
      'Return-Path: <posta-certificata@pec.aruba.it>',
      'Date: Thu, 15 Jan 2026 11:00:01 +0100',
      `Message-ID: <${o.receiptId}>`,
      `X-Ricevuta: ${kind}`,
      ...(kind === 'avvenuta-consegna' ? ['X-TipoRicevuta: breve'] : []),
      `X-Riferimento-Message-ID: <${o.ourMessageId}>`,
      'From: posta-certificata@pec.aruba.it',
      `To: ${o.from}`,
      `Subject: ${title}: ${o.subject}`,
    ],
    [
      textPart(lines(`Ricevuta di ${kind.replace('-', ' ')}`, '', `Il giorno 15/01/2026 alle ore 11:00:00 (+0100) ${sentence}`)),
      datiCertPart(xml),
    ],
  );
}

/** Postfix's bounce of one of our replies (RFC 3464), returning the original's headers. */
export function postfixBounce(o: { to: string; from: string; bouncedMessageId: string; bouncedSubject: string; id: string }): string {
  return lines(
    'Return-Path: <>',
    'Date: Thu, 15 Jan 2026 11:05:00 +0100 (CET)',
    'From: MAILER-DAEMON@mx.example.it (Mail Delivery System)',
    'Subject: Undelivered Mail Returned to Sender',
    `To: ${o.from}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B0UNCE.1"',
    `Message-Id: <${o.id}>`,
    '',
    'This is a MIME-encapsulated message.',
    '',
    '--B0UNCE.1',
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.example.it.',
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    `<${o.to}>: host mx.example.it[192.0.2.10] said: 550 5.1.1 <${o.to}>: Recipient address rejected: User unknown in virtual mailbox table`,
    '',
    '--B0UNCE.1',
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.it',
    'X-Postfix-Queue-ID: 4Q8xYz1abc',
    'Arrival-Date: Thu, 15 Jan 2026 11:04:59 +0100 (CET)',
    '',
    `Final-Recipient: rfc822; ${o.to}`,
    `Original-Recipient: rfc822;${o.to}`,
    'Action: failed',
    'Status: 5.1.1',
    'Remote-MTA: dns; mx.example.it',
    `Diagnostic-Code: smtp; 550 5.1.1 <${o.to}>: Recipient address rejected: User`,
    '    unknown in virtual mailbox table',
    '',
    '--B0UNCE.1',
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Subject: ${o.bouncedSubject}`,
    `Message-ID: <${o.bouncedMessageId}>`,
    'Date: Thu, 15 Jan 2026 11:04:58 +0100',
    '',
    '--B0UNCE.1--',
    '',
  );
}

/** Out-of-office answers as common responders send them. */
export function autoReply(
  kind: 'auto-submitted' | 'x-autoreply' | 'precedence-bulk' | 'read-receipt',
  o: { from: string; to: string; id: string; subject: string },
): string {
  const common = [`From: ${o.from}`, `To: ${o.to}`, `Message-ID: <${o.id}>`, 'Date: Thu, 15 Jan 2026 12:00:00 +0100', 'MIME-Version: 1.0'];
  if (kind === 'read-receipt') {
    return lines(
      ...common,
      `Subject: Letto: ${o.subject}`,
      'Content-Type: multipart/report; report-type=disposition-notification; boundary="MDN1"',
      '',
      '--MDN1',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'Il messaggio è stato letto.',
      '',
      '--MDN1',
      'Content-Type: message/disposition-notification',
      '',
      'Final-Recipient: rfc822;' + o.from,
      'Disposition: manual-action/MDN-sent-manually; displayed',
      '',
      '--MDN1--',
      '',
    );
  }
  const extra = {
    'auto-submitted': ['Auto-Submitted: auto-replied'],
    'x-autoreply': ['X-Autoreply: yes'],
    'precedence-bulk': ['Precedence: bulk'],
  }[kind];
  return lines(
    ...common,
    ...extra,
    `Subject: Fuori sede: ${o.subject}`,
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'Sono fuori ufficio fino al 20 gennaio, risponderò al mio rientro.',
    '',
  );
}
