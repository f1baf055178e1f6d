import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

/** One SMTP conversation the sink saw through to DATA (accepted or refused). */
export interface SinkDelivery {
  rcpt: string[];
  mailFrom: string;
  raw: Buffer;
  parsed: ParsedMail;
  accepted: boolean;
}

/**
 * An SMTP sink on 127.0.0.1 standing in for a provider's submission server. `reply` decides
 * the answer to each DATA: undefined accepts, a code refuses with it (451 transient, 550 permanent).
 */
export interface SmtpSink {
  port: number;
  deliveries: SinkDelivery[];
  reply: (d: { attempt: number; rcpt: string[]; parsed: ParsedMail }) => number | undefined;
  waitFor: (match: (d: SinkDelivery) => boolean, ms?: number) => Promise<SinkDelivery>;
  close: () => Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const deliveries: SinkDelivery[] = [];
  const waiters: Array<{ match: (d: SinkDelivery) => boolean; resolve: (d: SinkDelivery) => void }> = [];
  const sink: SmtpSink = {
    port: 0,
    deliveries,
    reply: () => undefined,
    waitFor: (match, ms = 10_000) => {
      const seen = deliveries.find((d) => d.accepted && match(d));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the SMTP sink received no matching mail within ${ms} ms (got ${deliveries.length})`)),
          ms,
        );
        timer.unref();
        waiters.push({
          match: (d) => d.accepted && match(d),
          resolve: (d) => {
            clearTimeout(timer);
            resolve(d);
          },
        });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => void received());
      const received = async () => {
        const raw = Buffer.concat(chunks);
        const parsed = await simpleParser(raw);
        const rcpt = session.envelope.rcptTo.map((r) => r.address);
        const attempt = deliveries.filter((d) => d.parsed.messageId === parsed.messageId).length + 1;
        const code = sink.reply({ attempt, rcpt, parsed });
        const d: SinkDelivery = {
          rcpt,
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          raw,
          parsed,
          accepted: !code,
        };
        deliveries.push(d);
        if (code)
          return cb(Object.assign(new Error(code >= 500 ? '5.1.1 mailbox unavailable' : '4.3.0 try again later'), { responseCode: code }));
        for (const w of [...waiters])
          if (w.match(d)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(d);
          }
        cb();
      };
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sink.port = (server.server.address() as AddressInfo).port;
  return sink;
}

/** Sends a raw mail to an SMTP server as a remote MTA would (what nodemailer's envelope says). */
export async function deliverRaw(port: number, raw: string | Buffer, envelope: { from: string; to: string[] }): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await t.sendMail({ envelope, raw });
  } finally {
    t.close();
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  stop: () => Promise<void>;
}

/**
 * A real IMAP server: Debian's Dovecot with a throwaway configuration, a passwd-file user and a
 * Maildir in a temporary directory, listening on a free loopback port. Needs `dovecot-imapd`
 * (installed by .ci/run).
 */
export async function startDovecot(user = 'urp@bari.demo', password = 'casella-di-prova'): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-dovecot-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  // Mail processes never run as root: as root, the mail files belong to "nobody".
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? 65534 : process.getuid!();
  const gid = asRoot ? 65534 : process.getgid!();
  for (const d of ['run', 'state', 'mail']) mkdirSync(join(dir, d));
  if (asRoot) chownSync(join(dir, 'mail'), uid, gid);
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`);
  const login = asRoot
    ? []
    : [`default_login_user = ${process.env.USER ?? 'nobody'}`, `default_internal_user = ${process.env.USER ?? 'nobody'}`];
  writeFileSync(
    join(dir, 'dovecot.conf'),
    [
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `log_path = ${dir}/dovecot.log`,
      'protocols = imap',
      'listen = 127.0.0.1',
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      ...login,
      `mail_location = maildir:${dir}/mail/%n`,
      'passdb {',
      '  driver = passwd-file',
      `  args = scheme=PLAIN username_format=%u ${dir}/passwd`,
      '}',
      'userdb {',
      '  driver = static',
      `  args = uid=${uid} gid=${gid} home=${dir}/mail/%n`,
      '}',
      'service imap-login {',
      '  inet_listener imap {',
      '    address = 127.0.0.1',
      `    port = ${port}`,
      '  }',
      '  inet_listener imaps {',
      '    port = 0',
      '  }',
      '  chroot =',
      '}',
      'service anvil {',
      '  chroot =',
      '}',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    existsSync('/usr/sbin/dovecot') ? '/usr/sbin/dovecot' : 'dovecot',
    ['-F', '-c', join(dir, 'dovecot.conf')],
    { stdio: 'ignore' },
  );
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const until = Date.now() + 10_000;
  for (;;) {
    if (exited) throw new Error(`dovecot exited at start; see ${dir}/dovecot.log`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > until) throw new Error('dovecot did not start listening within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    user,
    password,
    stop: async () => {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
