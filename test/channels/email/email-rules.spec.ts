import { simpleParser } from 'mailparser';
import { classifyMail } from '../../../src/channels/email/automated-mail.js';
import { parseEmailAccount } from '../../../src/channels/email/email-accounts.js';
import { classifySmtpError } from '../../../src/channels/email/email.adapter.js';
import { messageIdList, normalizeMessageId, referenceInSubject, replySubject } from '../../../src/channels/email/email-headers.js';
import { sniffMailAttachment } from '../../../src/channels/email/email-inbound.service.js';
import { renderReply, stripQuotedReply } from '../../../src/channels/email/email-text.js';
import { parseDatiCert, pecNature, receiptDeliveryState } from '../../../src/channels/email/pec.js';
import { PermanentDeliveryError, TransientDeliveryError } from '../../../src/channels/channel-adapter.js';
import { autoReply, datiCert, pecEnvelope, pecReceipt, postfixBounce } from './fixtures.js';

const parse = (raw: string) =>
  simpleParser(Buffer.from(raw), { ignoreEmbedded: true, keepDeliveryStatus: true, skipImageLinks: true, skipTextToHtml: true });

describe('e-mail threading headers', () => {
  it('reads Message-IDs with or without brackets and whole References lists', () => {
    expect(normalizeMessageId(' <abc.123@pec.it> ')).toBe('abc.123@pec.it');
    expect(normalizeMessageId('abc@x.it')).toBe('abc@x.it');
    expect(normalizeMessageId('no id here')).toBeNull();
    expect(messageIdList('<a@x> <b@x>', ['<b@x>', '<c@x>'])).toEqual(['a@x', 'b@x', 'c@x']);
  });

  it('finds the ticket reference a citizen left in the subject', () => {
    expect(referenceInSubject('Re: Lampione spento [BA-2026-000123]')).toBe('BA-2026-000123');
    expect(referenceInSubject('R: pratica [ba-2026-000042] sollecito')).toBe('BA-2026-000042');
    expect(referenceInSubject('Pratica MOD-2026-000007, ancora nulla')).toBe('MOD-2026-000007');
    expect(referenceInSubject('Buca in via Sparano 2026')).toBeNull();
  });

  it('builds reply subjects without stacking prefixes or references', () => {
    expect(replySubject('Lampione spento', 'BA-2026-000001')).toBe('Re: Lampione spento [BA-2026-000001]');
    expect(replySubject('RE: R: Lampione spento [BA-2026-000001]', 'BA-2026-000001')).toBe('Re: Lampione spento [BA-2026-000001]');
    expect(replySubject('POSTA CERTIFICATA: Accesso atti', 'BA-2026-000002')).toBe('Re: Accesso atti [BA-2026-000002]');
    expect(replySubject(null, 'BA-2026-000003')).toBe('Re: Richiesta [BA-2026-000003]');
  });
});

describe('PEC', () => {
  const o = {
    from: 'mario.rossi@pec.it',
    to: 'urp@pec.comune.bari.it',
    subject: 'Accesso agli atti & copie',
    messageId: 'orig-1@pec.it',
    text: 'Chiedo copia',
    envelopeId: 'opec-1@pec.aruba.it',
  };

  it('reads daticert.xml as the technical rules define it', () => {
    const d = parseDatiCert(
      datiCert({
        tipo: 'errore-consegna',
        errore: 'no-dest',
        mittente: 'a@pec.it',
        destinatario: 'b@pec.it',
        oggetto: 'Oggetto <1>',
        identificativo: 'id-1',
        msgid: 'm-1@x',
        consegna: 'b@pec.it',
        erroreEsteso: '5.1.1 - utente sconosciuto',
      }),
    );
    expect(d).toMatchObject({
      tipo: 'errore-consegna',
      errore: 'no-dest',
      mittente: 'a@pec.it',
      destinatari: ['b@pec.it'],
      oggetto: 'Oggetto <1>',
      gestoreEmittente: 'ArubaPEC S.p.A.',
      data: '15/01/2026 10:30:00 (+0100)',
      msgid: 'm-1@x',
      erroreEsteso: '5.1.1 - utente sconosciuto',
    });
    expect(parseDatiCert('<html>not a postacert</html>')).toBeNull();
  });

  it('tells envelopes from receipts by X-Trasporto / X-Ricevuta, and by daticert.xml alone', async () => {
    const env = await parse(pecEnvelope(o));
    expect(pecNature({ trasporto: env.headers.get('x-trasporto') as string }, null)).toEqual({ nature: 'envelope', anomaly: false });
    const rec = await parse(
      pecReceipt('avvenuta-consegna', {
        ourMessageId: 'ours@x',
        from: 'urp@pec.comune.bari.it',
        to: 'mario.rossi@pec.it',
        subject: 's',
        receiptId: 'r1@x',
      }),
    );
    expect(pecNature({ ricevuta: rec.headers.get('x-ricevuta') as string }, null)).toEqual({
      nature: 'receipt',
      type: 'avvenuta-consegna',
    });
    expect(
      pecNature(
        {},
        parseDatiCert(
          datiCert({ tipo: 'accettazione', mittente: 'a@x.it', destinatario: 'b@x.it', oggetto: 's', identificativo: 'i', msgid: 'm@x' }),
        ),
      ),
    ).toEqual({ nature: 'receipt', type: 'accettazione' });
    expect(pecNature({}, null)).toEqual({ nature: 'none' });
    expect(receiptDeliveryState('accettazione')).toBe('sent');
    expect(receiptDeliveryState('avvenuta-consegna')).toBe('delivered');
    expect(receiptDeliveryState('errore-consegna')).toBe('failed');
    expect(receiptDeliveryState('preavviso-errore-consegna')).toBeNull();
  });
});

