import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether the PEC provider's S/MIME signature of an unwrapped envelope was checked against the
 * providers' certificates (PEC_TRUSTED_CERTS_FILE): `verified`, `not_verified` (no certificates
 * configured, or the check could not run) or `invalid` (a forged or altered envelope). The console
 * shows it with the message; null for anything that is not a PEC envelope.
 */
export class PecSignatureState1765150000000 implements MigrationInterface {
  name = 'PecSignatureState1765150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE email_messages ADD COLUMN pec_signature text CHECK (pec_signature IN ('verified', 'not_verified', 'invalid'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE email_messages DROP COLUMN IF EXISTS pec_signature`);
  }
}
