import { Injectable, Logger, UnprocessableEntityException } from '@nestjs/common';
import type { AppConfig } from '../../config/config.js';
import { PrivateHostError, resolvePublicHost } from '../support/public-host.js';
import { DataSource, type EntityManager } from 'typeorm';
import { conflictField, type AccountClaim } from '../accounts/account-schemas.js';
import { EMAIL_CHANNEL, normalizeAddress } from './email-headers.js';
import { InSystemScope } from '../../tenancy/db-scope.js';

/**
 * A comune's mailbox, as stored in `channel_accounts` (channel `email`):
 *
 * config:  { address, displayName?, aliases?: string[], domains?: string[], pec?: boolean,
 *            imap?: { host, port?, secure?, mailbox?, processedMailbox? },
 *            smtp?: { host, port?, secure? } }
 * secrets: { imap?: { user, pass }, smtp?: { user, pass } }
 *
 * Mail reaching the built-in SMTP server for `address`, one of the `aliases`, or any address of
 * one of the `domains` belongs to this account; `imap` makes the poller read an existing mailbox;
 * `smtp` is how replies leave (without it, the instance's default transport).
 */
export interface EmailAccount {
  id: number;
  comuneId: number;
  label: string;
  address: string;
  displayName: string | null;
  aliases: string[];
  domains: string[];
  pec: boolean;
  imap: {
    host: string;
    port: number;
    secure: boolean;
    mailbox: string;
    processedMailbox: string | null;
    user: string;
    pass: string;
  } | null;
  smtp: { host: string; port: number; secure: boolean; user: string | null; pass: string | null } | null;
}

export interface ConfigProblem {
  field: string;
  message: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const HOST = /^[A-Za-z0-9.-]{1,253}$|^\[[0-9a-fA-F:.]+\]$/;

/**
 * Reads and checks an e-mail account's settings. Problems name the field (`config.imap.host`), so
 * an admin API can answer 400 with them; secrets are never echoed.
 */
export function parseEmailAccount(row: { id: number; comuneId: number; label: string; config: unknown; secrets: unknown }): {
  account: EmailAccount | null;
  problems: ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const config = isObject(row.config) ? row.config : {};
  const secrets = isObject(row.secrets) ? row.secrets : {};
  const address = normalizeAddress(typeof config.address === 'string' ? config.address : null);
  if (!address) problems.push({ field: 'config.address', message: 'must be the e-mail address of the mailbox' });

  const list = (name: 'aliases' | 'domains', check: (s: string) => string | null): string[] => {
    const v = config[name];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      problems.push({ field: `config.${name}`, message: 'must be a list' });
      return [];
    }
    return v.flatMap((x, i) => {
      const ok = typeof x === 'string' ? check(x) : null;
      if (!ok)
        problems.push({
          field: `config.${name}[${i}]`,
          message: name === 'aliases' ? 'must be an e-mail address' : 'must be a domain name',
        });
      return ok ? [ok] : [];
    });
  };
  const aliases = list('aliases', normalizeAddress);
  const domains = list('domains', normalizeDomain);

  const port = (v: unknown, field: string, fallback: number): number => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
      problems.push({ field, message: 'must be a port number' });
      return fallback;
    }
    return v;
  };
  const host = (v: unknown, field: string): string => {
    if (typeof v !== 'string' || !HOST.test(v)) {
      problems.push({ field, message: 'must be a host name' });
      return '';
    }
    return v;
  };
  const credentials = (section: 'imap' | 'smtp', required: boolean): { user: string; pass: string } | null => {
    const s = secrets[section];
    if (isObject(s) && typeof s.user === 'string' && s.user && typeof s.pass === 'string' && s.pass) return { user: s.user, pass: s.pass };
    if (required || s !== undefined) problems.push({ field: `secrets.${section}`, message: 'must hold "user" and "pass"' });
    return null;
  };

  let imap: EmailAccount['imap'] = null;
  if (config.imap !== undefined) {
    const c = isObject(config.imap) ? config.imap : {};
    const secure = c.secure === undefined ? true : c.secure === true;
    const creds = credentials('imap', true);
    const mailbox = typeof c.mailbox === 'string' && c.mailbox ? c.mailbox : 'INBOX';
    const processed = typeof c.processedMailbox === 'string' && c.processedMailbox ? c.processedMailbox : null;
    imap = {
      host: host(c.host, 'config.imap.host'),
      port: port(c.port, 'config.imap.port', secure ? 993 : 143),
      secure,
      mailbox,
      processedMailbox: processed,
      user: creds?.user ?? '',
      pass: creds?.pass ?? '',
    };
  }
  let smtp: EmailAccount['smtp'] = null;
  if (config.smtp !== undefined) {
    const c = isObject(config.smtp) ? config.smtp : {};
    const secure = c.secure === undefined ? true : c.secure === true;
    const creds = credentials('smtp', false);
    smtp = {
      host: host(c.host, 'config.smtp.host'),
      port: port(c.port, 'config.smtp.port', secure ? 465 : 587),
      secure,
      user: creds?.user ?? null,
      pass: creds?.pass ?? null,
    };
  }
  if (config.pec !== undefined && typeof config.pec !== 'boolean') problems.push({ field: 'config.pec', message: 'must be true or false' });
  const displayName = typeof config.displayName === 'string' && config.displayName.trim() ? config.displayName.trim().slice(0, 120) : null;

  if (problems.length || !address) return { account: null, problems };
  return {
    account: {
      id: row.id,
      comuneId: row.comuneId,
      label: row.label,
      address,
      displayName,
      aliases,
      domains,
      pec: config.pec === true,
      imap,
      smtp,
    },
    problems,
  };
}

