import {
  CHANNELS,
  channelDef,
  fieldForProblem,
  initialValues,
  payloadOf,
  type FormValues,
} from '../../agent-console/src/channels/channel-forms.js';
import { ACCOUNT_SCHEMAS } from '../../src/channels/accounts/account-schemas.js';
import { emailConfigProblems, emailSecretsProblems } from '../../src/channels/email/email-accounts.js';

/**
 * The console's channel-account forms against the API's own checks: what a filled-in form sends is
 * what account-schemas.ts (and the e-mail channel) accept, secrets have the API's names, and editing
 * removes what was turned off while leaving untouched secrets alone.
 */
const SAMPLE: Record<string, FormValues> = {
  whatsapp: {
    'config.phoneNumberId': '106540352242922',
    'config.displayPhoneNumber': '+39 080 5771111',
    'config.businessAccountId': '102290129340398',
    'config.notificationTemplate.name': 'aggiornamento_pratica',
    'config.notificationTemplate.language': 'it',
    'secrets.accessToken': 'EAAG-system-user-token',
    'secrets.appSecret': 'meta-app-secret',
    'secrets.verifyToken': 'verify-token-1',
  },
  'whatsapp-web': { 'config.displayPhoneNumber': '+39 080 5771112' },
  telegram: {
    'config.botUsername': 'urp_comune_bot',
    'secrets.botToken': '123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345',
    'secrets.webhookSecret': 'a-webhook-secret-of-32-characters',
  },
  email: {
    'config.address': 'urp@comune.bari.it',
    'config.displayName': 'URP Comune di Bari',
    'config.pec': true,
    'config.aliases': 'protocollo@comune.bari.it, pec@comune.bari.it',
    'config.domains': 'sportello.comune.bari.it',
    'config.imap.host': 'imap.comune.bari.it',
    'config.imap.port': '993',
    'config.imap.secure': true,
    'config.imap.mailbox': 'INBOX',
    'config.imap.processedMailbox': 'Sportello/Elaborati',
    'secrets.imap.user': 'urp@comune.bari.it',
    'secrets.imap.pass': 'imap-pass',
    'config.smtp.host': 'smtp.comune.bari.it',
    'config.smtp.port': '465',
    'config.smtp.secure': true,
    'secrets.smtp.user': 'urp@comune.bari.it',
    'secrets.smtp.pass': 'smtp-pass',
  },
};

describe('channel account forms of the console', () => {
  it('offer every channel the API manages, with the API’s secret names', () => {
    for (const [channel, schema] of ACCOUNT_SCHEMAS) {
      expect(channelDef(channel)?.secrets.map((s) => s.name)).toEqual(schema.secretNames);
    }
    expect(channelDef('email')?.secrets.map((s) => s.name)).toEqual(['imap', 'smtp']);
  });

  it('send, once filled in, settings and secrets the API accepts unchanged', () => {
    for (const def of CHANNELS) {
      const { values } = initialValues(def);
      const sections = Object.fromEntries((def.sections ?? []).map((s) => [s.key, true]));
      const { config, secrets } = payloadOf(def, { ...values, ...SAMPLE[def.channel] }, sections);
      if (def.channel === 'email') {
        expect(emailConfigProblems(config)).toEqual([]);
        expect(emailSecretsProblems(secrets, config)).toEqual([]);
        expect(config).toEqual({
          address: 'urp@comune.bari.it',
          displayName: 'URP Comune di Bari',
          pec: true,
          aliases: ['protocollo@comune.bari.it', 'pec@comune.bari.it'],
          domains: ['sportello.comune.bari.it'],
          imap: { host: 'imap.comune.bari.it', port: 993, secure: true, mailbox: 'INBOX', processedMailbox: 'Sportello/Elaborati' },
          smtp: { host: 'smtp.comune.bari.it', port: 465, secure: true },
        });
      } else {
        const schema = ACCOUNT_SCHEMAS.get(def.channel)!;
        expect(schema.config(config)).toEqual(config);
        expect(schema.secrets(secrets)).toEqual(secrets);
      }
      for (const f of def.fields.filter((x) => x.key.startsWith('secrets.') && !x.secretGroup))
        expect(secrets[f.key.split('.')[1]]).toBe(SAMPLE[def.channel][f.key]);
    }
  });

  it('leave empty secrets out when editing, and remove the optional settings that were cleared or turned off', () => {
    const wa = channelDef('whatsapp')!;
    const stored = {
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '+39 080 5771111',
      businessAccountId: '102290129340398',
      notificationTemplate: { name: 'aggiornamento_pratica', language: 'it' },
    };
    const start = initialValues(wa, stored);
    expect(start.values['secrets.accessToken']).toBe('');
    expect(start.values['config.notificationTemplate.name']).toBe('aggiornamento_pratica');
    const edited = payloadOf(
      wa,
      { ...start.values, 'config.notificationTemplate.name': '', 'config.businessAccountId': '' },
      start.sections,
      { config: stored, secretsSet: ['accessToken', 'appSecret', 'verifyToken'] },
    );
    expect(edited).toEqual({
      config: {
        phoneNumberId: '106540352242922',
        displayPhoneNumber: '+39 080 5771111',
        businessAccountId: null,
        notificationTemplate: null,
      },
      secrets: {},
    });

    const email = channelDef('email')!;
    const mailbox = { address: 'urp@comune.bari.it', imap: { host: 'imap.comune.bari.it', port: 993, secure: true } };
    const open = initialValues(email, mailbox);
    expect(open.sections).toEqual({ imap: true, smtp: false });
    const off = payloadOf(email, open.values, { imap: false, smtp: false }, { config: mailbox, secretsSet: ['imap'] });
    expect(off.config.imap).toBeNull();
    expect(off.secrets).toEqual({ imap: null });
    // Half a pair of credentials is sent as such: the API names the pair, shown by its first input.
    const half = payloadOf(email, { ...open.values, 'secrets.imap.user': 'urp@comune.bari.it' }, open.sections, {
      config: mailbox,
      secretsSet: ['imap'],
    });
    expect(half.secrets).toEqual({ imap: { user: 'urp@comune.bari.it', pass: '' } });
    const [problem] = emailSecretsProblems(half.secrets);
    expect(fieldForProblem(email, problem.field)).toBe('secrets.imap.user');
  });

  it('place an API error on its input', () => {
    expect(fieldForProblem(channelDef('email'), 'config.aliases[1]')).toBe('config.aliases');
    expect(fieldForProblem(channelDef('email'), 'config.imap.port')).toBe('config.imap.port');
    expect(fieldForProblem(channelDef('whatsapp'), 'config.notificationTemplate')).toBe('config.notificationTemplate.name');
    expect(fieldForProblem(channelDef('telegram'), 'secrets.botToken')).toBe('secrets.botToken');
    expect(fieldForProblem(channelDef('telegram'), 'label')).toBe('label');
    expect(fieldForProblem(channelDef('telegram'), 'comuneId')).toBeNull();
  });
});
