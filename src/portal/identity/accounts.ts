import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { asSystem } from '../../tenancy/db-scope.js';
import { updateReturning } from '../../database/sql.js';

import type { Assurance, PortalCitizen } from '../portal.api.js';

export type { Assurance };

/** The citizen as the portal's API shows it (the shared type of src/portal/portal.api.ts). */
export type CitizenView = PortalCitizen;

/** What a SPID/CIE login proved about the person. */
export interface VerifiedPerson {
  fiscalCode: string;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  assurance: 'spid' | 'cie';
  level: 1 | 2 | 3;
}

interface AccountRow {
  id: string;
  fiscal_code: string | null;
  email_key: string | null;
  email: string | null;
  given_name: string | null;
  family_name: string | null;
  assurance: Assurance;
  level: number;
}

const COLUMNS = `id::text AS id, fiscal_code, email_key, email, given_name, family_name, assurance, level`;

export function toCitizenView(r: AccountRow): CitizenView {
  const name = [r.given_name, r.family_name].filter(Boolean).join(' ');
  return {
    id: String(r.id),
    displayName: name || r.email || r.fiscal_code || 'Cittadino',
    givenName: r.given_name,
    familyName: r.family_name,
    fiscalCode: r.fiscal_code,
    email: r.email,
    assurance: r.assurance,
    level: r.level as 1 | 2 | 3,
  };
}

/** `TINIT-RSSMRA85M41A662S` → `RSSMRA85M41A662S`; anything that is not a fiscal code → null. */
export function fiscalCodeOf(claim: unknown): string | null {
  if (typeof claim !== 'string') return null;
  const code = claim
    .trim()
    .toUpperCase()
    .replace(/^TINIT-/, '');
  return /^[A-Z0-9]{11,16}$/.test(code) ? code : null;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/**
 * Citizen accounts (table citizen_accounts, row-level security through the citizen scope). Login and
 * lookup by fiscal code or verified e-mail run in named system scopes; everything else in the
 * citizen's own scope.
 *
 * Merging: a person is one account only when proved so. An e-mail-code login finds the account
 * keyed on that verified e-mail (`email_key`); a SPID/CIE login the account of that fiscal code.
 * A SPID/CIE login completed in an e-mail-code session (both proved by the same browser) joins
 * the two: the e-mail account becomes (or is folded into) the fiscal code's account, which keeps
 * the verified identity. An e-mail claim alone never joins anything.
 */
@Injectable()
export class CitizenAccounts {
  constructor(private readonly ds: DataSource) {}

  async view(accountId: string, m: EntityManager = this.ds.manager): Promise<CitizenView | null> {
    const [r] = await m.query(`SELECT ${COLUMNS} FROM citizen_accounts WHERE id = $1`, [accountId]);
    return r ? toCitizenView(r) : null;
  }

  /** The account keyed on this verified e-mail, created when new (assurance `email`, level 1). */
  loginByEmail(email: string): Promise<CitizenView> {
    const key = normalizeEmail(email);
    return asSystem('portal-login', () =>
      this.ds.transaction(async (m) => {
        const [r] = await m.query(
          `INSERT INTO citizen_accounts (email_key, email, assurance, level) VALUES ($1, $1, 'email', 1)
           ON CONFLICT (email_key) DO UPDATE SET last_login_at = now()
           RETURNING ${COLUMNS}`,
          [key],
        );
        return toCitizenView(r);
      }),
    );
  }

  /**
   * The account of a verified fiscal code, created or updated from the gateway's claims. With
   * `provedAccountId` (the account of the e-mail-code session the login was completed in), that
   * account is joined to it. Returns the resulting account.
   */
  loginVerified(person: VerifiedPerson, provedAccountId: string | null): Promise<CitizenView> {
    return asSystem('portal-login', () =>
      this.ds.transaction(async (m) => {
        const [existing]: AccountRow[] = await m.query(`SELECT ${COLUMNS} FROM citizen_accounts WHERE fiscal_code = $1 FOR UPDATE`, [
          person.fiscalCode,
        ]);
        let proved: AccountRow | undefined;
        if (provedAccountId && provedAccountId !== existing?.id) {
          [proved] = await m.query(`SELECT ${COLUMNS} FROM citizen_accounts WHERE id = $1 FOR UPDATE`, [provedAccountId]);
          // Only an e-mail-only account is joined: another person's verified account never is.
          if (proved && proved.fiscal_code !== null) proved = undefined;
        }
        let id: string;
        if (existing) {
          id = existing.id;
          if (proved) await this.fold(m, proved, existing.id);
        } else if (proved) {
          id = proved.id; // the e-mail account becomes the verified one
        } else {
          const [r] = await m.query(
            `INSERT INTO citizen_accounts (fiscal_code, assurance, level) VALUES ($1, $2, $3) RETURNING id::text AS id`,
            [person.fiscalCode, person.assurance, person.level],
          );
          id = r.id;
        }
        const [r] = await updateReturning<AccountRow>(
          m,
          `UPDATE citizen_accounts SET fiscal_code = $2,
                  assurance = CASE WHEN $4::smallint >= level OR assurance = 'email' THEN $3 ELSE assurance END,
                  level = GREATEST(level, $4::smallint),
                  given_name = coalesce($5, given_name), family_name = coalesce($6, family_name),
                  email = coalesce(email_key, $7, email), last_login_at = now()
            WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, person.fiscalCode, person.assurance, person.level, person.givenName, person.familyName, person.email],
        );
        return toCitizenView(r);
      }),
    );
  }

  /** Folds an e-mail-only account into a verified one: its e-mail key, linked channels and sessions move, then it goes. */
  private async fold(m: EntityManager, from: AccountRow, intoId: string): Promise<void> {
    await m.query(`UPDATE citizen_account_links SET account_id = $2 WHERE account_id = $1`, [from.id, intoId]);
    await m.query(`UPDATE citizen_sessions SET account_id = $2 WHERE account_id = $1`, [from.id, intoId]);
    await m.query(`DELETE FROM citizen_accounts WHERE id = $1`, [from.id]);
    await m.query(`UPDATE citizen_accounts SET email_key = coalesce(email_key, $2) WHERE id = $1`, [intoId, from.email_key]);
  }
}
