/**
 * Configuration read from the environment once, at boot, and validated with a clear
 * message for every bad variable. Nothing else in the code reads process.env.
 */
import { weakSecretReason } from './secrets.js';

export type ProcessRole = 'all' | 'api' | 'worker';

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  role: ProcessRole;
  port: number;
  /** The owner of the schema: migrations and seeding (row-level security does not restrict it). */
  databaseUrl: string;
  /** What the application itself connects as: the `sportello_app` role, subject to row-level security. */
  databaseAppUrl: string;
  /** Password set on `sportello_app` by the migrations when given (DATABASE_APP_PASSWORD). */
  databaseAppPassword: string;
  redisUrl: string;
  /** Prefix for every Redis key this instance writes (BullMQ queues, Socket.IO channels). */
  redisPrefix: string;
  jwtSecret: string;
  jwtTtlSeconds: number;
  offerTimeoutMs: number;
  presenceGraceMs: number;
  maxMessageLength: number;
  maxAttachmentBytes: number;
  outboxPollMs: number;
  sweepIntervalMs: number;
  workerConcurrency: number;
  /** Benchmarks only: time each stage of the message path into sportello_stage_seconds (off: no cost). */
  stageTiming: boolean;
  /** Ingest statements a process runs at once; messages arriving meanwhile are stored together (group commit). */
  ingestStatements: number;
  storageDir: string;
  comuniGeojson: string;
  logLevel: string;
  corsOrigins: string[];
  /** HTTP hardening (src/security): body limit, throttling, CORS of the widget, headers, metrics, API docs. */
  http: HttpSecurityConfig;
  /** Response-time analytics, SLAs and CSAT (src/analytics). */
  analytics: AnalyticsConfig;
  /** Agent console and web-chat widget (src/web): where their builds are, and the map tiles. */
  consoleDistDir: string;
  widgetDistDir: string;
  portalDistDir: string;
  /** Leaflet tile URL template (e.g. https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png); empty: no tiles. */
  mapTileUrl: string;
  mapTileAttribution: string;
  /** The e-mail and PEC channel (src/channels/email). */
  email: EmailConfig;
  /** Channels WhatsApp and Telegram (src/channels/whatsapp, whatsapp-web, telegram). */
  messaging: MessagingConfig;
  /** Channel safety limits (src/channels): hosts of mail servers, PEC signatures, web-chat sessions. */
  channelSecurity: ChannelSecurityConfig;
  /** The citizens' portal: SPID/CIE through an OpenID Connect gateway, e-mail codes, sessions (src/portal/identity). */
  portal: PortalConfig;
}

export interface PortalConfig {
  /** The identity gateway's issuer (discovery at /.well-known/openid-configuration); null: SPID/CIE login is off. */
  oidcIssuer: string | null;
  oidcClientId: string;
  oidcClientSecret: string;
  /** `acr_values` asked by the SPID and the CIE buttons. */
  acrSpid: string;
  acrCie: string;
  /** Where the gateway sends the citizen back: PUBLIC_BASE_URL + /api/portal/v1/auth/oidc/callback. */
  redirectUri: string;
  /** Where the gateway sends the citizen after logging out: PUBLIC_BASE_URL + /. */
  postLogoutRedirectUri: string;
  /** A session unused for this long ends; and every session ends this long after login. */
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** The system mailer of the login codes: SMTP URL and sender. */
  mailSmtpUrl: string;
  mailFrom: string;
  /** Login codes asked per client address and per e-mail address in a window. */
  emailCodesPerAddress: number;
  emailCodesPerEmail: number;
  emailCodeWindowMs: number;
}

export interface ChannelSecurityConfig {
  /** Let e-mail accounts name loopback, private and other non-public mail servers (tests, closed networks). */
  allowPrivateHosts: boolean;
  /** PEM bundle of the PEC providers' certificates (or their CAs) that sign envelopes; null: not verified. */
  pecTrustedCertsFile: string | null;
  /** A web-chat session not resumed for this long expires (each reconnection renews it). */
  webchatSessionIdleMs: number;
}

