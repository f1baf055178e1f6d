/**
 * The development identity provider's test citizens: invented people with fiscal codes of the
 * right shape (surname, name, birth date and place, check character computed as the Agenzia delle
 * Entrate's algorithm does), as a SPID/CIE gateway would send them.
 */
export interface TestCitizen {
  /** The subject at the provider. */
  id: string;
  givenName: string;
  familyName: string;
  fiscalCode: string;
  email: string;
  /** The level the provider authenticates them at; `cie` citizens log in with the electronic identity card (level 3). */
  method: 'spid' | 'cie';
  level: 1 | 2 | 3;
}

const ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** The 16th character of an Italian fiscal code, from the first fifteen. */
export function fiscalCodeCheck(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = first15[i];
    const n = /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
    sum += i % 2 === 0 ? ODD[n] : n;
  }
  return String.fromCharCode(65 + (sum % 26));
}

const fc = (first15: string) => first15 + fiscalCodeCheck(first15);

export const TEST_CITIZENS: readonly TestCitizen[] = [
  {
    id: 'maria-rossi',
    givenName: 'Maria',
    familyName: 'Rossi',
    fiscalCode: fc('RSSMRA85M41A662'),
    email: 'maria.rossi@example.it',
    method: 'spid',
    level: 2,
  },
  {
    id: 'nicola-de-santis',
    givenName: 'Nicola',
    familyName: 'De Santis',
    fiscalCode: fc('DSNNCL72C06A662'),
    email: 'nicola.desantis@example.it',
    method: 'cie',
    level: 3,
  },
  {
    id: 'angela-loiacono',
    givenName: 'Angela',
    familyName: 'Loiacono',
    fiscalCode: fc('LCNNGL90E52F262'),
    email: 'angela.loiacono@example.it',
    method: 'spid',
    level: 1,
  },
];

export const ACR_OF_LEVEL: Record<1 | 2 | 3, string> = {
  1: 'https://www.spid.gov.it/SpidL1',
  2: 'https://www.spid.gov.it/SpidL2',
  3: 'https://www.spid.gov.it/SpidL3',
};
