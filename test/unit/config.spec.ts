import { ConfigError, loadConfig } from '../../src/config/config.js';
import { referencePrefixes, slugify } from '../../src/comuni/comuni-import.js';
import { WebchatSessions } from '../../src/channels/webchat/webchat-session.js';

describe('configuration', () => {
  it('has working defaults for a development machine', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/sportello');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.role).toBe('all');
  });

  it('lists every bad variable with a clear message', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({ PORT: 'abc', SPORTELLO_ROLE: 'chef', DATABASE_URL: 'mysql://x/y', NODE_ENV: 'production' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toEqual(expect.arrayContaining([
      'PORT must be a whole number between 0 and 65535 (got "abc")',
      'SPORTELLO_ROLE must be one of all, api, worker (got "chef")',
      'DATABASE_URL must be a postgres: or postgresql: URL (got "mysql:")',
      'JWT_SECRET must be set to a random string of at least 32 characters in production',
    ]));
  });
});

describe('comuni', () => {
  it('makes slugs as the contract pins them', () => {
    expect(slugify('Gioia del Colle')).toBe('gioia-del-colle');
    expect(slugify('Bari')).toBe('bari');
    expect(slugify("Sant'Agata")).toBe('sant-agata');
  });

  it('gives Bari "BA" and every other comune a unique three-letter prefix', () => {
    const names = ['Bari', 'Bitetto', 'Bitonto', 'Bitritto', 'Modugno', 'Mola di Bari', 'Molfetta'];
    const p = referencePrefixes(names);
    expect(p.get('Bari')).toBe('BA');
    expect(new Set(p.values()).size).toBe(names.length);
    for (const [name, code] of p) if (name !== 'Bari') expect(code).toMatch(/^[A-Z]{3}$/);
    expect(referencePrefixes([...names].reverse())).toEqual(p);
  });
});

describe('web-chat session tokens', () => {
  const s = new WebchatSessions('secret');
  it('resumes a genuine session of the same comune only', () => {
    const { token, address } = s.issue(7);
    expect(s.verify(token, 7)).toBe(address);
    expect(s.verify(token, 8)).toBeNull();
    expect(s.verify(token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), 7)).toBeNull();
    expect(new WebchatSessions('other').verify(token, 7)).toBeNull();
    expect(s.verify(42, 7)).toBeNull();
  });
});
