import { HttpException, HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import nodemailer, { type Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Limiters } from '../../security/limiters.js';
import { clientKey, tooMany } from '../../security/throttle.js';
import { asSystem } from '../../tenancy/db-scope.js';
import { normalizeEmail } from './accounts.js';

export type PortalLang = 'it' | 'en';

/** A code is valid this long, and this many wrong tries burn it. */
export const CODE_TTL_SECONDS = 600;
export const CODE_MAX_ATTEMPTS = 5;

const TEXT: Record<PortalLang, { subject: string; body: (code: string) => string; wrong: string; gone: string; burnt: string }> = {
  it: {
    subject: 'Il tuo codice di accesso a Sportello',
    body: (code) =>
      `Il tuo codice di accesso al portale è ${code}.\n\n` +
      `Vale 10 minuti. Se non l'hai chiesto tu, ignora questo messaggio: nessuno potrà accedere senza il codice.\n\n` +
      `Non rispondere a questo messaggio.`,
    wrong: 'codice non corretto',
    gone: 'codice scaduto o non richiesto: chiedine uno nuovo',
    burnt: 'troppi tentativi errati: chiedi un nuovo codice',
  },
  en: {
    subject: 'Your Sportello access code',
    body: (code) =>
      `Your access code for the portal is ${code}.\n\n` +
      `It is valid for 10 minutes. If you did not ask for it, ignore this message: nobody can log in without the code.\n\n` +
      `Please do not reply to this message.`,
    wrong: 'wrong code',
    gone: 'the code has expired or was never asked for: ask for a new one',
    burnt: 'too many wrong attempts: ask for a new code',
  },
};

/** Italian unless the request asks for English: a `lang` field, else Accept-Language. */
export function portalLang(req: Request, field?: unknown): PortalLang {
  if (field === 'en' || field === 'it') return field;
  const al = req.headers['accept-language'];
  return typeof al === 'string' && al.split(',')[0]?.trim().toLowerCase().startsWith('en') ? 'en' : 'it';
}

function codeError(field: string, message: string, code: string): HttpException {
  return new HttpException(
    { statusCode: 400, error: 'Bad Request', code, message: `${field}: ${message}`, fields: [{ field, message }] },
    HttpStatus.BAD_REQUEST,
  );
}

/**
 * Login by an e-mail one-time code: six digits, valid ten minutes, stored as an HMAC (key derived
 * from JWT_SECRET: a copy of the table gives no code), burnt after five wrong tries. Sent by the
 * system mailer (PORTAL_MAIL_SMTP_URL, by default EMAIL_DEFAULT_SMTP_URL). Asking for codes is
 * throttled per client address and per e-mail address (src/security's limiters, in Redis), and
 * wrong codes count as failed logins of the address (the staff login's limiter).
 */
@Injectable()
export class EmailLogin implements OnModuleDestroy {
  private readonly logger = new Logger('PortalEmailLogin');
  private readonly mailer: Transporter;
  private readonly key: string;

  constructor(
    private readonly ds: DataSource,
    private readonly limiters: Limiters,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.mailer = nodemailer.createTransport(config.portal.mailSmtpUrl);
    this.key = createHmac('sha256', 'sportello-portal-email-code').update(config.jwtSecret).digest('hex');
  }

  onModuleDestroy(): void {
    this.mailer.close();
  }

  /** A plain message from the system mailer (the answer to an e-mail that linked a channel). */
  async send(to: string, subject: string, text: string): Promise<void> {
    await this.mailer.sendMail({ from: this.config.portal.mailFrom, to, subject, text });
  }

  private hash(email: string, code: string): string {
    return createHmac('sha256', this.key).update(`${email}\n${code}`).digest('hex');
  }

  /** Sends a new code (replacing any earlier one); 429 with Retry-After when asked too often. */
  async start(req: Request, res: Response, emailRaw: string, lang: PortalLang): Promise<void> {
    const email = normalizeEmail(emailRaw);
    const address = clientKey(req.ip);
    for (const [limiter, key, field] of [
      [this.limiters.portalCodesAddress, address, undefined],
      [this.limiters.portalCodesEmail, email, 'email'],
    ] as const) {
      const verdict = await limiter.hit(key);
      if (verdict.blockedMs > 0) throw tooMany(res, req, verdict.blockedMs, field);
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await asSystem('portal-login', () =>
      this.ds.query(
        `INSERT INTO portal_email_codes (email, code_hash, attempts, expires_at) VALUES ($1, $2, 0, now() + make_interval(secs => $3))
         ON CONFLICT (email) DO UPDATE SET code_hash = EXCLUDED.code_hash, attempts = 0, expires_at = EXCLUDED.expires_at, created_at = now()`,
        [email, this.hash(email, code), CODE_TTL_SECONDS],
      ),
    );
    const text = TEXT[lang];
    if (this.config.env === 'development') this.logger.warn(`codice di accesso per ${email}: ${code} (solo in sviluppo)`);
    await this.mailer
      .sendMail({ from: this.config.portal.mailFrom, to: email, subject: text.subject, text: text.body(code) })
      .catch((err: Error) => {
        this.logger.warn(`could not send the login code to ${email}: ${err.message}`);
        // In development (the demo without a mail sink) the code is in the log above.
        if (this.config.env === 'development') return;
        throw new HttpException(
          { statusCode: 503, message: 'invio del codice non riuscito: riprova tra poco' },
          HttpStatus.SERVICE_UNAVAILABLE,
        );
      });
  }

  /** Checks a code: the verified e-mail, or 400 naming `code` (wrong, expired, burnt). */
  async verify(req: Request, res: Response, emailRaw: string, code: string, lang: PortalLang): Promise<string> {
    const email = normalizeEmail(emailRaw);
    const address = clientKey(req.ip);
    const locked = await this.limiters.loginAddress.peek(address);
    if (locked.blockedMs > 0) throw tooMany(res, req, locked.blockedMs, 'code');
    const text = TEXT[lang];
    const outcome = await asSystem('portal-login', () =>
      this.ds.transaction(async (m) => {
        const [row] = await m.query(
          `SELECT code_hash, attempts, expires_at > now() AS live FROM portal_email_codes WHERE email = $1 FOR UPDATE`,
          [email],
        );
        if (!row || !row.live) return 'gone' as const;
        const given = Buffer.from(this.hash(email, code), 'hex');
        if (timingSafeEqual(given, Buffer.from(row.code_hash as string, 'hex'))) {
          await m.query(`DELETE FROM portal_email_codes WHERE email = $1`, [email]);
          return 'ok' as const;
        }
        if (row.attempts + 1 >= CODE_MAX_ATTEMPTS) {
          await m.query(`DELETE FROM portal_email_codes WHERE email = $1`, [email]);
          return 'burnt' as const;
        }
        await m.query(`UPDATE portal_email_codes SET attempts = attempts + 1 WHERE email = $1`, [email]);
        return 'wrong' as const;
      }),
    );
    if (outcome === 'ok') return email;
    const verdict = await this.limiters.loginAddress.hit(address).catch(() => ({ blockedMs: 0 }));
    if (verdict.blockedMs > 0) throw tooMany(res, req, verdict.blockedMs, 'code');
    if (outcome === 'wrong') throw codeError('code', text.wrong, 'invalid_code');
    if (outcome === 'burnt') throw codeError('code', text.burnt, 'too_many_attempts');
    throw codeError('code', text.gone, 'expired_code');
  }
}
