import type { EntityManager } from 'typeorm';
import { invalidField, notFoundField } from '../../common/errors.js';
import type { Citizen } from '../../portal/identity/citizen-auth.js';
import type { ItemRow, SpaceRow } from './manifest.js';
import { METROPOLITAN_SLUG } from '../../web/portal.controller.js';
import type { ActionAssurance, LocalText, SpacePhase } from './participation.api.js';

/** The Metropolitan City's spaces are listed under this slug (and on every comune's page). */
export const METRO_SLUG = METROPOLITAN_SLUG;

const ID = /^[1-9][0-9]{0,17}$/;

/** An id from a path or a body: digits only, or a 404 naming the field (as an object that does not exist). */
export function idOf(field: string, raw: unknown): string {
  const s = typeof raw === 'number' ? String(raw) : raw;
  if (typeof s !== 'string' || !ID.test(s)) throw notFoundField(field, 'non trovato');
  return s;
}

export const SPACE_COLUMNS = `s.id::text AS id, s.comune_id, s.service, s.slug, s.state, s.opens_at, s.closes_at, s.settings`;

export function toSpaceRow(r: any): SpaceRow {
  return {
    id: String(r.id),
    comuneId: r.comune_id ?? null,
    service: r.service,
    slug: r.slug,
    state: r.state,
    opensAt: r.opens_at ? new Date(r.opens_at) : null,
    closesAt: r.closes_at ? new Date(r.closes_at) : null,
    settings: r.settings ?? {},
  };
}

export const ITEM_COLUMNS = `i.id::text AS id, i.comune_id, i.space_id::text AS space_id, i.kind, i.stage, i.visibility, i.score, i.data,
  i.created_at, i.published_at, i.author_account_id::text AS author_account_id`;

export function toItemRow(r: any): ItemRow {
  return {
    id: String(r.id),
    comuneId: r.comune_id ?? null,
    spaceId: String(r.space_id),
    kind: r.kind,
    stage: r.stage,
    visibility: r.visibility,
    score: Number(r.score),
    data: r.data ?? {},
    createdAt: new Date(r.created_at),
    publishedAt: r.published_at ? new Date(r.published_at) : null,
    authorAccountId: r.author_account_id ?? null,
  };
}

export async function loadItem(m: EntityManager, id: string, lock = false): Promise<{ item: ItemRow; space: SpaceRow } | null> {
  const rows = await m.query(
    `SELECT ${ITEM_COLUMNS}, s.id::text AS s_id, s.comune_id AS s_comune_id, s.service AS s_service, s.slug AS s_slug,
            s.state AS s_state, s.opens_at AS s_opens_at, s.closes_at AS s_closes_at, s.settings AS s_settings
       FROM participation_items i JOIN participation_spaces s ON s.id = i.space_id
      WHERE i.id = $1 ${lock ? 'FOR UPDATE OF i' : ''}`,
    [id],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    item: toItemRow(r),
    space: toSpaceRow({
      id: r.s_id,
      comune_id: r.s_comune_id,
      service: r.s_service,
      slug: r.s_slug,
      state: r.s_state,
      opens_at: r.s_opens_at,
      closes_at: r.s_closes_at,
      settings: r.s_settings,
    }),
  };
}

/** Open now: published, and within its dates. */
export function spaceOpen(s: Pick<SpaceRow, 'state' | 'opensAt' | 'closesAt'>, now = new Date()): boolean {
  return s.state === 'published' && (!s.opensAt || s.opensAt <= now) && (!s.closesAt || s.closesAt > now);
}

export function currentPhase(phases: SpacePhase[], now = new Date()): SpacePhase | null {
  for (const p of phases) {
    const from = p.startsAt ? new Date(p.startsAt) : null;
    const to = p.endsAt ? new Date(p.endsAt) : null;
    if ((!from || from <= now) && (!to || to > now)) return p;
  }
  return null;
}

