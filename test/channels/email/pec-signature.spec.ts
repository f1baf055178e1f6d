import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmailSmtpServer } from '../../../src/channels/email/email-smtp.server.js';
import { login, startApp, type TestApp } from '../../support/harness.js';
import { pecEnvelope, signedPecEnvelope } from './fixtures.js';
import { deliverRaw } from './mail-standins.js';

const PEC_BOX = 'protocollo@pec.comune.bari.it';

/**
 * PEC envelopes are checked against the providers' certificates (PEC_TRUSTED_CERTS_FILE). A
 * throwaway CA and a provider certificate are made with the openssl CLI; envelopes are signed with
 * `openssl smime -sign` as a provider does, or forged (a made-up smime.p7s, another key, a text
 * changed after signing). The state is stored and shown with the message in the console's API.
 */
describe('PEC provider signatures', () => {
  let t: TestApp;
  let dir: string;
  let port: number;
  let accountId: number;
  let manager: string;
  const ssl = (args: string[], input?: string) =>
    execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
  const signWith = (name: string) => (entity: string) => ssl(['smime', '-sign', '-signer', `${name}.pem`, '-inkey', `${name}.key`], entity);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sportello-pec-'));
    ssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=Test PEC Root CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    ssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'provider.key',
      '-out',
      'provider.csr',
      '-subj',
      '/CN=posta-certificata@pec.aruba.it/O=Gestore PEC di prova',
    ]);
    writeFileSync(
      join(dir, 'provider.ext'),
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\nsubjectAltName=email:posta-certificata@pec.aruba.it\n',
    );
    ssl([
      'x509',
      '-req',
      '-in',
      'provider.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'provider.pem',
      '-days',
      '2',
      '-extfile',
      'provider.ext',
    ]);
    // Someone else's key, with a certificate claiming the same provider.
    ssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'rogue.key',
      '-out',
      'rogue.pem',
      '-days',
      '2',
      '-subj',
      '/CN=posta-certificata@pec.aruba.it/O=Gestore PEC di prova',
    ]);

    t = await startApp({ EMAIL_SMTP_ENABLED: 'true', EMAIL_SMTP_PORT: '0', PEC_TRUSTED_CERTS_FILE: join(dir, 'ca.pem') });
    port = t.app.get(EmailSmtpServer).port!;
    const [{ id: bari }] = await t.ds.query(`SELECT id FROM comuni WHERE slug = 'bari'`);
    [{ id: accountId }] = await t.ds.query(
      `INSERT INTO channel_accounts (comune_id, channel, label, config) VALUES ($1, 'email', 'PEC protocollo – Bari', $2::jsonb) RETURNING id`,
      [bari, JSON.stringify({ address: PEC_BOX, pec: true })],
    );
    manager = await login(t, 'manager@bari.demo');
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const envelope = (n: number) => ({
    from: 'avvocato.bianchi@pec.it',
    to: PEC_BOX,
    subject: `Istanza di accesso n. ${n}`,
    messageId: `orig-sig-${n}@pec.it`,
    envelopeId: `opec-sig-${n}@pec.aruba.it`,
    text: `Chiedo copia degli atti, istanza ${n}.`,
  });
  /** Delivers an envelope; answers its stored state and what the console's API shows with the message. */
  const deliver = async (raw: string, envelopeId: string) => {
    await deliverRaw(port, raw, { from: 'posta-certificata@pec.aruba.it', to: [PEC_BOX] });
    const [row] = await t.ds.query(
      `SELECT e.kind, e.pec_signature, m.text, m.ticket_id, m.id FROM email_messages e JOIN messages m ON m.id = e.message_id
        WHERE e.account_id = $1 AND e.rfc_message_id = $2`,
      [accountId, envelopeId],
    );
    const ticket = await t.http.get(`/api/tickets/${row.ticket_id}`).set('Authorization', `Bearer ${manager}`);
    const shown = ticket.body.messages.find((m: any) => m.id === String(row.id));
    return { kind: row.kind, stored: row.pec_signature, shown: shown.pecSignature, text: row.text };
  };

  it('verifies an envelope signed by a provider whose CA is trusted', async () => {
    const o = envelope(1);
    expect(await deliver(signedPecEnvelope(o, signWith('provider')), o.envelopeId)).toEqual({
      kind: 'pec',
      stored: 'verified',
      shown: 'verified',
      text: 'Chiedo copia degli atti, istanza 1.',
    });
  });

  it('marks invalid an envelope whose smime.p7s is forged', async () => {
    const o = envelope(2);
    expect(await deliver(pecEnvelope(o), o.envelopeId)).toMatchObject({ kind: 'pec', stored: 'invalid', shown: 'invalid' });
  });

  it('marks invalid an envelope signed with a key the trusted providers do not hold', async () => {
    const o = envelope(3);
    expect(await deliver(signedPecEnvelope(o, signWith('rogue')), o.envelopeId)).toMatchObject({ stored: 'invalid', shown: 'invalid' });
  });

  it('marks invalid a genuinely signed envelope whose content was changed afterwards', async () => {
    const o = envelope(4);
    const raw = signedPecEnvelope(o, signWith('provider')).replace('Chiedo copia degli atti', 'Chiedo TUTTI gli atti');
    expect(await deliver(raw, o.envelopeId)).toEqual({
      kind: 'pec',
      stored: 'invalid',
      shown: 'invalid',
      text: 'Chiedo TUTTI gli atti, istanza 4.',
    });
  });
});