describe('mail written by machines', () => {
  const o = { from: 'mario@example.it', to: 'urp@bari.demo', id: 'x@example.it', subject: 'Re: Lampione [BA-2026-000001]' };

  it.each(['auto-submitted', 'x-autoreply', 'precedence-bulk', 'read-receipt'] as const)(
    'recognises %s as an automatic reply',
    async (kind) => {
      expect(classifyMail(await parse(autoReply(kind, o)), 'mario@example.it').nature).toBe('auto-reply');
    },
  );

  it('reads a Postfix bounce: the returned Message-ID, the failure and its reason', async () => {
    const mail = await parse(
      postfixBounce({
        to: 'nessuno@example.it',
        from: 'urp@bari.demo',
        bouncedMessageId: 'sportello.ba-2026-000001.7@bari.demo',
        bouncedSubject: 'Re: x',
        id: 'b1@mx',
      }),
    );
    expect(classifyMail(mail, '')).toEqual({
      nature: 'bounce',
      reason: 'delivery status notification',
      failed: true,
      originalMessageIds: ['sportello.ba-2026-000001.7@bari.demo'],
      diagnostic: '550 5.1.1 <nessuno@example.it>: Recipient address rejected: User unknown in virtual mailbox table',
    });
  });

  it('treats the null sender as automatic and a person as a person', async () => {
    const plain = [
      'From: Maria <maria@example.it>',
      'To: urp@bari.demo',
      'Subject: Ciao',
      'Message-ID: <p1@example.it>',
      '',
      'Buongiorno',
    ].join('\r\n');
    expect(classifyMail(await parse(plain), 'maria@example.it')).toEqual({ nature: 'personal' });
    expect(classifyMail(await parse(plain), '').nature).toBe('auto-reply');
    expect(classifyMail(await parse(`Auto-Submitted: no\r\n${plain}`), 'maria@example.it')).toEqual({ nature: 'personal' });
  });
});

describe('what is kept of a citizen mail', () => {
  it('cuts the quoted conversation of a reply, and nothing else', () => {
    const reply =
      'Grazie, ma il lampione è ancora spento.\n\nIl giorno gio 15 gen 2026 alle ore 10:00 URP Comune di Bari <\nurp@bari.demo> ha scritto:\n> Abbiamo segnalato il guasto.\n';
    expect(stripQuotedReply(reply)).toBe('Grazie, ma il lampione è ancora spento.');
    expect(stripQuotedReply('Sì.\n\n-----Messaggio originale-----\nDa: URP')).toBe('Sì.');
    expect(stripQuotedReply('Una riga\n> citata in mezzo\nil resto')).toBe('Una riga\n> citata in mezzo\nil resto');
  });

  it('accepts files by their bytes, not by their names', () => {
    expect(sniffMailAttachment(Buffer.from('%PDF-1.7\n...'))?.type).toBe('application/pdf');
    expect(sniffMailAttachment(Buffer.from('Elenco documenti:\n- carta d’identità\n'))?.type).toBe('text/plain');
    expect(sniffMailAttachment(Buffer.from('<?xml version="1.0"?><a/>'))?.type).toBe('application/xml');
    expect(sniffMailAttachment(Buffer.from('From: a@b.it\r\nSubject: x\r\nMessage-ID: <1@b.it>\r\n\r\nciao'))?.type).toBe('message/rfc822');
    expect(sniffMailAttachment(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00]))).toBeNull();
    expect(sniffMailAttachment(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00]))).toBeNull();
  });
});

describe('outbound', () => {
  it('retries 4xx and broken connections, not 5xx', () => {
    expect(classifySmtpError(Object.assign(new Error('x'), { responseCode: 451, response: '451 4.3.0 try later' }))).toBeInstanceOf(
      TransientDeliveryError,
    );
    expect(classifySmtpError(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }))).toBeInstanceOf(
      TransientDeliveryError,
    );
    expect(classifySmtpError(Object.assign(new Error('x'), { responseCode: 550, response: '550 5.1.1 no such user' }))).toBeInstanceOf(
      PermanentDeliveryError,
    );
    expect(classifySmtpError(Object.assign(new Error('x'), { responseCode: 503 }))).toBeInstanceOf(TransientDeliveryError);
    expect(classifySmtpError(Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535 }))).toBeInstanceOf(
      PermanentDeliveryError,
    );
  });

  it('writes the answer in Italian first, as text and HTML, escaping what the operator typed', () => {
    const r = renderReply({
      text: 'Il lampione <b>sarà</b> riparato.\n\nCordiali saluti',
      operatorName: 'Anna Bianchi',
      comuneName: 'Bari',
      reference: 'BA-2026-000009',
      automatic: false,
    });
    expect(r.text).toContain('Il lampione <b>sarà</b> riparato.');
    expect(r.text).toContain('Anna Bianchi\nUfficio Relazioni con il Pubblico – Comune di Bari');
    expect(r.text).toContain('Pratica BA-2026-000009. Per scriverci ancora');
    expect(r.html).toContain('Il lampione &lt;b&gt;sarà&lt;/b&gt; riparato.');
    expect(r.html).toContain('<html lang="it">');
  });

  it('names the field of every bad account setting, never echoing secrets', () => {
    const { account, problems } = parseEmailAccount({
      id: 1,
      comuneId: 1,
      label: 'x',
      config: { address: 'not-an-address', imap: { host: 'imap example' }, domains: ['ok.it', 'bad domain'] },
      secrets: { imap: { user: 'u' } },
    });
    expect(account).toBeNull();
    expect(problems.map((p) => p.field)).toEqual(['config.address', 'config.domains[1]', 'secrets.imap', 'config.imap.host']);
    expect(JSON.stringify(problems)).not.toContain('"u"');
  });
});
