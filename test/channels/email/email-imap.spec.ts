import { ImapFlow } from 'imapflow';
import { createTestDatabase, eventually, login, startApp, type TestApp } from '../../support/harness.js';
import { autoReply, pecEnvelope } from './fixtures.js';
import { createServer, type AddressInfo } from 'node:net';
import { startDovecot, type Dovecot } from './mail-standins.js';

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const MAILBOX = 'protocollo@comune.bari.it';

/**
 * IMAP polling against a real Dovecot: messages appended to the comune's mailbox with imapflow
 * are read by the app's poller, stored once, marked, and not read again after a restart.
 */
describe('e-mail channel over IMAP', () => {
  let dovecot: Dovecot;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let t: TestApp | null = null;
  let imap: ImapFlow;
  let accountId: number;
  // Dovecot listens on loopback: this installation allows private mail servers.
  const env = { EMAIL_IMAP_POLL_MS: '150', CHANNEL_ALLOW_PRIVATE_HOSTS: 'true' };

  beforeAll(async () => {
    dovecot = await startDovecot(MAILBOX, 'password-di-prova');
    db = await createTestDatabase();
    t = await startApp(env, db);
    const [{ id: bari }] = await t.ds.query(`SELECT id FROM comuni WHERE slug = 'bari'`);
    [{ id: accountId }] = await t.ds.query(
      `INSERT INTO channel_accounts (comune_id, channel, label, config, secrets) VALUES ($1, 'email', 'Protocollo – Bari (IMAP)', $2::jsonb, $3::jsonb) RETURNING id`,
      [
        bari,
        JSON.stringify({ address: MAILBOX, imap: { host: '127.0.0.1', port: dovecot.port, secure: false } }),
        JSON.stringify({ imap: { user: dovecot.user, pass: dovecot.password } }),
      ],
    );
    imap = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await imap.connect();
  });
  afterAll(async () => {
    await imap?.logout().catch(() => undefined);
    await t?.close();
    await db.drop();
    await dovecot.stop();
  });

  const stored = async () =>
    await t!.ds.query<Array<{ external_id: string; text: string; address: string }>>(
      `SELECT m.external_id, m.text, i.address FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN citizen_identities i ON i.id = t.citizen_identity_id
      WHERE m.channel = 'email' AND m.external_id LIKE $1 ORDER BY m.id`,
      [`${accountId}:%`],
    );
  const duplicates = (metrics: string) =>
    Number(/sportello_ingest_messages_total\{channel="email",outcome="duplicate"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  const lastUid = async () =>
    Number((await t!.ds.query(`SELECT last_uid FROM email_imap_state WHERE account_id = $1`, [accountId]))[0]?.last_uid ?? 0);
  const plain = (id: string, from: string, subject: string, text: string) =>
    [
      `From: ${from}`,
      `To: ${MAILBOX}`,
      `Subject: ${subject}`,
      `Message-ID: <${id}>`,
      'Date: Fri, 16 Jan 2026 09:00:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      text,
      '',
    ].join('\r\n');

  it('reads new mail from the mailbox: citizen mail and PEC stored, auto-replies ignored, all marked processed', async () => {
    await imap.append(
      'INBOX',
      plain('imap-1@example.it', 'Franco <franco@example.it>', 'Passo carrabile', 'Vorrei richiedere un passo carrabile.'),
    );
    await imap.append(
      'INBOX',
      autoReply('auto-submitted', { from: 'fuori@example.it', to: MAILBOX, id: 'imap-auto@example.it', subject: 'Re: avviso' }),
    );
    await imap.append(
      'INBOX',
      pecEnvelope({
        from: 'studio.legale@pec.it',
        to: MAILBOX,
        subject: 'Diffida',
        messageId: 'imap-pec-orig@pec.it',
        envelopeId: 'imap-pec@pec.aruba.it',
        text: 'Si trasmette diffida.',
      }),
    );

    await eventually(async () => (await lastUid()) === 3, 8000, 'three messages read');
    expect((await stored()).map((m) => [m.external_id, m.address, m.text])).toEqual([
      [`${accountId}:imap-1@example.it`, 'franco@example.it', 'Vorrei richiedere un passo carrabile.'],
      [`${accountId}:imap-pec@pec.aruba.it`, 'studio.legale@pec.it', 'Si trasmette diffida.'],
    ]);
    const lock = await imap.getMailboxLock('INBOX');
    try {
      const flags: string[][] = [];
      for await (const m of imap.fetch('1:*', { flags: true, uid: true }, { uid: true })) flags.push([...(m.flags ?? [])].sort());
      expect(flags).toEqual([
        ['$SportelloProcessed', '\\Seen'],
        ['$SportelloProcessed', '\\Seen'],
        ['$SportelloProcessed', '\\Seen'],
      ]);
      // Someone marks them unread again in their mail client: Sportello goes by UID, not by flags.
      await imap.messageFlagsRemove('1:*', ['\\Seen', '$SportelloProcessed'], { uid: true });
    } finally {
      lock.release();
    }
  });

  it('resumes after a restart without reading anything twice', async () => {
    await t!.close();
    t = null;
    await imap.append('INBOX', plain('imap-2@example.it', 'franco@example.it', 'Re: Passo carrabile', 'Allego la planimetria in seguito.'));
    t = await startApp(env, db);
    await eventually(async () => (await lastUid()) === 4, 8000, 'the new message read');
    expect((await stored()).map((m) => m.external_id)).toEqual([
      `${accountId}:imap-1@example.it`,
      `${accountId}:imap-pec@pec.aruba.it`,
      `${accountId}:imap-2@example.it`,
    ]);
    // The new process met no duplicate: it started from the stored UID, not from the unread flags.
    const metrics = await t.http.get('/metrics');
    expect(duplicates(metrics.text)).toBe(0);
  });

  it('reads the mailbox again when the server renumbers it, storing nothing twice', async () => {
    await t!.ds.query(`UPDATE email_imap_state SET uid_validity = uid_validity + 1 WHERE account_id = $1`, [accountId]);
    // The three stored mails are met again and recognised by their Message-ID (the auto-reply is skipped earlier).
    await eventually(async () => duplicates(await t!.http.get('/metrics').then((r) => r.text)) === 3, 8000, 'mailbox read again');
    expect(await lastUid()).toBe(4);
    expect(await stored()).toHaveLength(3);
  });

  it('moves processed mail to the folder the account names', async () => {
    await t!.ds.query(`UPDATE channel_accounts SET config = jsonb_set(config, '{imap,processedMailbox}', '"Elaborati"') WHERE id = $1`, [
      accountId,
    ]);
    await imap.append('INBOX', plain('imap-3@example.it', 'carla@example.it', 'Verde pubblico', 'Gli alberi del parco vanno potati.'));
    await eventually(async () => (await lastUid()) === 5, 8000, 'fifth message read');
    // The move follows the bookmark: wait for it rather than for the UID.
    // A new session: the test's own one has INBOX selected and may answer from what it saw.
    const counts = async () => {
      const c = new ImapFlow({
        host: '127.0.0.1',
        port: dovecot.port,
        secure: false,
        auth: { user: dovecot.user, pass: dovecot.password },
        logger: false,
      });
      await c.connect();
      try {
        const messages = async (box: string) => {
          const st = await c.status(box, { messages: true });
          return st ? st.messages : undefined;
        };
        return { inbox: await messages('INBOX'), elaborati: await messages('Elaborati') };
      } finally {
        await c.logout();
      }
    };
    await eventually(async () => (await counts()).inbox === 4, 5000, 'message moved').catch(() => undefined);
    expect(await counts()).toEqual({ inbox: 4, elaborati: 1 });
    expect((await stored()).at(-1)).toMatchObject({ address: 'carla@example.it', text: 'Gli alberi del parco vanno potati.' });
  });

  it('tells the administrator who saves a polled mailbox whether the IMAP login works, with one answer for every failure', async () => {
    const token = await login(t!, 'manager@bari.demo');
    const save = (pass: string) =>
      t!.http
        .post('/api/channel-accounts')
        .set('Authorization', `Bearer ${token}`)
        .send({
          channel: 'email',
          label: 'Casella di prova',
          enabled: false,
          config: { address: 'prova@comune.bari.it', imap: { host: '127.0.0.1', port: dovecot.port, secure: false } },
          secrets: { imap: { user: dovecot.user, pass } },
        });
    const wrong = await save('sbagliata');
    expect(wrong.status).toBe(201);
    expect(wrong.body.connection).toEqual({
      ok: false,
      detail: 'IMAP: impossibile collegarsi al server di posta con queste impostazioni (server, porta, sicurezza, credenziali)',
    });
    expect(JSON.stringify(wrong.body)).not.toContain('sbagliata');
    // A port where something else answers (PostgreSQL) or nothing at all: the same answer, so that
    // saving accounts cannot tell which hosts and ports are open.
    for (const port of [5432, await closedPort()]) {
      const other = await t!.http
        .post('/api/channel-accounts')
        .set('Authorization', `Bearer ${token}`)
        .send({
          channel: 'email',
          label: 'Casella di prova',
          enabled: false,
          config: { address: 'prova@comune.bari.it', imap: { host: '127.0.0.1', port, secure: false } },
          secrets: { imap: { user: 'u', pass: 'p' } },
        });
      expect(other.body.connection).toEqual(wrong.body.connection);
    }
    const right = await save(dovecot.password);
    expect(right.body.connection.ok).toBe(true);
    expect(right.body.connection.detail).toMatch(/^IMAP 127\.0\.0\.1: logged in, INBOX holds \d+ messages$/);
  });
});