function normalizeDomain(d: string): string | null {
  return /^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/i.test(d.trim()) ? d.trim().toLowerCase() : null;
}

/** The addresses and domains an account's settings claim, each with the field that names it. */
function claimsOf(config: unknown): {
  addresses: Array<{ field: string; value: string }>;
  domains: Array<{ field: string; value: string }>;
} {
  const c = isObject(config) ? config : {};
  const addresses: Array<{ field: string; value: string }> = [];
  const domains: Array<{ field: string; value: string }> = [];
  const address = normalizeAddress(typeof c.address === 'string' ? c.address : null);
  if (address) addresses.push({ field: 'config.address', value: address });
  if (Array.isArray(c.aliases))
    c.aliases.forEach((a, i) => {
      const v = typeof a === 'string' ? normalizeAddress(a) : null;
      if (v) addresses.push({ field: `config.aliases[${i}]`, value: v });
    });
  if (Array.isArray(c.domains))
    c.domains.forEach((d, i) => {
      const v = typeof d === 'string' ? normalizeDomain(d) : null;
      if (v) domains.push({ field: `config.domains[${i}]`, value: v });
    });
  return { addresses, domains };
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

/**
 * An enabled mailbox may not claim what another enabled mailbox receives: the same address (or
 * alias) or domain as any other account, and — across comuni — neither a domain of another comune's
 * addresses nor an address in a domain another comune receives. Otherwise a comune could capture
 * mail meant for another. Run by the channel accounts service in the storing transaction, under
 * the e-mail accounts' lock (see ChannelAccountsService.exclusively); answers 409 naming the field.
 */
export async function assertAddressesFree(m: EntityManager, account: AccountClaim): Promise<void> {
  if (!account.enabled) return;
  const mine = claimsOf(account.config);
  const others: Array<{ id: number; comune_id: number; config: unknown }> = await m.query(
    `SELECT id, comune_id, config FROM channel_accounts WHERE channel = $1 AND enabled AND id <> $2 ORDER BY id`,
    [EMAIL_CHANNEL, account.id ?? 0],
  );
  for (const other of others) {
    const theirs = claimsOf(other.config);
    const foreign = other.comune_id !== account.comuneId;
    const whose = foreign ? 'another comune’s e-mail account' : `another e-mail account of this comune (id ${other.id})`;
    const theirAddresses = new Set(theirs.addresses.map((a) => a.value));
    const theirDomains = new Set(theirs.domains.map((d) => d.value));
    for (const a of mine.addresses) {
      if (theirAddresses.has(a.value)) throw conflictField(a.field, `${a.value} is already an address of ${whose}`);
      if (foreign && theirDomains.has(domainOf(a.value))) throw conflictField(a.field, `${a.value} is in a domain that ${whose} receives`);
    }
    for (const d of mine.domains) {
      if (theirDomains.has(d.value)) throw conflictField(d.field, `${d.value} is already received by ${whose}`);
      if (foreign && theirs.addresses.some((a) => domainOf(a.value) === d.value))
        throw conflictField(d.field, `${d.value} is the domain of addresses of ${whose}`);
    }
  }
}

/** The one answer an administrator gets about a mail server Sportello could not use (details: the server log). */
export const MAIL_SERVER_UNUSABLE =
  'impossibile collegarsi al server di posta con queste impostazioni (server, porta, sicurezza, credenziali)';

const hostLogger = new Logger('EmailHosts');

/**
 * The IMAP and SMTP servers an account names must be on the public Internet (unless
 * CHANNEL_ALLOW_PRIVATE_HOSTS): otherwise saving an account would make Sportello connect to
 * its own Redis, database or the cloud's metadata service. Every address a name resolves to is
 * checked; 422 naming `config.imap.host` / `config.smtp.host`. A name that does not resolve now is
 * saved (the connection check says it cannot work; the worker checks again before connecting).
 */
export async function assertPublicMailHosts(config: Record<string, unknown>, app: AppConfig): Promise<void> {
  if (app.channelSecurity.allowPrivateHosts) return;
  for (const section of ['imap', 'smtp'] as const) {
    const c = config[section];
    const host = isObject(c) && typeof c.host === 'string' ? c.host : null;
    if (!host) continue;
    try {
      await resolvePublicHost(host, false);
    } catch (err) {
      if (!(err instanceof PrivateHostError)) continue;
      hostLogger.warn(`refused config.${section}.host: ${err.message}`);
      const field = `config.${section}.host`;
      const message =
        'must be a mail server on the public Internet (loopback, private, link-local and other reserved addresses are not allowed)';
      throw new UnprocessableEntityException({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: `${field}: ${message}`,
        fields: [{ field, message }],
      });
    }
  }
}

/** The comuni's enabled mailboxes, read fresh each time (a handful of rows; admins change them live). */
@Injectable()
export class EmailAccounts {
  constructor(private readonly ds: DataSource) {}

  @InSystemScope('email-accounts')
  async all(): Promise<EmailAccount[]> {
    const rows: Array<{ id: number; comune_id: number; label: string; config: unknown; secrets: unknown }> = await this.ds.query(
      `SELECT id, comune_id, label, config, secrets FROM channel_accounts WHERE channel = $1 AND enabled ORDER BY id`,
      [EMAIL_CHANNEL],
    );
    return rows.flatMap((r) => {
      const { account } = parseEmailAccount({ id: r.id, comuneId: r.comune_id, label: r.label, config: r.config, secrets: r.secrets });
      return account ? [account] : [];
    });
  }

  @InSystemScope('email-accounts')
  async byId(id: number): Promise<EmailAccount | null> {
    return (await this.all()).find((a) => a.id === id) ?? null;
  }

  /** The account an address delivers to: exact address or alias first, then a domain. */
  @InSystemScope('email-accounts')
  async forRecipient(address: string): Promise<EmailAccount | null> {
    const a = normalizeAddress(address);
    if (!a) return null;
    const accounts = await this.all();
    const exact = accounts.find((x) => x.address === a || x.aliases.includes(a));
    if (exact) return exact;
    const domain = a.slice(a.lastIndexOf('@') + 1);
    return accounts.find((x) => x.domains.includes(domain)) ?? null;
  }

  /**
   * Every address a comune's mailboxes send from: mail from one of them to the same comune is our
   * own coming back (a loop). Per comune: another comune writing to this one is a correspondent,
   * and no comune can make another one drop mail by listing a sender among its own aliases.
   */
  @InSystemScope('email-accounts')
  async ownAddresses(comuneId: number): Promise<Set<string>> {
    return new Set((await this.all()).filter((a) => a.comuneId === comuneId).flatMap((a) => [a.address, ...a.aliases]));
  }
}

const CONFIG_KEYS = ['address', 'displayName', 'aliases', 'domains', 'pec', 'imap', 'smtp'];
const IMAP_KEYS = ['host', 'port', 'secure', 'mailbox', 'processedMailbox'];
const SMTP_KEYS = ['host', 'port', 'secure'];

function unknownKeys(input: Record<string, unknown>, prefix: string, allowed: string[]): ConfigProblem[] {
  return Object.keys(input)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ field: `${prefix}.${k}`, message: `is not a setting of an e-mail account (known: ${allowed.join(', ')})` }));
}

