import { ConflictException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/config.js';
import { invalidField } from '../../common/errors.js';

/**
 * What a channel account of each channel holds. `config` is shown to administrators;
 * `secrets` are write-only (stored, used by the channel, never returned nor logged).
 */
export interface AccountSchema {
  channel: string;
  /** Checks and normalizes the public settings; throws naming the field (`config.<name>`). */
  config(input: Record<string, unknown>, existing?: Record<string, unknown>): Record<string, unknown>;
  /** Checks the secrets after merging with the stored ones; throws naming the field (`secrets.<name>`). */
  secrets(merged: Record<string, unknown>): Record<string, unknown>;
  secretNames: string[];
  /** Checks that need I/O (a server's host name resolved), before anything is stored; throws a 4xx naming the field. */
  check?(account: { config: Record<string, unknown>; secrets: Record<string, unknown> }, app: AppConfig): Promise<void>;
  /**
   * Checks against the channel's other accounts (an address another comune owns), run in the
   * transaction that stores the account, under a lock on the channel's accounts: of two saves at
   * once, the second sees the first. Throws a 409 naming the field.
   */
  exclusive?(m: EntityManager, account: AccountClaim): Promise<void>;
}

/** An account about to be stored, as the exclusive check sees it (id null for a new one). */
export interface AccountClaim {
  id: number | null;
  comuneId: number;
  config: Record<string, unknown>;
  enabled: boolean;
}

/** 409 naming the field, shaped like the 400 of invalidField. */
export function conflictField(field: string, message: string): ConflictException {
  return new ConflictException({ statusCode: 409, error: 'Conflict', message: `${field}: ${message}`, fields: [{ field, message }] });
}

const text = (v: unknown, field: string, re: RegExp, rule: string, required = true): string | undefined => {
  if (v === undefined || v === null || v === '') {
    if (required) throw invalidField(field, 'is required');
    return undefined;
  }
  if (typeof v !== 'string' || !re.test(v)) throw invalidField(field, rule);
  return v;
};

const only = (input: Record<string, unknown>, prefix: string, allowed: string[]) => {
  for (const k of Object.keys(input)) {
    if (!allowed.includes(k)) throw invalidField(`${prefix}.${k}`, `is not a setting of this channel (known: ${allowed.join(', ')})`);
  }
};

export const WHATSAPP_SCHEMA: AccountSchema = {
  channel: 'whatsapp',
  secretNames: ['accessToken', 'appSecret', 'verifyToken'],
  config(input) {
    only(input, 'config', ['phoneNumberId', 'displayPhoneNumber', 'businessAccountId', 'notificationTemplate']);
    const out: Record<string, unknown> = {
      phoneNumberId: text(input.phoneNumberId, 'config.phoneNumberId', /^\d{5,30}$/, 'must be the digits of the WhatsApp phone number id'),
      displayPhoneNumber: text(
        input.displayPhoneNumber,
        'config.displayPhoneNumber',
        /^\+?[\d ]{6,20}$/,
        'must be a phone number like +39 080 5771111',
      ),
    };
    const waba = text(input.businessAccountId, 'config.businessAccountId', /^\d{5,30}$/, 'must be digits', false);
    if (waba) out.businessAccountId = waba;
    if (input.notificationTemplate !== undefined && input.notificationTemplate !== null) {
      const t = input.notificationTemplate as Record<string, unknown>;
      if (typeof t !== 'object' || Array.isArray(t)) throw invalidField('config.notificationTemplate', 'must be {name, language}');
      out.notificationTemplate = {
        name: text(
          t.name,
          'config.notificationTemplate.name',
          /^[a-z0-9_]{1,512}$/,
          'must be an approved template name (lowercase letters, digits, _)',
        ),
        language: text(
          t.language ?? 'it',
          'config.notificationTemplate.language',
          /^[a-z]{2,3}(_[A-Z]{2})?$/,
          'must be a language code like it or en_US',
        ),
      };
    }
    return out;
  },
  secrets(s) {
    only(s, 'secrets', this.secretNames);
    return {
      accessToken: text(
        s.accessToken,
        'secrets.accessToken',
        /^\S{10,1000}$/,
        'must be the access token of the WhatsApp Business system user',
      ),
      appSecret: text(s.appSecret, 'secrets.appSecret', /^\S{8,200}$/, 'must be the Meta app secret'),
      verifyToken: text(s.verifyToken, 'secrets.verifyToken', /^\S{8,200}$/, 'must be at least 8 characters without spaces'),
    };
  },
};

export const TELEGRAM_SCHEMA: AccountSchema = {
  channel: 'telegram',
  secretNames: ['botToken', 'webhookSecret'],
  config(input) {
    only(input, 'config', ['botUsername']);
    return {
      botUsername: text(
        input.botUsername,
        'config.botUsername',
        /^[A-Za-z][A-Za-z0-9_]{3,31}[Bb][Oo][Tt]$/,
        'must be the bot username, ending in "bot" (without @)',
      ),
    };
  },
  secrets(s) {
    only(s, 'secrets', this.secretNames);
    return {
      botToken: text(
        s.botToken,
        'secrets.botToken',
        /^\d{3,20}:[A-Za-z0-9_-]{20,100}$/,
        'must be the token given by @BotFather (123456:ABC…)',
      ),
      webhookSecret: text(s.webhookSecret, 'secrets.webhookSecret', /^[A-Za-z0-9_-]{16,256}$/, 'must be 16–256 letters, digits, _ or -'),
    };
  },
};

export const WHATSAPP_WEB_SCHEMA: AccountSchema = {
  channel: 'whatsapp-web',
  secretNames: [],
  config(input) {
    only(input, 'config', ['displayPhoneNumber']);
    return {
      displayPhoneNumber: text(
        input.displayPhoneNumber,
        'config.displayPhoneNumber',
        /^\+?[\d ]{6,20}$/,
        'must be a phone number like +39 080 5771111',
      ),
    };
  },
  secrets(s) {
    only(s, 'secrets', this.secretNames);
    return {};
  },
};

/** Channels whose accounts this API manages; another channel module may add its own schema. */
export const ACCOUNT_SCHEMAS = new Map<string, AccountSchema>([
  [WHATSAPP_SCHEMA.channel, WHATSAPP_SCHEMA],
  [TELEGRAM_SCHEMA.channel, TELEGRAM_SCHEMA],
  [WHATSAPP_WEB_SCHEMA.channel, WHATSAPP_WEB_SCHEMA],
]);
