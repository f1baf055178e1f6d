import type { DataSource, EntityManager } from 'typeorm';

export interface ConsentRecord {
  citizenId: string;
  comuneId: number;
  ticketId?: string | null;
  purpose: 'privacy' | 'updates';
  granted: boolean;
  source: string;
  contact?: string | null;
  recordedBy?: number | null;
}

/** Appends consent decisions; the latest per purpose is the citizen's current choice. */
export async function recordConsents(m: EntityManager | DataSource, records: ConsentRecord[]): Promise<void> {
  for (const r of records) {
    await m.query(
      `INSERT INTO citizen_consents (citizen_id, comune_id, ticket_id, purpose, granted, source, contact, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.citizenId, r.comuneId, r.ticketId ?? null, r.purpose, r.granted, r.source, r.contact ?? null, r.recordedBy ?? null],
    );
  }
}

/** A contact as the citizen typed it, reduced to an e-mail address or a phone number; null when it is neither. */
export function normalizeContact(raw: string): { kind: 'email' | 'phone'; value: string } | null {
  const s = raw.trim();
  if (/^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/.test(s)) return { kind: 'email', value: s.toLowerCase() };
  const digits = s.replace(/[\s./()-]/g, '');
  if (/^\+?\d{6,15}$/.test(digits)) {
    const value = digits.startsWith('+') ? digits : digits.startsWith('00') ? `+${digits.slice(2)}` : `+39${digits}`;
    return { kind: 'phone', value };
  }
  return null;
}
