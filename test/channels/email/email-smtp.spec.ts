import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import nodemailer from 'nodemailer';
import type { Socket } from 'socket.io-client';
import { EmailSmtpServer } from '../../../src/channels/email/email-smtp.server.js';
import { outboundQueueName } from '../../../src/jobs/jobs.js';
import { connectAgent, eventually, login, nextEvent, startApp, type TestApp } from '../../support/harness.js';
import { autoReply, pecEnvelope, pecReceipt, postfixBounce } from './fixtures.js';
import { deliverRaw, startSmtpSink, type SmtpSink } from './mail-standins.js';

type MailOptions = Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0];

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const EXE = Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00]);
const PEC_BOX = 'urp@pec.comune.bari.it';

/**
 * The e-mail channel end to end, with real parts on loopback: the app's own SMTP server receives
 * what nodemailer sends it, replies leave through nodemailer to an SMTP sink, PostgreSQL and Redis
 * are real. Bari's demo mailbox is urp@bari.demo; a PEC mailbox is added for the PEC cases.
 */
describe('e-mail channel over SMTP', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let port: number;
  let bariId: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startApp({
      EMAIL_SMTP_ENABLED: 'true',
      EMAIL_SMTP_PORT: '0',
      EMAIL_DEFAULT_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      CHANNEL_ALLOW_PRIVATE_HOSTS: 'true', // an account's own SMTP server is the sink, on loopback
      EMAIL_MAX_MESSAGE_BYTES: String(1024 * 1024),
      MAX_ATTACHMENT_BYTES: String(200 * 1024),
    });
    port = t.app.get(EmailSmtpServer).port!;
    [{ id: bariId }] = await t.ds.query(`SELECT id FROM comuni WHERE slug = 'bari'`);
    await t.ds.query(`INSERT INTO channel_accounts (comune_id, channel, label, config) VALUES ($1, 'email', 'PEC URP – Bari', $2::jsonb)`, [
      bariId,
      JSON.stringify({ address: PEC_BOX, pec: true, displayName: 'Comune di Bari – PEC' }),
    ]);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t.close();
    await sink.close();
  });

  /** A citizen's mail client sending to the comune (through its MX, which is us). */
  async function citizenMail(m: MailOptions & { messageId: string }): Promise<void> {
    const tr = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      await tr.sendMail({ to: 'urp@bari.demo', ...m });
    } finally {
      tr.close();
    }
  }

  const messageByExternal = async (externalId: string) =>
    (
      await t.ds.query(
        `SELECT m.id, m.text, m.ticket_id, t.reference, t.subject, t.channel, i.address, i.display_name
         FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN citizen_identities i ON i.id = t.citizen_identity_id
        WHERE m.channel = 'email' AND m.external_id = $1`,
        [externalId],
      )
    )[0];
  const attachmentsOf = (messageId: string) =>
    t.ds.query(`SELECT filename, content_type, size_bytes FROM attachments WHERE message_id = $1 ORDER BY id`, [messageId]);
  const count = async (sql: string, params: unknown[] = []) => (await t.ds.query(sql, params))[0].n as number;
  const demoAccount = async (address = 'urp@bari.demo') =>
    (await t.ds.query(`SELECT id FROM channel_accounts WHERE channel = 'email' AND config->>'address' = $1`, [address]))[0].id as number;

  // First, while Bari's operator has free capacity for the offer.
  it('round trip: mail in, offered to Bari’s operator, answered over REST, reply threaded in the citizen’s mailbox', async () => {
    const token = await login(t, 'operatore@bari.demo');
    const agent = await connectAgent(t, token);
    sockets.push(agent);
    const acct = await demoAccount();
    const offered = nextEvent(agent, 'ticket.offered', (p: any) => p.ticket.channel === 'email', 5000);
    await citizenMail({
      from: '"Giulia Verdi" <giulia.verdi@example.it>',
      subject: 'Orari ufficio anagrafe',
      messageId: '<rt-1@example.it>',
      text: 'Buongiorno, a che ora apre l’anagrafe il sabato?',
    });
    const offer = await offered;
    const ticketId = offer.ticket.id;
    expect(offer.ticket.subject).toBe('Orari ufficio anagrafe');

    const sent = await t.http
      .post(`/api/tickets/${ticketId}/messages`)
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'Buongiorno, il sabato l’anagrafe apre dalle 9:00 alle 12:00.' });
    expect(sent.status).toBe(201);
    const reply = await sink.waitFor(
      (d) => d.rcpt.includes('giulia.verdi@example.it') && (d.parsed.text ?? '').includes('dalle 9:00 alle 12:00'),
    );
    const ref = offer.ticket.reference;
    expect(reply.parsed.subject).toBe(`Re: Orari ufficio anagrafe [${ref}]`);
    expect(reply.parsed.inReplyTo).toBe('<rt-1@example.it>');
    expect(reply.parsed.references).toContain('<rt-1@example.it>');
    expect(reply.parsed.from?.value[0]).toEqual({ address: 'urp@bari.demo', name: 'URP Comune di Bari' });
    expect(reply.parsed.text).toContain(`Pratica ${ref}. Per scriverci ancora su questa pratica rispondi a questa e-mail`);
    expect(reply.parsed.text).toContain('Ufficio Relazioni con il Pubblico – Comune di Bari');
    expect(reply.parsed.html).toContain('il sabato l’anagrafe apre dalle 9:00 alle 12:00.');
    expect(reply.parsed.headers.get('content-language')).toBe('it');
    await eventually(
      async () => (await t.ds.query(`SELECT delivery_status FROM messages WHERE id = $1`, [sent.body.id]))[0].delivery_status === 'sent',
      5000,
      'reply sent',
    );

    // The citizen answers the reply: same ticket, the operator hears it.
    const heard = nextEvent(agent, 'message.created', (p: any) => p.ticketId === ticketId && p.message.direction === 'inbound');
    await citizenMail({
      from: 'giulia.verdi@example.it',
      subject: reply.parsed.subject!,
      messageId: '<rt-2@example.it>',
      inReplyTo: reply.parsed.messageId,
      references: [String(reply.parsed.references).split(' ')].flat().concat(reply.parsed.messageId!),
      text: `Perfetto, grazie!\n\nOn Thu, 15 Jan 2026 at 10:00, URP Comune di Bari <urp@bari.demo> wrote:\n> ${reply.parsed.text!.split('\n')[0]}`,
    });
    expect((await heard).message.text).toBe('Perfetto, grazie!');
    expect((await messageByExternal(`${acct}:rt-2@example.it`)).ticket_id).toBe(ticketId);
  });

  it('turns a citizen mail into a ticket: text, sender, subject, files checked by their bytes', async () => {
    const acct = await demoAccount();
    await citizenMail({
      from: '"Maria Rossi" <Maria.Rossi@Example.it>',
      subject: 'Lampione spento in via Sparano',
      messageId: '<first-1@example.it>',
      text: 'Buongiorno,\nil lampione davanti al civico 12 è spento da tre giorni.\nGrazie',
      html: '<p>Buongiorno,<br>il lampione davanti al civico 12 è spento da tre giorni.</p>',
      attachments: [
        { filename: 'foto-lampione.pdf', content: PDF, contentType: 'application/pdf' },
        { filename: 'documento.pdf', content: EXE, contentType: 'application/pdf' },
      ],
    });
    const m = await messageByExternal(`${acct}:first-1@example.it`);
    expect(m).toMatchObject({
      subject: 'Lampione spento in via Sparano',
      channel: 'email',
      address: 'maria.rossi@example.it',
      display_name: 'Maria Rossi',
    });
    expect(m.text).toContain('il lampione davanti al civico 12 è spento da tre giorni.');
    // The "PDF" that is really a program is refused, and the operator is told.
    expect(m.text).toContain('[allegato «documento.pdf» non conservato: tipo di file non ammesso]');
    expect(await attachmentsOf(m.id)).toEqual([{ filename: 'foto-lampione.pdf', content_type: 'application/pdf', size_bytes: PDF.length }]);
    expect(m.reference).toMatch(/^BA-\d{4}-\d{6}$/);

    // HTML-only mail is read as text.
    await citizenMail({
      from: 'html.only@example.it',
      subject: 'Orari',
      messageId: '<html-1@example.it>',
      html: '<div><b>Quali sono</b> gli orari dell&#39;URP?</div>',
    });
    expect((await messageByExternal(`${acct}:html-1@example.it`)).text).toBe("Quali sono gli orari dell'URP?");
  });

  it('refuses mail for unknown mailboxes at RCPT, with 550', async () => {
    // Counted by what this mail would have left (other tests' background work may add messages meanwhile,
    // e.g. an out-of-hours notice): no message with its id, no identity for its sender.
    await expect(
      citizenMail({ to: 'nessuno@bari.demo', from: 'x@example.it', subject: 's', text: 't', messageId: '<unknown-rcpt@example.it>' }),
    ).rejects.toMatchObject({ responseCode: 550 });
    expect(await count(`SELECT count(*)::int AS n FROM messages WHERE external_id LIKE '%unknown-rcpt@example.it'`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM citizen_identities WHERE address = 'x@example.it'`)).toBe(0);
  });

  it('holds mail and attachments to their size limits', async () => {
    const acct = await demoAccount();
    await citizenMail({
      from: 'big@example.it',
      subject: 'Planimetria',
      text: 'Allego la planimetria.',
      messageId: '<size-1@example.it>',
      attachments: [{ filename: 'planimetria.pdf', content: Buffer.concat([PDF, Buffer.alloc(300 * 1024, 0x20)]) }],
    });
    const m = await messageByExternal(`${acct}:size-1@example.it`);
    expect(m.text).toBe('Allego la planimetria.\n\n[allegato «planimetria.pdf» non conservato: supera 0.2 MB]');
    expect(await attachmentsOf(m.id)).toEqual([]);
    await expect(
      citizenMail({
        from: 'big@example.it',
        subject: 'Troppo',
        text: 'x',
        messageId: '<size-2@example.it>',
        attachments: [{ filename: 'enorme.pdf', content: Buffer.concat([PDF, Buffer.alloc(1100 * 1024, 0x20)]) }],
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(await messageByExternal(`${acct}:size-2@example.it`)).toBeUndefined();
  });

  it('lets a manager connect a mailbox through the channel accounts API, checking every field and hiding secrets', async () => {
    const token = await login(t, 'manager@bari.demo');
    const bad = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${token}`)
      .send({ channel: 'email', label: 'Tributi', config: { address: 'tributi(at)comune.bari.it' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('config.address');
    const noCreds = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${token}`)
      .send({ channel: 'email', label: 'Tributi', config: { address: 'tributi@comune.bari.it', imap: { host: 'imap.comune.bari.it' } } });
    // Saved (secrets may follow), but the admin is told at once that it cannot work yet.
    expect(noCreds.status).toBe(201);
    expect(noCreds.body.connection).toEqual({ ok: false, detail: 'secrets.imap: must hold "user" and "pass"' });
    await t.ds.query(`DELETE FROM channel_accounts WHERE id = $1`, [noCreds.body.id]);
    const ok = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${token}`)
      .send({
        channel: 'email',
        label: 'Tributi',
        config: { address: 'tributi@comune.bari.it', smtp: { host: '127.0.0.1', port: sink.port, secure: false } },
        secrets: { smtp: { user: 'tributi', pass: 'segretissima' } },
      });
    expect(ok.status).toBe(201);
    expect(JSON.stringify(ok.body)).not.toContain('segretissima');
    // Mail for the new address is accepted at once.
    await citizenMail({
      to: 'tributi@comune.bari.it',
      from: 'contribuente@example.it',
      subject: 'IMU',
      text: 'Scadenza IMU?',
      messageId: '<api-1@example.it>',
    });
    expect((await messageByExternal(`${ok.body.id}:api-1@example.it`)).text).toBe('Scadenza IMU?');
  });

  it('stores a Message-ID once, even when five deliveries of it race', async () => {
    const acct = await demoAccount();
    const mail = { from: 'dup@example.it', subject: 'Doppio invio', text: 'Una sola volta, per favore', messageId: '<dup-1@example.it>' };
    await citizenMail(mail);
    await citizenMail(mail);
    const raw = [
      'From: race@example.it',
      'To: urp@bari.demo',
      'Subject: Cinque volte',
      'Message-ID: <race-1@example.it>',
      'Date: Thu, 15 Jan 2026 09:00:00 +0100',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Consegnato cinque volte insieme',
      '',
    ].join('\r\n');
    await Promise.all(Array.from({ length: 5 }, () => deliverRaw(port, raw, { from: 'race@example.it', to: ['urp@bari.demo'] })));
    for (const id of ['dup-1@example.it', 'race-1@example.it']) {
      expect(await count(`SELECT count(*)::int AS n FROM messages WHERE channel = 'email' AND external_id = $1`, [`${acct}:${id}`])).toBe(
        1,
      );
    }
    expect(
      await count(
        `SELECT count(*)::int AS n FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id WHERE i.address = 'race@example.it'`,
      ),
    ).toBe(1);
  });

  it('threads a reply by In-Reply-To / References and by the reference in the subject; a new thread is a new ticket', async () => {
    const acct = await demoAccount();
    await citizenMail({
      from: 'luigi@example.it',
      subject: 'Buca in via Capruzzi',
      text: 'C’è una buca profonda.',
      messageId: '<thread-1@example.it>',
    });
    const first = await messageByExternal(`${acct}:thread-1@example.it`);
    await citizenMail({
      from: 'luigi@example.it',
      subject: 'Re: Buca in via Capruzzi',
      messageId: '<thread-2@example.it>',
      inReplyTo: '<thread-1@example.it>',
      references: ['<thread-1@example.it>'],
      text: 'Aggiungo: è vicino alla fermata.\n\nIl giorno gio 15 gen 2026 alle 09:00 Luigi <luigi@example.it> ha scritto:\n> C’è una buca profonda.',
    });
    const second = await messageByExternal(`${acct}:thread-2@example.it`);
    expect(second.ticket_id).toBe(first.ticket_id);
    expect(second.text).toBe('Aggiungo: è vicino alla fermata.');

    await citizenMail({
      from: 'luigi@example.it',
      subject: `Sollecito pratica [${first.reference}]`,
      text: 'Novità?',
      messageId: '<thread-3@example.it>',
    });
    expect((await messageByExternal(`${acct}:thread-3@example.it`)).ticket_id).toBe(first.ticket_id);

    await citizenMail({
      from: 'luigi@example.it',
      subject: 'Altra questione: TARI',
      text: 'Come pago la TARI?',
      messageId: '<thread-4@example.it>',
    });
    expect((await messageByExternal(`${acct}:thread-4@example.it`)).ticket_id).not.toBe(first.ticket_id);
  });

  it('unwraps a PEC envelope: the original is the citizen’s message, the certification is kept with it', async () => {
    const acct = await demoAccount(PEC_BOX);
    const raw = pecEnvelope({
      from: 'mario.rossi@pec.it',
      fromName: 'Mario Rossi',
      to: PEC_BOX,
      subject: 'Richiesta di accesso agli atti',
      messageId: 'orig-pec-1@pec.it',
      envelopeId: 'opec21010.20260115103000.12345.67.1.53@pec.aruba.it',
      text: 'Chiedo copia della delibera n. 45/2025.',
      pdf: { filename: 'documento-identita.pdf', bytes: PDF },
    });
    await deliverRaw(port, raw, { from: 'posta-certificata@pec.aruba.it', to: [PEC_BOX] });
    const m = await messageByExternal(`${acct}:opec21010.20260115103000.12345.67.1.53@pec.aruba.it`);
    expect(m).toMatchObject({ address: 'mario.rossi@pec.it', display_name: 'Mario Rossi', subject: 'Richiesta di accesso agli atti' });
    expect(m.text).toBe('Chiedo copia della delibera n. 45/2025.');
    expect((await attachmentsOf(m.id)).map((a: any) => [a.filename, a.content_type])).toEqual([
      ['documento-identita.pdf', 'application/pdf'],
      ['daticert.xml', 'application/xml'],
      ['ricevuta-pec.eml', 'message/rfc822'],
    ]);
    const [kind] = await t.ds.query(`SELECT kind, pec_signature FROM email_messages WHERE account_id = $1 AND message_id = $2`, [
      acct,
      m.id,
    ]);
    // No PEC_TRUSTED_CERTS_FILE here: the provider's signature is not verified, and the console says so.
    expect(kind).toEqual({ kind: 'pec', pec_signature: 'not_verified' });
    const shown = await t.http.get(`/api/tickets/${m.ticket_id}`).set('Authorization', `Bearer ${await login(t, 'manager@bari.demo')}`);
    expect(shown.body.messages.find((x: any) => x.id === String(m.id)).pecSignature).toBe('not_verified');
  });

  it('never opens a ticket for auto-replies, read receipts or bounces', async () => {
    const before = { t: await count(`SELECT count(*)::int AS n FROM tickets`), m: await count(`SELECT count(*)::int AS n FROM messages`) };
    const o = { from: 'assente@example.it', to: 'urp@bari.demo', subject: 'Re: Lampione [BA-2026-000001]' };
    for (const kind of ['auto-submitted', 'x-autoreply', 'precedence-bulk', 'read-receipt'] as const) {
      await deliverRaw(port, autoReply(kind, { ...o, id: `auto-${kind}@example.it` }), { from: o.from, to: [o.to] });
    }
    await deliverRaw(
      port,
      postfixBounce({
        to: 'nessuno@example.it',
        from: 'urp@bari.demo',
        bouncedMessageId: 'not-ours@elsewhere',
        bouncedSubject: 'x',
        id: 'bounce-0@mx',
      }),
      { from: '', to: ['urp@bari.demo'] },
    );
    // A message without any auto header but with the null reverse path (an auto-responder that forgot them).
    await deliverRaw(
      port,
      ['From: robot@example.it', 'To: urp@bari.demo', 'Subject: Avviso', 'Message-ID: <null-1@example.it>', '', 'Avviso automatico'].join(
        '\r\n',
      ),
      { from: '', to: ['urp@bari.demo'] },
    );
    expect(await count(`SELECT count(*)::int AS n FROM tickets`)).toBe(before.t);
    expect(await count(`SELECT count(*)::int AS n FROM messages`)).toBe(before.m);
    expect(
      await count(`SELECT count(*)::int AS n FROM email_messages WHERE kind = 'ignored' AND direction = 'inbound'`),
    ).toBeGreaterThanOrEqual(6);
  });

  it('marks a reply failed when its bounce comes back', async () => {
    const token = await login(t, 'supervisore@bari.demo');
    await citizenMail({
      from: 'typo@example.it',
      subject: 'Contributi affitto',
      text: 'Quando escono le graduatorie?',
      messageId: '<bounce-src@example.it>',
    });
    const src = await messageByExternal(`${await demoAccount()}:bounce-src@example.it`);
    const sent = await t.http
      .post(`/api/tickets/${src.ticket_id}/messages`)
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'Entro fine mese.' });
    const reply = await sink.waitFor((d) => d.rcpt.includes('typo@example.it') && (d.parsed.text ?? '').includes('Entro fine mese.'));
    const tickets = await count(`SELECT count(*)::int AS n FROM tickets`);
    await deliverRaw(
      port,
      postfixBounce({
        to: 'typo@example.it',
        from: 'urp@bari.demo',
        bouncedMessageId: reply.parsed.messageId!.replace(/[<>]/g, ''),
        bouncedSubject: reply.parsed.subject!,
        id: 'bounce-1@mx.example.it',
      }),
      { from: '', to: ['urp@bari.demo'] },
    );
    const [row] = await t.ds.query(`SELECT delivery_status, delivery_error FROM messages WHERE id = $1`, [sent.body.id]);
    expect(row.delivery_status).toBe('failed');
    expect(row.delivery_error).toContain('550 5.1.1');
    expect(await count(`SELECT count(*)::int AS n FROM tickets`)).toBe(tickets);
  });

  it('PEC receipts move a reply to delivered or failed and open nothing', async () => {
    const token = await login(t, 'supervisore@bari.demo');
    const acct = await demoAccount(PEC_BOX);
    await deliverRaw(
      port,
      pecEnvelope({
        from: 'anna.neri@pec.it',
        to: PEC_BOX,
        subject: 'Istanza',
        messageId: 'orig-pec-2@pec.it',
        envelopeId: 'opec-2@pec.aruba.it',
        text: 'Invio istanza.',
      }),
      { from: 'posta-certificata@pec.aruba.it', to: [PEC_BOX] },
    );
    const src = await messageByExternal(`${acct}:opec-2@pec.aruba.it`);
    const outcomes: Record<string, string> = {};
    for (const [i, kind] of (['avvenuta-consegna', 'errore-consegna'] as const).entries()) {
      const sent = await t.http
        .post(`/api/tickets/${src.ticket_id}/messages`)
        .set('Authorization', `Bearer ${token}`)
        .send({ text: `Risposta ${i + 1}` });
      const reply = await sink.waitFor((d) => d.rcpt.includes('anna.neri@pec.it') && (d.parsed.text ?? '').includes(`Risposta ${i + 1}`));
      expect(reply.parsed.from?.value[0].address).toBe(PEC_BOX);
      await eventually(
        async () => (await t.ds.query(`SELECT delivery_status FROM messages WHERE id = $1`, [sent.body.id]))[0].delivery_status === 'sent',
        5000,
        'sent',
      );
      const common = {
        ourMessageId: reply.parsed.messageId!.replace(/[<>]/g, ''),
        from: PEC_BOX,
        to: 'anna.neri@pec.it',
        subject: reply.parsed.subject!,
      };
      const tickets = await count(`SELECT count(*)::int AS n FROM tickets`);
      await deliverRaw(port, pecReceipt('accettazione', { ...common, receiptId: `acc-${i}@pec.aruba.it` }), {
        from: 'posta-certificata@pec.aruba.it',
        to: [PEC_BOX],
      });
      await deliverRaw(port, pecReceipt(kind, { ...common, receiptId: `${kind}-${i}@pec.aruba.it` }), {
        from: 'posta-certificata@pec.aruba.it',
        to: [PEC_BOX],
      });
      // A late acceptance does not move a delivered message back.
      await deliverRaw(port, pecReceipt('accettazione', { ...common, receiptId: `acc-late-${i}@pec.aruba.it` }), {
        from: 'posta-certificata@pec.aruba.it',
        to: [PEC_BOX],
      });
      const [row] = await t.ds.query(`SELECT delivery_status, delivery_error FROM messages WHERE id = $1`, [sent.body.id]);
      outcomes[kind] = `${row.delivery_status}${row.delivery_error ? `: ${row.delivery_error}` : ''}`;
      expect(await count(`SELECT count(*)::int AS n FROM tickets`)).toBe(tickets);
    }
    expect(outcomes).toEqual({
      'avvenuta-consegna': 'delivered',
      'errore-consegna':
        'failed: PEC: messaggio non consegnato alla casella PEC del destinatario (5.1.1 - ArubaPEC S.p.A. - indirizzo non valido)',
    });
  });

  it('retries a reply refused with 4xx until it goes, and gives up at once on 5xx', async () => {
    const token = await login(t, 'supervisore@bari.demo');
    const queue = t.app.get<Queue>(getQueueToken(outboundQueueName('email')));
    sink.reply = ({ attempt, rcpt }) =>
      rcpt.includes('busy@example.it') && attempt <= 2 ? 451 : rcpt.includes('gone@example.it') ? 550 : undefined;
    try {
      const ids: Record<string, string> = {};
      for (const who of ['busy', 'gone']) {
        await citizenMail({
          from: `${who}@example.it`,
          subject: `Domanda di ${who}`,
          text: 'Domanda',
          messageId: `<retry-${who}@example.it>`,
        });
        const src = await messageByExternal(`${await demoAccount()}:retry-${who}@example.it`);
        const sent = await t.http
          .post(`/api/tickets/${src.ticket_id}/messages`)
          .set('Authorization', `Bearer ${token}`)
          .send({ text: `Risposta per ${who}` });
        ids[who] = sent.body.id;
      }
      const status = async (id: string) =>
        (await t.ds.query(`SELECT delivery_status, delivery_error FROM messages WHERE id = $1`, [id]))[0];
      await eventually(async () => (await status(ids.busy)).delivery_status === 'sent', 10_000, 'busy reply sent');
      await eventually(async () => (await status(ids.gone)).delivery_status === 'failed', 10_000, 'gone reply failed');
      const attempts = (who: string) =>
        sink.deliveries.filter((d) => d.rcpt.includes(`${who}@example.it`) && (d.parsed.text ?? '').includes(`Risposta per ${who}`));
      expect(attempts('busy').map((d) => d.accepted)).toEqual([false, false, true]);
      // The permanent refusal ended the job: it is failed for good, after one attempt.
      const job = await queue.getJob(`deliver-${ids.gone}`);
      expect(await job!.getState()).toBe('failed');
      expect(attempts('gone').map((d) => d.accepted)).toEqual([false]);
      expect((await status(ids.gone)).delivery_error).toMatch(/^SMTP 550 /);
    } finally {
      sink.reply = () => undefined;
    }
  });
});
