import { createServer, type AddressInfo, type Server } from 'node:net';
import nodemailer from 'nodemailer';
import { EmailSmtpServer } from '../../../src/channels/email/email-smtp.server.js';
import { eventually, login, startApp, type TestApp } from '../../support/harness.js';
import { startSmtpSink, type SmtpSink } from './mail-standins.js';

const UNUSABLE = 'impossibile collegarsi al server di posta con queste impostazioni (server, porta, sicurezza, credenziali)';

/**
 * What a comune's manager may and may not make Sportello do with e-mail accounts: claim another
 * comune's addresses (409), point IMAP/SMTP at private hosts (422, and refused again by the
 * worker), or make another comune drop mail as "our own". The app runs with private hosts
 * forbidden (the default); its built-in SMTP server receives the citizens' mail.
 */
describe('e-mail accounts: ownership of addresses and private hosts', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let port: number;
  let listener: Server;
  let listenerPort: number;
  let probes = 0;
  const token: Record<string, string> = {};
  const comune: Record<string, number> = {};

  beforeAll(async () => {
    sink = await startSmtpSink();
    // A loopback service standing for Redis or a metadata endpoint: it counts who connects.
    listener = createServer((s) => {
      probes++;
      s.end('+OK\r\n');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', () => resolve()));
    listenerPort = (listener.address() as AddressInfo).port;
    t = await startApp({
      EMAIL_SMTP_ENABLED: 'true',
      EMAIL_SMTP_PORT: '0',
      EMAIL_DEFAULT_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      EMAIL_IMAP_POLL_MS: '150',
    });
    port = t.app.get(EmailSmtpServer).port!;
    for (const slug of ['bari', 'modugno', 'altamura', 'bitonto', 'capurso']) {
      token[slug] = await login(t, `manager@${slug}.demo`);
      [{ id: comune[slug] }] = await t.ds.query(`SELECT id FROM comuni WHERE slug = $1`, [slug]);
    }
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
    await new Promise((resolve) => listener?.close(resolve));
  });

  const create = (slug: string, config: Record<string, unknown>, secrets?: Record<string, unknown>) =>
    t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${token[slug]}`)
      .send({ channel: 'email', label: `Casella ${slug}`, config, ...(secrets ? { secrets } : {}) });
  const mail = async (from: string, to: string, id: string, text: string) => {
    const tr = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      await tr.sendMail({ from, to, subject: 'Prova', text, messageId: `<${id}>` });
    } finally {
      tr.close();
    }
  };
  const storedAt = async (id: string) =>
    (
      await t.ds.query(
        `SELECT c.slug FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN comuni c ON c.id = t.comune_id WHERE m.channel = 'email' AND m.external_id LIKE $1`,
        [`%:${id}`],
      )
    ).map((r: any) => r.slug);

  describe('addresses and domains belong to one comune', () => {
    it.each([
      ['an alias', { address: 'urp@modugno.demo', aliases: ['urp@bari.demo'] }, 'config.aliases[0]'],
      [
        'an alias (Bari’s alias)',
        { address: 'urp@modugno.demo', aliases: ['x@modugno.demo', 'PROTOCOLLO@bari.demo'] },
        'config.aliases[1]',
      ],
      ['a domain', { address: 'urp@modugno.demo', domains: ['bari.demo'] }, 'config.domains[0]'],
      ['the address', { address: 'urp@bari.demo' }, 'config.address'],
    ])('refuses Modugno %s owned by Bari with 409 naming the field', async (_what, config, field) => {
      const res = await create('modugno', config);
      expect(res.status).toBe(409);
      expect(res.body.fields).toEqual([{ field, message: expect.stringContaining('another comune') }]);
    });

    it('refuses an address in a domain another comune receives, and lets that comune add it', async () => {
      expect(
        (await create('altamura', { address: 'urp@sportello.altamura.example.it', domains: ['sportello.altamura.example.it'] })).status,
      ).toBe(201);
      const res = await create('modugno', { address: 'furbo@sportello.altamura.example.it' });
      expect(res.status).toBe(409);
      expect(res.body.fields[0].field).toBe('config.address');
      expect((await create('altamura', { address: 'tributi@sportello.altamura.example.it' })).status).toBe(201);
    });

    it('lets only one of several comuni claiming the same new address at once win', async () => {
      const results = await Promise.all(
        ['modugno', 'bitonto', 'capurso', 'altamura'].map((slug) => create(slug, { address: 'sportello@condiviso.example.it' })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
      const rows = await t.ds.query(
        `SELECT count(*)::int AS n FROM channel_accounts WHERE channel = 'email' AND config->>'address' = 'sportello@condiviso.example.it'`,
      );
      expect(rows[0].n).toBe(1);
    });

    it('does not let one comune make another drop mail as "our own": loop prevention is per comune', async () => {
      // Modugno lists a citizen's address among its aliases (nobody else's mailbox, so allowed)…
      expect((await create('modugno', { address: 'segreteria@modugno.demo', aliases: ['cittadina@example.it'] })).status).toBe(201);
      // …the citizen's mail to Bari still reaches Bari.
      await mail('cittadina@example.it', 'urp@bari.demo', 'loop-1@example.it', 'Buongiorno, scrivo al Comune di Bari.');
      expect(await storedAt('loop-1@example.it')).toEqual(['bari']);
      // A comune writing to another is a correspondent, not a loop.
      await mail('segreteria@modugno.demo', 'urp@bari.demo', 'loop-2@modugno.demo', 'Trasmettiamo per competenza.');
      expect(await storedAt('loop-2@modugno.demo')).toEqual(['bari']);
      // Bari's own mailbox writing to Bari is still recognised as our own coming back.
      await mail('protocollo@bari.demo', 'urp@bari.demo', 'loop-3@bari.demo', 'Copia interna');
      expect(await storedAt('loop-3@bari.demo')).toEqual([]);
      const [ignored] = await t.ds.query(`SELECT kind FROM email_messages WHERE rfc_message_id = 'loop-3@bari.demo'`);
      expect(ignored.kind).toBe('ignored');
    });
  });

  describe('mail servers must be public hosts', () => {
    it.each([
      ['imap', '127.0.0.1', 0], // 0: the counting listener's port
      ['imap', '169.254.169.254', 80],
      ['imap', 'localhost', 0],
      ['imap', '[::1]', 6379],
      ['imap', '10.20.30.40', 993],
      ['smtp', '192.168.1.10', 25],
      ['smtp', '100.64.0.1', 587],
    ])('refuses %s host %s with 422 naming the field, connecting nowhere', async (section, host, port0) => {
      const p = port0 || listenerPort;
      const before = probes;
      const res = await create(
        'bari',
        { address: `nuova-${section}-${p}@comune.bari.it`, [section]: { host, port: p, secure: false } },
        { [section]: { user: 'u', pass: 'p' } },
      );
      expect(res.status).toBe(422);
      expect(res.body.fields).toEqual([{ field: `config.${section}.host`, message: expect.stringContaining('public Internet') }]);
      expect(probes).toBe(before);
    });

    it('refuses the same on an update', async () => {
      const ok = await create('bari', { address: 'aggiornata@comune.bari.it' });
      expect(ok.status).toBe(201);
      const res = await t.http
        .patch(`/api/channel-accounts/${ok.body.id}`)
        .set('Authorization', `Bearer ${token.bari}`)
        .send({ config: { imap: { host: '127.0.0.1', port: listenerPort, secure: false } }, secrets: { imap: { user: 'u', pass: 'p' } } });
      expect(res.status).toBe(422);
      expect(res.body.fields[0].field).toBe('config.imap.host');
    });

    it('the IMAP poller refuses a private host it finds in the database, without connecting', async () => {
      // Written behind the API's back (or by an older version): the worker checks again.
      const [{ id }] = await t.ds.query(
        `INSERT INTO channel_accounts (comune_id, channel, label, config, secrets) VALUES ($1, 'email', 'Scritta a mano', $2::jsonb, $3::jsonb) RETURNING id`,
        [
          comune.bari,
          JSON.stringify({ address: 'amano@comune.bari.it', imap: { host: '127.0.0.1', port: listenerPort, secure: false } }),
          JSON.stringify({ imap: { user: 'u', pass: 'p' } }),
        ],
      );
      const error = await eventually(
        async () => (await t.ds.query(`SELECT last_error FROM email_imap_state WHERE account_id = $1`, [id]))[0]?.last_error,
        8000,
        'the poller’s refusal',
      );
      expect(error).toBe('refused: 127.0.0.1 is not a public mail server (CHANNEL_ALLOW_PRIVATE_HOSTS)');
      expect(probes).toBe(0);
      await t.ds.query(`UPDATE channel_accounts SET enabled = false WHERE id = $1`, [id]);
    });

    it('outbound mail refuses an account SMTP server on a private host, with one Italian reason', async () => {
      await t.ds.query(
        `INSERT INTO channel_accounts (comune_id, channel, label, config) VALUES ($1, 'email', 'Uscita privata', $2::jsonb)`,
        [comune.bari, JSON.stringify({ address: 'uscita@comune.bari.it', smtp: { host: '127.0.0.1', port: sink.port, secure: false } })],
      );
      await mail('mario@example.it', 'uscita@comune.bari.it', 'out-1@example.it', 'Una domanda');
      const [src] = await t.ds.query(`SELECT ticket_id FROM messages WHERE channel = 'email' AND external_id LIKE '%:out-1@example.it'`);
      const reply = await t.http
        .post(`/api/tickets/${src.ticket_id}/messages`)
        .set('Authorization', `Bearer ${token.bari}`)
        .send({ text: 'Ecco la risposta.' });
      expect(reply.status).toBe(201);
      const row = await eventually(
        async () => {
          const [m] = await t.ds.query(`SELECT delivery_status, delivery_error FROM messages WHERE id = $1`, [reply.body.id]);
          return m.delivery_status === 'failed' ? m : null;
        },
        8000,
        'reply failed',
      );
      expect(row.delivery_error).toBe(`Posta in uscita: ${UNUSABLE}`);
      expect(sink.deliveries.filter((d) => d.rcpt.includes('mario@example.it'))).toEqual([]);
    });
  });
});
