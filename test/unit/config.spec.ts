import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { PUBLISHED_SECRETS } from '../../src/config/secrets.js';
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
    expect(err!.problems).toEqual(
      expect.arrayContaining([
        'PORT must be a whole number between 0 and 65535 (got "abc")',
        'SPORTELLO_ROLE must be one of all, api, worker (got "chef")',
        'DATABASE_URL must be a postgres: or postgresql: URL (got "mysql:")',
        'JWT_SECRET is not set: set it to a random string of at least 32 characters in production (e.g. openssl rand -hex 32)',
      ]),
    );
  });
});

describe('JWT_SECRET in production', () => {
  const problemsOf = (secret: string | undefined): string[] => {
    try {
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret });
      return [];
    } catch (e) {
      return (e as ConfigError).problems.filter((p) => p.startsWith('JWT_SECRET'));
    }
  };

  /** Every value given to JWT_SECRET in the repository's docs, compose files, .env examples and tests. */
  function secretsPublishedInTheRepository(): string[] {
    const files = [
      'README.md',
      'docker-compose.yml',
      'Dockerfile',
      ...readdirSync('.').filter((f) => f.startsWith('.env')),
      ...readdirSync('test', { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join('test', f)),
    ];
    const found = new Set<string>();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      // JWT_SECRET=value, JWT_SECRET: value, ${JWT_SECRET:-value}, JWT_SECRET: 'value'
      for (const m of text.matchAll(/JWT_SECRET(?::-|[:=])\s*['"]?([^\s'"}$`)|]{4,})/g)) found.add(m[1]);
    }
    return [...found].filter((v) => !v.startsWith('$') && !/^(must|is|in|signs|set)$/.test(v));
  }

  it('refuses every published default, including the old docker-compose one', () => {
    const published = [...PUBLISHED_SECRETS, 'change-me-to-a-long-random-string-of-32-chars', ...secretsPublishedInTheRepository()];
    for (const secret of published) {
      const problems = problemsOf(secret);
      expect({ secret, problems }).toEqual({
        secret,
        problems: [expect.stringMatching(/^JWT_SECRET (is a published default value|is shorter than 32)/)],
      });
    }
  });

  it('refuses a missing, short or guessable secret with one clear line', () => {
    expect(problemsOf(undefined)).toEqual([expect.stringMatching(/^JWT_SECRET is not set: /)]);
    expect(problemsOf('s3cr3t-but-short')).toEqual([expect.stringMatching(/^JWT_SECRET is shorter than 32 characters: /)]);
    for (const weak of [
      'a'.repeat(40),
      'abcdefghijklmnopqrstuvwxyz0123456789',
      'passwordpasswordpasswordpassword12',
      '0123456789'.repeat(4),
    ]) {
      expect(problemsOf(weak)).toEqual([expect.stringMatching(/^JWT_SECRET is too easy to guess/)]);
    }
  });

  it('accepts a random secret, and development keeps its default', () => {
    expect(problemsOf('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toEqual([]);
    expect(problemsOf('Kq8vZ2mN4xR7pL1sT9wY3bH6jD5fG0cA')).toEqual([]);
    expect(loadConfig({}).jwtSecret.length).toBeGreaterThan(0);
  });

  it('exits the process with code 78 and one line naming the problem', () => {
    const r = spawnSync(process.execPath, ['--import', './test/fault/support/register-ts.mjs', 'src/main.ts'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', JWT_SECRET: 'change-me-to-a-long-random-string-of-32-chars' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('JWT_SECRET is a published default value');
  }, 60_000);

  it('docker-compose requires JWT_SECRET and seeds no demo accounts unless asked', () => {
    const compose = readFileSync('docker-compose.yml', 'utf8');
    expect(compose).toMatch(/JWT_SECRET: \$\{JWT_SECRET:\?[^}]+\}/);
    expect(compose).not.toMatch(/JWT_SECRET:-/);
    expect(compose).toMatch(/seed\.js \$\{SEED_FLAGS:-\}/);
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
    expect(
      s.verify(
        token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
        7,
      ),
    ).toBeNull();
    expect(new WebchatSessions('other').verify(token, 7)).toBeNull();
    expect(s.verify(42, 7)).toBeNull();
  });
});
