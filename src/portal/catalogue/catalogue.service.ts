import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  Audience,
  CatalogueEntry,
  CatalogueEntryInput,
  CatalogueResponse,
  CatalogueService as CatalogueItem,
  CatalogueSort,
  PortalComune,
  PortalLang,
  ThematicAreaId,
} from '../portal.api.js';
import { InvalidInputException, type FieldProblem } from '../../common/errors.js';
import { TenantScope, type Principal } from '../../common/tenant-scope.js';
import { runInScope } from '../../tenancy/db-scope.js';
import { ComuniService } from '../../comuni/comuni.service.js';
import type { Comune } from '../../comuni/comune.entity.js';
import { areaLabel, isAreaId, isAudience, THEMATIC_AREAS } from './areas.js';
import { SportelloServiceRegistry } from './catalogue-registry.js';

interface EntryRow {
  id: number;
  comune_id: number | null;
  title_it: string;
  title_en: string | null;
  description_it: string | null;
  description_en: string | null;
  area: ThematicAreaId;
  url: string;
  audience: Audience;
  online: boolean;
  position: number;
  updated_at: Date;
}

/** The ISTAT province code is the first three digits of a comune's code (072 for Bari's). */
export function portalComune(c: Pick<Comune, 'id' | 'slug' | 'name' | 'istatCode'>): PortalComune {
  return {
    id: c.id,
    slug: c.slug,
    name: c.name,
    istatCode: c.istatCode,
    provinceCode: c.istatCode.slice(0, 3),
    contactPageUrl: `/contatti/${c.slug}`,
  };
}

const HTTPS_URL = /^https:\/\/[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$/;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : v);

/**
 * The service catalogue: Sportello's own services (contributed through the registry) and the
 * external links each comune's manager — or, for the Metropolitan City, its administrator — lists.
 */
@Injectable()
export class CatalogueService {
  constructor(
    private readonly ds: DataSource,
    private readonly comuni: ComuniService,
    private readonly registry: SportelloServiceRegistry,
  ) {}

  async listComuni(): Promise<PortalComune[]> {
    return (await this.comuni.list()).map(portalComune);
  }

  async comune(slug: string): Promise<Comune> {
    const c = /^[a-z0-9-]{1,60}$/.test(slug) ? await this.comuni.findBySlug(slug) : null;
    if (!c) throw new NotFoundException(`unknown comune "${slug}"`);
    return c;
  }

  /** A comune's catalogue: its own entries, the Metropolitan City's, and Sportello's services. */
  async services(slug: string, opts: { q?: string; area?: string; sort?: string; lang?: string }): Promise<CatalogueResponse> {
    const comune = await this.comune(slug);
    const lang: PortalLang = opts.lang === 'en' ? 'en' : 'it';
    const problems: FieldProblem[] = [];
    if (opts.area !== undefined && opts.area !== '' && !isAreaId(opts.area))
      problems.push({ field: 'area', message: 'area tematica sconosciuta' });
    if (opts.sort !== undefined && opts.sort !== '' && opts.sort !== 'name' && opts.sort !== 'area')
      problems.push({ field: 'sort', message: 'ordinamento non valido: "name" o "area"' });
    if (opts.q !== undefined && opts.q.length > 100) problems.push({ field: 'q', message: 'al massimo 100 caratteri' });
    if (problems.length) throw new InvalidInputException(problems, problems.map((p) => `${p.field}: ${p.message}`).join('; '));

    // The comune's scope: row-level security shows its entries and the Metropolitan City's, no other comune's.
    const rows = await runInScope(TenantScope.ofComune(comune.id), () =>
      this.ds.query<EntryRow[]>(`SELECT * FROM catalogue_entries WHERE comune_id = $1 OR comune_id IS NULL ORDER BY position, id`, [
        comune.id,
      ]),
    );
    const own: CatalogueItem[] = this.registry.list().map((s) => ({
      id: `sportello:${s.id}`,
      kind: 'sportello',
      owner: 'comune',
      title: s.title[lang],
      description: s.description[lang],
      area: { id: s.area, label: areaLabel(s.area, lang) },
      url: s.path(comune, lang),
      audience: s.audience,
      online: true,
    }));
    const external: CatalogueItem[] = rows.map((r) => ({
      id: `ext:${r.id}`,
      kind: 'external',
      owner: r.comune_id === null ? 'metropolitan' : 'comune',
      title: (lang === 'en' && r.title_en) || r.title_it,
      description: (lang === 'en' && r.description_en) || r.description_it || '',
      area: { id: r.area, label: areaLabel(r.area, lang) },
      url: r.url,
      audience: r.audience,
      online: r.online,
    }));
    let services = [...external, ...own];
    const q = normalize(opts.q ?? '');
    if (q) services = services.filter((s) => normalize(`${s.title} ${s.description} ${s.area.label}`).includes(q));
    if (opts.area) services = services.filter((s) => s.area.id === opts.area);
    const collator = new Intl.Collator(lang, { sensitivity: 'base' });
    const byName = (a: CatalogueItem, b: CatalogueItem) => collator.compare(a.title, b.title);
    const sort: CatalogueSort = opts.sort === 'area' ? 'area' : 'name';
    services.sort(sort === 'area' ? (a, b) => collator.compare(a.area.label, b.area.label) || byName(a, b) : byName);
    return {
      comune: portalComune(comune),
      lang,
      areas: THEMATIC_AREAS.map((a) => ({ id: a.id, label: a.label[lang] })),
      services,
    };
  }