/** Problems of the public settings alone (the channel accounts admin API checks secrets apart). */
export function emailConfigProblems(config: Record<string, unknown>): ConfigProblem[] {
  const problems = unknownKeys(config, 'config', CONFIG_KEYS);
  if (isObject(config.imap)) problems.push(...unknownKeys(config.imap, 'config.imap', IMAP_KEYS));
  if (isObject(config.smtp)) problems.push(...unknownKeys(config.smtp, 'config.smtp', SMTP_KEYS));
  const fakeSecrets = { imap: { user: 'u', pass: 'p' }, smtp: { user: 'u', pass: 'p' } };
  const { problems: parsed } = parseEmailAccount({ id: 0, comuneId: 0, label: '', config, secrets: fakeSecrets });
  return [...problems, ...parsed.filter((p) => !p.field.startsWith('secrets.'))];
}

/** Problems of the secrets: `imap` and `smtp`, each `{ user, pass }`, and IMAP settings need IMAP credentials. */
export function emailSecretsProblems(secrets: Record<string, unknown>, config?: Record<string, unknown>): ConfigProblem[] {
  const problems = unknownKeys(secrets, 'secrets', ['imap', 'smtp']);
  for (const k of ['imap', 'smtp'] as const) {
    const s = secrets[k];
    if (s === undefined) continue;
    if (
      !isObject(s) ||
      typeof s.user !== 'string' ||
      !s.user ||
      typeof s.pass !== 'string' ||
      !s.pass ||
      Object.keys(s).some((x) => x !== 'user' && x !== 'pass')
    ) {
      problems.push({ field: `secrets.${k}`, message: 'must be {"user": "…", "pass": "…"}' });
    }
  }
  if (config?.imap !== undefined && secrets.imap === undefined)
    problems.push({ field: 'secrets.imap', message: 'is required when config.imap is set' });
  return problems;
}
