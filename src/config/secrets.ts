import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';

/**
 * Every secret value that was ever published with Sportello — in the README, docker-compose.yml,
 * .env examples, the development default and the tests. Anyone can sign tokens with these, so a
 * production process refuses them whatever their length or apparent strength.
 */
export const PUBLISHED_SECRETS: readonly string[] = [
  'change-me-to-a-long-random-string-of-32-chars', // docker-compose.yml default until 2026
  'sportello-development-secret-change-me', // the development default (config.ts)
  'sportello-demo', // demo accounts' password
  'test-password', // the tests' password
  'secret',
  'changeme',
  'change-me',
];

/** Shortest secret accepted in production. */
export const MIN_SECRET_LENGTH = 32;
/** zxcvbn's log10 of the guesses needed: 20 ≈ 66 bits, far below a random 32-character string. */
const MIN_GUESSES_LOG10 = 20;

let estimator: ZxcvbnFactory | undefined;

/**
 * Why a secret is unfit for production, or null when it is fine: a published value, too short, or
 * guessable (repetitions, sequences, keyboard walks, dictionary words — judged by zxcvbn).
 */
export function weakSecretReason(secret: string): string | null {
  const normalized = secret.trim().toLowerCase();
  if (PUBLISHED_SECRETS.some((p) => p.toLowerCase() === normalized)) return 'is a published default value';
  if (secret.length < MIN_SECRET_LENGTH) return `is shorter than ${MIN_SECRET_LENGTH} characters`;
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEn.translations,
  });
  // zxcvbn looks at the first 100 characters only (longer input is slow and no weaker).
  const { guessesLog10 } = estimator.check(secret.slice(0, 100));
  if (guessesLog10 < MIN_GUESSES_LOG10) return 'is too easy to guess (low entropy: repetitions, sequences or common words)';
  return null;
}