  // ── staff ────────────────────────────────────────────────────────────────────────────────

  /** The caller's entries: a manager's comune's and the Metropolitan City's (read-only for them). */
  async list(p: Principal): Promise<CatalogueEntry[]> {
    const params: unknown[] = [];
    const where = p.role === 'metro_admin' ? 'TRUE' : `(${TenantScope.ofPrincipal(p).sql('comune_id', params)} OR comune_id IS NULL)`;
    const rows = await this.ds.query<EntryRow[]>(
      `SELECT * FROM catalogue_entries WHERE ${where} ORDER BY comune_id NULLS FIRST, position, id`,
      params,
    );
    return rows.map((r) => view(r, p));
  }

  async create(p: Principal, body: unknown): Promise<CatalogueEntry> {
    const input = validate(body, 'create');
    const metropolitan = input.metropolitan === true;
    // A comune's manager lists its own services; the Metropolitan City's are its administrator's.
    if (metropolitan && p.role !== 'metro_admin')
      throw new ForbiddenException('only the metropolitan administrator lists services of the Metropolitan City');
    if (!metropolitan && p.comuneId === null)
      throw new InvalidInputException(
        [{ field: 'metropolitan', message: 'l’amministratore metropolitano inserisce solo servizi della Città Metropolitana' }],
        'metropolitan: l’amministratore metropolitano inserisce solo servizi della Città Metropolitana',
      );
    const [row] = await this.ds.query<EntryRow[]>(
      `INSERT INTO catalogue_entries (comune_id, title_it, title_en, description_it, description_en, area, url, audience, online, position, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        metropolitan ? null : p.comuneId,
        input.titleIt,
        input.titleEn ?? null,
        input.descriptionIt ?? null,
        input.descriptionEn ?? null,
        input.area,
        input.url,
        input.audience ?? 'all',
        input.online ?? true,
        input.position ?? 0,
        p.operatorId,
      ],
    );
    return view(row, p);
  }

  async update(p: Principal, id: string, body: unknown): Promise<CatalogueEntry> {
    const existing = await this.find(p, id);
    const input = validate(body, 'update');
    const next = {
      titleIt: input.titleIt ?? existing.title_it,
      titleEn: input.titleEn === undefined ? existing.title_en : input.titleEn,
      descriptionIt: input.descriptionIt === undefined ? existing.description_it : input.descriptionIt,
      descriptionEn: input.descriptionEn === undefined ? existing.description_en : input.descriptionEn,
      area: input.area ?? existing.area,
      url: input.url ?? existing.url,
      audience: input.audience ?? existing.audience,
      online: input.online ?? existing.online,
      position: input.position ?? existing.position,
    };
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const [rows] = await this.ds.query<[EntryRow[], number]>(
      `UPDATE catalogue_entries SET title_it = $2, title_en = $3, description_it = $4, description_en = $5, area = $6, url = $7,
              audience = $8, online = $9, position = $10, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [
        existing.id,
        next.titleIt,
        next.titleEn,
        next.descriptionIt,
        next.descriptionEn,
        next.area,
        next.url,
        next.audience,
        next.online,
        next.position,
      ],
    );
    const row = rows[0];
    if (!row) throw new NotFoundException(`catalogue entry ${id} not found`);
    return view(row, p);
  }

  async remove(p: Principal, id: string): Promise<void> {
    const existing = await this.find(p, id);
    await this.ds.query(`DELETE FROM catalogue_entries WHERE id = $1`, [existing.id]);
  }