const dateIt = (d: Date) => d.toLocaleDateString('it-IT', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Rome' });

/** Why contributing to a space is refused now (Italian), or null. */
export function spaceClosedReason(s: SpaceRow, now = new Date()): string | null {
  if (s.state === 'draft') return 'lo spazio di partecipazione non è ancora pubblicato';
  if (s.state !== 'published') return 'lo spazio di partecipazione è chiuso';
  if (s.opensAt && s.opensAt > now) return `la partecipazione si apre il ${dateIt(s.opensAt)}`;
  if (s.closesAt && s.closesAt <= now) return `la partecipazione si è chiusa il ${dateIt(s.closesAt)}`;
  return null;
}

/** The person a once-per-person contribution counts for: the verified fiscal code, or the account. */
export function personKey(c: Citizen): string {
  return c.fiscalCode && c.assurance !== 'email' ? `cf:${c.fiscalCode}` : `acct:${c.id}`;
}

export function citizenMeets(c: Citizen, needed: ActionAssurance): boolean {
  if (needed === 'anyone' || needed === 'email') return true;
  if (needed === 'spid') return c.assurance !== 'email' && c.level >= 2;
  return c.level >= 3;
}

export const ASSURANCE_NAME: Record<ActionAssurance, string> = {
  anyone: 'nessun accesso',
  email: 'accesso con codice via e-mail',
  spid: 'SPID (livello 2) o CIE',
  cie: 'CIE o SPID di livello 3',
};

/** The public name of a citizen author: given name and the initial of the family name. */
export function publicName(c: Pick<Citizen, 'givenName' | 'familyName' | 'displayName'>): string {
  const given = c.givenName?.trim();
  const family = c.familyName?.trim();
  if (given) return family ? `${given} ${family[0].toUpperCase()}.` : given;
  const d = c.displayName.trim();
  return d.includes('@') ? 'Cittadino' : d.slice(0, 120);
}

export const label = (t: LocalText, lang: 'it' | 'en') => (lang === 'en' ? t.en : t.it);

/** A text a citizen writes: trimmed, control characters removed (it is shown as inert text, never HTML). */
export function cleanText(field: string, raw: unknown, opts: { required: boolean; max: number; min?: number }): string | null {
  if (raw === undefined || raw === null || raw === '') {
    if (opts.required) throw invalidField(field, 'campo obbligatorio');
    return null;
  }
  if (typeof raw !== 'string') throw invalidField(field, 'deve essere un testo');

  const s = raw.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').trim();
  if (!s) {
    if (opts.required) throw invalidField(field, 'campo obbligatorio');
    return null;
  }
  if (s.length > opts.max) throw invalidField(field, `al massimo ${opts.max} caratteri (ne hai scritti ${s.length})`);
  if (opts.min && s.length < opts.min) throw invalidField(field, `almeno ${opts.min} caratteri`);
  return s;
}

export function pointOf(field: string, raw: unknown): { lat: number; lon: number } | null {
  if (raw === undefined || raw === null) return null;
  const p = raw as { lat?: unknown; lon?: unknown };
  if (typeof p !== 'object' || typeof p.lat !== 'number' || typeof p.lon !== 'number' || !Number.isFinite(p.lat) || !Number.isFinite(p.lon))
    throw invalidField(field, 'deve essere un punto { lat, lon }');
  if (p.lat < -90 || p.lat > 90 || p.lon < -180 || p.lon > 180) throw invalidField(field, 'coordinate fuori intervallo');
  return { lat: p.lat, lon: p.lon };
}

/**
 * The rows an UPDATE or DELETE … RETURNING answers: TypeORM's query() gives those as
 * `[rows, affectedCount]` (and a SELECT or INSERT as the rows themselves).
 */
export async function changed(m: EntityManager, sql: string, params: unknown[]): Promise<any[]> {
  const r = await m.query(sql, params);
  return Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? r[0] : r;
}