export interface HttpSecurityConfig {
  /** Largest JSON / form body in bytes, except the routes carrying attachments (LARGE_JSON_ROUTES). */
  bodyLimit: number;
  /** The comuni's websites embedding the web-chat widget: admitted by /webchat and /api/webchat/* only. */
  widgetOrigins: string[];
  /** Bearer token /metrics requires; with metricsPort, metrics are served on that port only. */
  metricsToken: string;
  metricsPort: number;
  /** /api/docs and /api/docs-json without login. */
  apiDocsPublic: boolean;
  /** Express `trust proxy` (proxy-addr names or CIDRs): whose X-Forwarded-For gives the client address. */
  trustProxy: string[];
  /** Throttles (src/security/throttle.ts); counters in Redis, shared by every process. Milliseconds. */
  throttle: {
    loginFailuresPerAccount: number;
    loginFailuresPerAddress: number;
    apiKeyFailuresPerAddress: number;
    failureWindowMs: number;
    lockoutMs: number;
    lockoutMaxMs: number;
    webchatSessionsPerAddress: number;
    webchatTicketsPerAddress: number;
    webchatWindowMs: number;
  };
}

export interface MessagingConfig {
  /** Base of the Meta Graph API, with its version (a stand-in on 127.0.0.1 in tests). */
  graphApiBaseUrl: string;
  /** Telegram Bot API root, telegraf's `apiRoot`. */
  telegramApiRoot: string;
  /** `webhook` (production) or `polling` (development without a public URL). */
  telegramMode: 'webhook' | 'polling';
  /** Public URL of this instance: webhook URLs and the contact pages' links are built on it. */
  publicBaseUrl: string;
  /** Start whatsapp-web.js clients (a Chromium each) in the worker process. */
  whatsappWebEnabled: boolean;
  whatsappWebDataDir: string;
  /**
   * WhatsApp Web version the sessions load, pinned through whatsapp-web.js's local version cache
   * (WHATSAPP_WEB_DATA_DIR/web-cache/<version>.html); empty = the library's tested default.
   */
  whatsappWebVersion: string | null;
  chromiumPath: string;
  /** How often ticket events are scanned for citizen notifications. */
  notifyPollMs: number;
}

export interface EmailConfig {
  /** Run the built-in SMTP server receiving the comuni's mail (MX or forwarding). */
  smtpEnabled: boolean;
  smtpHost: string;
  smtpPort: number;
  /** Largest message the SMTP server accepts (and IMAP polling fetches), in bytes. */
  maxMessageBytes: number;
  /** When set, senders must authenticate (a comune's own mail server forwarding to us). */
  smtpAuth: { user: string; password: string } | null;
  /** PEM files for STARTTLS; without them STARTTLS is not offered. */
  smtpTls: { keyFile: string; certFile: string } | null;
  /** How often the mailboxes of accounts with IMAP settings are polled. */
  imapPollMs: number;
  /** Transport for accounts without their own SMTP settings (a local sink in development). */
  defaultSmtpUrl: string;
}