  /**
   * An entry the caller may change. Another comune's answers 404 (row-level security hides it, and
   * the condition says so again); the Metropolitan City's, which a manager can read, answers 403.
   */
  private async find(p: Principal, id: string): Promise<EntryRow> {
    if (!/^[1-9][0-9]{0,9}$/.test(id) || Number(id) > 2_147_483_647) throw new NotFoundException(`catalogue entry ${id} not found`);
    const params: unknown[] = [Number(id)];
    const scope = TenantScope.ofPrincipal(p).sql('comune_id', params);
    const [row] = await this.ds.query<EntryRow[]>(
      `SELECT * FROM catalogue_entries WHERE id = $1 AND (${scope} OR comune_id IS NULL)`,
      params,
    );
    if (!row) throw new NotFoundException(`catalogue entry ${id} not found`);
    if (row.comune_id === null && p.role !== 'metro_admin')
      throw new ForbiddenException('services of the Metropolitan City are changed by the metropolitan administrator');
    return row;
  }
}

function view(r: EntryRow, p: Principal): CatalogueEntry {
  return {
    id: r.id,
    comuneId: r.comune_id,
    titleIt: r.title_it,
    titleEn: r.title_en,
    descriptionIt: r.description_it,
    descriptionEn: r.description_en,
    area: r.area,
    url: r.url,
    audience: r.audience,
    online: r.online,
    position: r.position,
    updatedAt: new Date(r.updated_at).toISOString(),
    editable: r.comune_id !== null || p.role === 'metro_admin',
  };
}

/** Lower case without accents, for a search that finds "città" when typed "citta". */
function normalize(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

/** Checks a create or update body; every bad field is named, in Italian (the manager reads it). */
export function validate(body: unknown, mode: 'create' | 'update'): Partial<CatalogueEntryInput> & { titleIt?: string } {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const out: Partial<CatalogueEntryInput> = {};
  const required = mode === 'create';
  const known = ['titleIt', 'titleEn', 'descriptionIt', 'descriptionEn', 'area', 'url', 'audience', 'online', 'position', 'metropolitan'];
  for (const k of Object.keys(b)) if (!known.includes(k)) problems.push({ field: k, message: 'campo sconosciuto' });

  const text = (field: 'titleIt' | 'titleEn' | 'descriptionIt' | 'descriptionEn', max: number, mustHave: boolean) => {
    const v = str(b[field]);
    if (v === undefined || (v === null && !mustHave) || (v === '' && !mustHave)) {
      if (v === undefined && mustHave) problems.push({ field, message: 'obbligatorio' });
      else if (v !== undefined) (out as Record<string, unknown>)[field] = null; // cleared (titleIt is never optional)
      return;
    }
    if (typeof v !== 'string') return void problems.push({ field, message: 'deve essere un testo' });
    if (v.length === 0) return void problems.push({ field, message: 'non può essere vuoto' });
    if (v.length > max) return void problems.push({ field, message: `al massimo ${max} caratteri` });
    out[field] = v;
  };
  text('titleIt', 160, required || b.titleIt !== undefined);
  text('titleEn', 160, false);
  text('descriptionIt', 600, false);
  text('descriptionEn', 600, false);

  if (b.area !== undefined || required) {
    if (isAreaId(b.area)) out.area = b.area;
    else problems.push({ field: 'area', message: b.area === undefined ? 'obbligatoria' : 'area tematica sconosciuta' });
  }
  if (b.url !== undefined || required) {
    const url = str(b.url);
    if (url === undefined || url === '' || url === null) problems.push({ field: 'url', message: 'obbligatorio' });
    else if (typeof url !== 'string' || url.length > 2000 || !HTTPS_URL.test(url) || !validUrl(url))
      problems.push({ field: 'url', message: 'deve essere un indirizzo https:// valido' });
    else out.url = url;
  }
  if (b.audience !== undefined) {
    if (isAudience(b.audience)) out.audience = b.audience;
    else problems.push({ field: 'audience', message: 'destinatari non validi: "citizens", "businesses" o "all"' });
  }
  if (b.online !== undefined) {
    if (typeof b.online === 'boolean') out.online = b.online;
    else problems.push({ field: 'online', message: 'deve essere vero o falso' });
  }
  if (b.position !== undefined) {
    if (Number.isInteger(b.position) && (b.position as number) >= 0 && (b.position as number) <= 9999) out.position = b.position as number;
    else problems.push({ field: 'position', message: 'deve essere un numero intero tra 0 e 9999' });
  }
  if (b.metropolitan !== undefined) {
    if (mode === 'update') problems.push({ field: 'metropolitan', message: 'non si può cambiare dopo la creazione' });
    else if (typeof b.metropolitan !== 'boolean') problems.push({ field: 'metropolitan', message: 'deve essere vero o falso' });
    else out.metropolitan = b.metropolitan;
  }
  if (problems.length) throw new InvalidInputException(problems, problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  return out;
}

function validUrl(s: string): boolean {
  try {
    return new URL(s).protocol === 'https:';
  } catch {
    return false;
  }
}