export interface AnalyticsConfig {
  /** Safety-net poll of the metrics recompute queue (a PostgreSQL notification wakes it at once). */
  pollMs: number;
  /** Shortest time between two recompute runs (what arrives meanwhile waits for the next, in one batch). */
  minIntervalMs: number;
  /** How often running SLA clocks are checked for imminent and past due times. */
  slaCheckMs: number;
  /** Ask the citizen for a 1–5 rating after resolution. */
  csatEnabled: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEV_JWT_SECRET = 'sportello-development-secret-change-me';

export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const problems: string[] = [];
  const str = (name: string, fallback: string): string => {
    const v = source[name];
    return v === undefined || v === '' ? fallback : v;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = source[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = source[name];
    if (raw === undefined || raw === '') return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };
  const webVersion = (): string | null => {
    const raw = str('WHATSAPP_WEB_VERSION', '');
    if (raw === '') return null;
    if (!/^\d+(\.\d+){1,3}(-[\w]+)?$/.test(raw)) {
      problems.push(`WHATSAPP_WEB_VERSION must be a WhatsApp Web version such as 2.3000.1017054665 (got "${raw}")`);
      return null;
    }
    return raw;
  };
  const url = (name: string, fallback: string, protocols: string[]): string => {
    const raw = str(name, fallback);
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) {
        problems.push(`${name} must be a ${protocols.join(' or ')} URL (got "${u.protocol}")`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const env = oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const jwtSecret = str('JWT_SECRET', env === 'production' ? '' : DEV_JWT_SECRET);
  // Production refuses published and guessable secrets (src/config/secrets.ts).
  const weakSecret = env === 'production' ? (jwtSecret ? weakSecretReason(jwtSecret) : 'is not set') : null;
  if (weakSecret) {
    problems.push(
      `JWT_SECRET ${weakSecret}: set it to a random string of at least 32 characters in production (e.g. openssl rand -hex 32)`,
    );
  }

  const databaseUrl = url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/sportello', ['postgres:', 'postgresql:']);
  const databaseAppPassword = str('DATABASE_APP_PASSWORD', '');
  const databaseAppUrl = url('DATABASE_APP_URL', appUrlFrom(databaseUrl, databaseAppPassword), ['postgres:', 'postgresql:']);

  const config: AppConfig = {
    env,
    role: oneOf('SPORTELLO_ROLE', ['all', 'api', 'worker'] as const, 'all'),
    port: int('PORT', 3000, 0, 65535),
    databaseUrl,
    databaseAppUrl,
    databaseAppPassword,
    redisUrl: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisPrefix: str('REDIS_PREFIX', 'sportello'),
    jwtSecret,
    jwtTtlSeconds: int('JWT_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600),
    offerTimeoutMs: int('OFFER_TIMEOUT_MS', 60_000, 1_000, 3_600_000),
    presenceGraceMs: int('PRESENCE_GRACE_MS', 15_000, 0, 600_000),
    maxMessageLength: int('MAX_MESSAGE_LENGTH', 4_000, 1, 100_000),
    maxAttachmentBytes: int('MAX_ATTACHMENT_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    outboxPollMs: int('OUTBOX_POLL_MS', 1_000, 50, 60_000),
    sweepIntervalMs: int('SWEEP_INTERVAL_MS', 10_000, 100, 600_000),
    workerConcurrency: int('WORKER_CONCURRENCY', 8, 1, 256),
    stageTiming: oneOf('STAGE_TIMING', ['true', 'false'] as const, 'false') === 'true',
    ingestStatements: int('INGEST_STATEMENTS', 4, 1, 64),
    storageDir: str('STORAGE_DIR', 'var/storage'),
    comuniGeojson: str('COMUNI_GEOJSON', 'data/comuni-citta-metropolitana-bari.geojson'),
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    corsOrigins: origins('CORS_ORIGINS', str('CORS_ORIGINS', ''), problems, true),
    http: {
      bodyLimit: int('HTTP_BODY_LIMIT', 100 * 1024, 1024, 10 * 1024 * 1024),
      widgetOrigins: origins('WIDGET_ORIGINS', str('WIDGET_ORIGINS', ''), problems, false),
      metricsToken: str('METRICS_TOKEN', ''),
      metricsPort: int('METRICS_PORT', 0, 0, 65535),
      apiDocsPublic: oneOf('API_DOCS_PUBLIC', ['true', 'false'] as const, 'false') === 'true',
      trustProxy: str('TRUST_PROXY', 'loopback')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      throttle: {
        loginFailuresPerAccount: int('LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 1_000_000),
        loginFailuresPerAddress: int('LOGIN_MAX_FAILURES_PER_ADDRESS', 20, 1, 1_000_000),
        apiKeyFailuresPerAddress: int('API_KEY_MAX_FAILURES_PER_ADDRESS', 10, 1, 1_000_000),
        failureWindowMs: int('AUTH_FAILURE_WINDOW_SECONDS', 900, 1, 86_400) * 1000,
        lockoutMs: int('LOCKOUT_SECONDS', 60, 1, 86_400) * 1000,
        lockoutMaxMs: int('LOCKOUT_MAX_SECONDS', 3_600, 1, 7 * 86_400) * 1000,
        // Many citizens share one IPv4 address behind mobile carriers' NAT: limits that a burst trips, not a busy square.
        webchatSessionsPerAddress: int('WEBCHAT_MAX_SESSIONS_PER_ADDRESS', 30, 1, 1_000_000),
        webchatTicketsPerAddress: int('WEBCHAT_MAX_NEW_TICKETS_PER_ADDRESS', 10, 1, 1_000_000),
        webchatWindowMs: int('WEBCHAT_THROTTLE_WINDOW_SECONDS', 600, 1, 86_400) * 1000,
      },
    },
    analytics: {
      pollMs: int('ANALYTICS_POLL_MS', 2_000, 50, 600_000),
      minIntervalMs: int('ANALYTICS_MIN_INTERVAL_MS', 1_000, 0, 60_000),
      slaCheckMs: int('SLA_CHECK_MS', 15_000, 100, 3_600_000),
      csatEnabled: oneOf('CSAT_ENABLED', ['true', 'false'] as const, 'true') === 'true',
    },
    consoleDistDir: str('CONSOLE_DIST_DIR', 'agent-console/dist'),
    widgetDistDir: str('WIDGET_DIST_DIR', 'widget/dist'),
    portalDistDir: str('PORTAL_DIST_DIR', 'portal/dist'),
    mapTileUrl: mapTileUrl(str('MAP_TILE_URL', ''), problems),
    mapTileAttribution: str('MAP_TILE_ATTRIBUTION', '© OpenStreetMap contributors'),
    email: loadEmailConfig(source, env, { str, int, oneOf, url, problems }),
    messaging: {
      graphApiBaseUrl: url('GRAPH_API_BASE_URL', 'https://graph.facebook.com/v21.0', ['https:', 'http:']).replace(/\/+$/, ''),
      telegramApiRoot: url('TELEGRAM_API_ROOT', 'https://api.telegram.org', ['https:', 'http:']).replace(/\/+$/, ''),
      telegramMode: oneOf('TELEGRAM_MODE', ['webhook', 'polling'] as const, 'webhook'),
      publicBaseUrl: url('PUBLIC_BASE_URL', 'http://localhost:3000', ['https:', 'http:']).replace(/\/+$/, ''),
      whatsappWebEnabled: oneOf('WHATSAPP_WEB_ENABLED', ['true', 'false'] as const, 'false') === 'true',
      whatsappWebDataDir: str('WHATSAPP_WEB_DATA_DIR', 'var/whatsapp-web'),
      whatsappWebVersion: webVersion(),
      chromiumPath: str('CHROMIUM_PATH', '/usr/bin/chromium'),
      notifyPollMs: int('CHANNEL_NOTIFY_POLL_MS', 1_000, 50, 600_000),
    },
    channelSecurity: {
      allowPrivateHosts: oneOf('CHANNEL_ALLOW_PRIVATE_HOSTS', ['true', 'false'] as const, 'false') === 'true',
      pecTrustedCertsFile: str('PEC_TRUSTED_CERTS_FILE', '') || null,
      webchatSessionIdleMs: int('WEBCHAT_SESSION_IDLE_DAYS', 30, 1, 3650) * 24 * 3600 * 1000,
    },
    portal: {} as PortalConfig,
  };
  config.portal = loadPortalConfig(env, config.messaging.publicBaseUrl, config.email.defaultSmtpUrl, { str, int, oneOf, url, problems });
  if (problems.length) throw new ConfigError(problems);
  return config;
}

const SPID_L2 = 'https://www.spid.gov.it/SpidL2';
const SPID_L3 = 'https://www.spid.gov.it/SpidL3';

function loadPortalConfig(env: AppConfig['env'], publicBaseUrl: string, defaultSmtpUrl: string, r: Readers): PortalConfig {
  const issuer = r.str('PORTAL_OIDC_ISSUER', '');
  let oidcIssuer: string | null = null;
  if (issuer) {
    try {
      const u = new URL(issuer);
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback && env !== 'production'))
        r.problems.push(`PORTAL_OIDC_ISSUER must be an https URL (http only on loopback, outside production) (got "${issuer}")`);
      else oidcIssuer = issuer.replace(/\/+$/, '');
    } catch {
      r.problems.push('PORTAL_OIDC_ISSUER is not a valid URL');
    }
  }
  const oidcClientId = r.str('PORTAL_OIDC_CLIENT_ID', '');
  const oidcClientSecret = r.str('PORTAL_OIDC_CLIENT_SECRET', '');
  if (oidcIssuer && !oidcClientId) r.problems.push('PORTAL_OIDC_CLIENT_ID must be set with PORTAL_OIDC_ISSUER');
  if (oidcIssuer && !oidcClientSecret) r.problems.push('PORTAL_OIDC_CLIENT_SECRET must be set with PORTAL_OIDC_ISSUER');
  const acr = (name: string, fallback: string) => {
    const v = r.str(name, fallback);
    if (!/^\S+$/.test(v)) r.problems.push(`${name} must be one acr value such as ${fallback} (got "${v}")`);
    return v;
  };
  const base = publicBaseUrl.replace(/\/+$/, '');
  return {
    oidcIssuer,
    oidcClientId,
    oidcClientSecret,
    acrSpid: acr('PORTAL_OIDC_ACR_SPID', SPID_L2),
    acrCie: acr('PORTAL_OIDC_ACR_CIE', SPID_L3),
    redirectUri: `${base}/api/portal/v1/auth/oidc/callback`,
    postLogoutRedirectUri: `${base}/`,
    sessionIdleMs: r.int('PORTAL_SESSION_IDLE_MINUTES', 30, 1, 24 * 60) * 60_000,
    sessionMaxMs: r.int('PORTAL_SESSION_MAX_HOURS', 12, 1, 30 * 24) * 3_600_000,
    mailSmtpUrl: r.url('PORTAL_MAIL_SMTP_URL', defaultSmtpUrl, ['smtp:', 'smtps:']),
    mailFrom: r.str('PORTAL_MAIL_FROM', 'Sportello <no-reply@sportello.invalid>'),
    emailCodesPerAddress: r.int('PORTAL_EMAIL_CODES_PER_ADDRESS', 10, 1, 1_000_000),
    emailCodesPerEmail: r.int('PORTAL_EMAIL_CODES_PER_EMAIL', 3, 1, 1_000_000),
    emailCodeWindowMs: r.int('PORTAL_EMAIL_CODE_WINDOW_SECONDS', 900, 1, 86_400) * 1000,
  };
}

interface Readers {
  str: (name: string, fallback: string) => string;
  int: (name: string, fallback: number, min: number, max: number) => number;
  oneOf: <T extends string>(name: string, allowed: readonly T[], fallback: T) => T;
  url: (name: string, fallback: string, protocols: string[]) => string;
  problems: string[];
}

function loadEmailConfig(source: Record<string, string | undefined>, env: AppConfig['env'], r: Readers): EmailConfig {
  // Test runs boot many apps at once: none of them binds the SMTP port unless a test asks for it.
  const smtpEnabled = r.oneOf('EMAIL_SMTP_ENABLED', ['true', 'false'] as const, env === 'test' ? 'false' : 'true') === 'true';
  const user = r.str('EMAIL_SMTP_AUTH_USER', '');
  const password = r.str('EMAIL_SMTP_AUTH_PASSWORD', '');
  if (Boolean(user) !== Boolean(password)) r.problems.push('EMAIL_SMTP_AUTH_USER and EMAIL_SMTP_AUTH_PASSWORD must be set together');
  const keyFile = r.str('EMAIL_SMTP_TLS_KEY_FILE', '');
  const certFile = r.str('EMAIL_SMTP_TLS_CERT_FILE', '');
  if (Boolean(keyFile) !== Boolean(certFile)) r.problems.push('EMAIL_SMTP_TLS_KEY_FILE and EMAIL_SMTP_TLS_CERT_FILE must be set together');
  return {
    smtpEnabled,
    smtpHost: r.str('EMAIL_SMTP_HOST', '127.0.0.1'),
    smtpPort: r.int('EMAIL_SMTP_PORT', 2525, 0, 65535),
    maxMessageBytes: r.int('EMAIL_MAX_MESSAGE_BYTES', 25 * 1024 * 1024, 1024, 200 * 1024 * 1024),
    smtpAuth: user && password ? { user, password } : null,
    smtpTls: keyFile && certFile ? { keyFile, certFile } : null,
    imapPollMs: r.int('EMAIL_IMAP_POLL_MS', 60_000, 100, 3_600_000),
    defaultSmtpUrl: r.url('EMAIL_DEFAULT_SMTP_URL', 'smtp://127.0.0.1:1025', ['smtp:', 'smtps:']),
  };
}

/** A comma-separated list of origins (scheme://host[:port]); `*` (any) only where allowed. */
function origins(name: string, raw: string, problems: string[], allowAny: boolean): string[] {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list
    .filter((o) => {
      if (o === '*' && allowAny) return true;
      try {
        if (new URL(o).origin === o.replace(/\/$/, '')) return true;
      } catch {
        /* reported below */
      }
      problems.push(`${name} must list origins such as https://www.comune.bari.it, comma-separated (got "${o}")`);
      return false;
    })
    .map((o) => o.replace(/\/$/, ''));
}

/** A tile template must be http(s) and name {z}, {x} and {y}. */
function mapTileUrl(raw: string, problems: string[]): string {
  if (!raw) return '';
  const ok = /^https?:\/\/[^\s]+$/.test(raw) && ['{z}', '{x}', '{y}'].every((p) => raw.includes(p));
  if (!ok) problems.push('MAP_TILE_URL must be an http(s) URL template containing {z}, {x} and {y} (or empty for no tiles)');
  return ok ? raw : '';
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export function runsApi(config: AppConfig): boolean {
  return config.role === 'all' || config.role === 'api';
}
export function runsWorkers(config: AppConfig): boolean {
  return config.role === 'all' || config.role === 'worker';
}

/**
 * The application's own connection: DATABASE_URL's server and database as the `sportello_app` role
 * (created by the migrations, without BYPASSRLS), with DATABASE_APP_PASSWORD when one is set.
 */
export function appUrlFrom(ownerUrl: string, password: string): string {
  try {
    const u = new URL(ownerUrl);
    u.username = 'sportello_app';
    u.password = password ? encodeURIComponent(password) : '';
    return u.toString();
  } catch {
    return ownerUrl;
  }
}
