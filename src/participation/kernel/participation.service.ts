import { ForbiddenException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { conflictField, invalidField, notFoundField } from '../../common/errors.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { asSystem, inComune, runInScope } from '../../tenancy/db-scope.js';
import { ComuniService } from '../../comuni/comuni.service.js';
import type { Citizen } from '../../portal/identity/citizen-auth.js';
import type { PortalLang } from '../../portal/portal.api.js';
import type { ContributionKindSpec, ItemRow, ParticipationServiceManifest, SpaceRow } from './manifest.js';
import { stronger } from './manifest.js';
import type {
  ActionAssurance,
  CommentsResponse,
  ContributionResponse,
  ContributionView,
  ItemDetail,
  ItemSort,
  ItemSummary,
  ItemsResponse,
  NewItemResponse,
  SpaceAction,
  SpaceDetail,
  SpacePhase,
  SpaceSummary,
  SpacesResponse,
} from './participation.api.js';
import { ParticipationRegistry } from './registry.js';
import {
  ASSURANCE_NAME,
  citizenMeets,
  cleanText,
  currentPhase,
  idOf,
  loadItem,
  METRO_SLUG,
  personKey,
  pointOf,
  publicName,
  spaceClosedReason,
  spaceOpen,
  changed,
} from './rows.js';
import { ParticipationEvents } from './events.js';

export const PAGE_SIZE = 20;
const SORTS: Record<ItemSort, string> = {
  recent: 'i.created_at DESC, i.id DESC',
  oldest: 'i.created_at ASC, i.id ASC',
  top: 'i.score DESC, i.id DESC',
  commented: 'i.comment_count DESC, i.id DESC',
};

type Json = Record<string, unknown>;
const isObject = (b: unknown): b is Json => typeof b === 'object' && b !== null && !Array.isArray(b);
const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Who the space belongs to, as the public sees it. */
interface Owner {
  kind: 'comune' | 'metropolitan';
  slug: string;
  name: string;
  comuneId: number | null;
}

/**
 * The participation kernel: spaces, items and contributions for every service that declares
 * itself with a manifest. Public reads run in the comune's scope (the Metropolitan City's rows are
 * readable in any scope); a citizen's actions in the comune's scope and their own
 * (`TenantScope.citizenIn`); the rules that must hold under concurrency (one signature per person,
 * a per-citizen limit per space) are the database's unique indexes and a transaction-level lock.
 */
@Injectable()
export class ParticipationService {
  constructor(
    private readonly ds: DataSource,
    private readonly comuni: ComuniService,
    private readonly registry: ParticipationRegistry,
    private readonly events: ParticipationEvents,
  ) {}

  // ── owners and scopes ─────────────────────────────────────────────────────────────────────

  async owner(slug: string): Promise<Owner> {
    if (slug === METRO_SLUG) return { kind: 'metropolitan', slug: METRO_SLUG, name: 'Città metropolitana di Bari', comuneId: null };
    const c = /^[a-z0-9-]{1,60}$/.test(slug) ? await this.comuni.findBySlug(slug) : null;
    if (!c) throw notFoundField('slug', 'comune non trovato');
    return { kind: 'comune', slug: c.slug, name: c.name, comuneId: c.id };
  }

  /** Public reads of an owner's rows (a comune's scope also reads the Metropolitan City's). */
  private publicScope<T>(comuneId: number | null, fn: () => Promise<T>): Promise<T> {
    return comuneId === null ? asSystem('participation-metropolitan', fn) : inComune(comuneId, fn);
  }

  /** The comune an item belongs to (null: the Metropolitan City), found in a named system scope. */
  private async itemOwner(id: string): Promise<{ comuneId: number | null }> {
    const [r] = await asSystem('participation-lookup', () =>
      this.ds.query(`SELECT comune_id FROM participation_items WHERE id = $1`, [id]),
    );
    if (!r) throw notFoundField('id', 'non trovato');
    return { comuneId: r.comune_id ?? null };
  }

  private async spaceOwner(id: string): Promise<{ comuneId: number | null }> {
    const [r] = await asSystem('participation-lookup', () =>
      this.ds.query(`SELECT comune_id FROM participation_spaces WHERE id = $1 AND state <> 'draft'`, [id]),
    );
    if (!r) throw notFoundField('spaceId', 'spazio non trovato');
    return { comuneId: r.comune_id ?? null };
  }

  /** Runs `fn` as the citizen acting in the owner's space (or in the owner's public scope for nobody). */
  private actingIn<T>(comuneId: number | null, citizen: Citizen | null, fn: () => Promise<T>): Promise<T> {
    if (!citizen) return this.publicScope(comuneId, fn);
    return runInScope(TenantScope.citizenIn(citizen.id, comuneId), fn);
  }

  /**
   * Runs `fn` where a read of item `rawId` (or the citizen's action on it) belongs: the item's
   * comune's scope, the citizen's own added when logged in. For a service's own routes on its items.
   */
  async withItem<T>(rawId: string, citizen: Citizen | null, fn: (id: string, comuneId: number | null) => Promise<T>): Promise<T> {
    const id = idOf('id', rawId);
    const { comuneId } = await this.itemOwner(id);
    return this.actingIn(comuneId, citizen, () => fn(id, comuneId));
  }

  manifest(service: string): ParticipationServiceManifest {
    const m = this.registry.get(service);
    if (!m) throw notFoundField('service', 'servizio di partecipazione non disponibile');
    return m;
  }

  // ── spaces ────────────────────────────────────────────────────────────────────────────────

  private spaceSummary(r: any, lang: PortalLang, owners: Map<number | null, Owner>): SpaceSummary {
    const m = this.registry.get(r.service);
    const o = owners.get(r.comune_id ?? null)!;
    const phases: SpacePhase[] = r.phases ?? [];
    return {
      id: String(r.id),
      service: r.service,
      serviceTitle: m?.title ?? { it: r.service, en: r.service },
      slug: r.slug,
      owner: { kind: o.kind, slug: o.slug, name: o.name },
      title: lang === 'en' && r.title_en ? r.title_en : r.title_it,
      summary: lang === 'en' && r.summary_en ? r.summary_en : r.summary_it,
      state: r.state,
      opensAt: iso(r.opens_at),
      closesAt: iso(r.closes_at),
      open: spaceOpen({ state: r.state, opensAt: r.opens_at && new Date(r.opens_at), closesAt: r.closes_at && new Date(r.closes_at) }),
      items: Number(r.items ?? 0),
      currentPhase: currentPhase(phases),
    };
  }

  /** The published spaces of a comune and of the Metropolitan City (newest first), optionally of one service. */
  async spaces(slug: string, lang: PortalLang, service?: string): Promise<SpacesResponse> {
    const o = await this.owner(slug);
    if (service !== undefined && !this.registry.get(service)) throw invalidField('service', 'servizio sconosciuto');
    const metro = await this.owner(METRO_SLUG);
    const rows = await this.publicScope(o.comuneId, () =>
      this.ds.query(
        `SELECT s.*, (SELECT count(*) FROM participation_items i WHERE i.space_id = s.id AND i.visibility = 'published') AS items
           FROM participation_spaces s
          WHERE s.state IN ('published', 'closed') AND (s.comune_id IS NULL OR s.comune_id = $1)
            AND ($2::text IS NULL OR s.service = $2) AND s.service = ANY($3::text[])
          ORDER BY (s.state = 'published') DESC, s.closes_at ASC NULLS LAST, s.id DESC
          LIMIT 200`,
        [o.comuneId ?? -1, service ?? null, this.registry.list().map((m) => m.name)],
      ),
    );
    const owners = new Map<number | null, Owner>([
      [o.comuneId, o],
      [null, metro],
    ]);
    return { spaces: rows.map((r: any) => this.spaceSummary(r, lang, owners)) };
  }

  async space(slug: string, spaceSlug: string, lang: PortalLang, citizen: Citizen | null): Promise<SpaceDetail> {
    const o = await this.owner(slug);
    if (!/^[a-z0-9-]{1,80}$/.test(spaceSlug)) throw notFoundField('space', 'spazio non trovato');
    const [r] = await this.actingIn(o.comuneId, citizen, () =>
      this.ds.query(
        `SELECT s.*, (SELECT count(*) FROM participation_items i WHERE i.space_id = s.id AND i.visibility = 'published') AS items,
                (SELECT array_agg(DISTINCT i.category) FROM participation_items i
                  WHERE i.space_id = s.id AND i.visibility = 'published' AND i.category IS NOT NULL) AS used_categories,
                ${citizen ? `EXISTS (SELECT 1 FROM participation_follows f WHERE f.space_id = s.id AND f.item_id IS NULL AND f.account_id = $3)` : 'false'} AS following
           FROM participation_spaces s
          WHERE s.slug = $1 AND s.comune_id IS NOT DISTINCT FROM $2 AND s.state <> 'draft'`,
        citizen ? [spaceSlug, o.comuneId, citizen.id] : [spaceSlug, o.comuneId],
      ),
    );
    const m = r && this.registry.get(r.service);
    if (!r || !m) throw notFoundField('space', 'spazio non trovato');
    const owners = new Map<number | null, Owner>([[o.comuneId, o]]);
    const settings: Json = { ...m.defaultSettings, ...(r.settings ?? {}) };
    const configured = Array.isArray(settings.categories) ? (settings.categories as unknown[]).filter((c) => typeof c === 'string') : [];
    return {
      ...this.spaceSummary(r, lang, owners),
      body: lang === 'en' && r.body_en ? r.body_en : r.body_it,
      phases: r.phases ?? [],
      settings: publicSettings(settings),
      actions: this.actions(m, settings),
      categories: [...new Set([...configured, ...((r.used_categories as string[] | null) ?? [])])],
      following: r.following === true,
    };
  }

  private actions(m: ParticipationServiceManifest, settings: Json): SpaceAction[] {
    const residentsOnly = settings.residentsOnly === true;
    const out: SpaceAction[] = [];
    for (const [kind, spec] of Object.entries(m.itemKinds))
      if (spec.createdBy === 'citizen') out.push({ action: `create:${kind}`, label: spec.label, assurance: spec.assurance, residentsOnly });
    for (const [kind, spec] of Object.entries(m.contributionKinds))
      out.push({ action: `contribute:${kind}`, label: spec.label, assurance: this.needed(spec, kind, settings), residentsOnly });
    return out;
  }

  /** The assurance a contribution kind needs in a space: the manifest's, raised by the space's settings. */
  private needed(spec: ContributionKindSpec, kind: string, settings: Json): ActionAssurance {
    const raised = isObject(settings.assurance) ? settings.assurance[kind] : undefined;
    const ok = (v: unknown): v is ActionAssurance => v === 'email' || v === 'spid' || v === 'cie';
    return ok(raised) ? stronger(spec.assurance, raised) : spec.assurance;
  }

  // ── items ─────────────────────────────────────────────────────────────────────────────────

  private itemSummary(r: any, m: ParticipationServiceManifest | undefined, lang: PortalLang): ItemSummary {
    const spec = m?.itemKinds[r.kind];
    const stage = spec?.stages[r.stage];
    const answer =
      r.answer_status && r.answered_at
        ? {
            status: r.answer_status,
            statusLabel: spec?.answers?.[r.answer_status] ?? null,
            text: lang === 'en' && r.answer_en ? r.answer_en : (r.answer_it ?? ''),
            answeredAt: iso(r.answered_at)!,
          }
        : null;
    return {
      id: String(r.id),
      spaceId: String(r.space_id),
      service: r.service,
      kind: r.kind,
      title: r.title,
      excerpt: r.body.length > 280 ? `${r.body.slice(0, 277)}…` : r.body,
      category: r.category,
      stage: r.stage,
      stageLabel: stage?.label ?? { it: r.stage, en: r.stage },
      authorName: r.author_name,
      score: Number(r.score),
      commentCount: Number(r.comment_count),
      location: r.lat !== null && r.lat !== undefined ? { lat: Number(r.lat), lon: Number(r.lon) } : null,
      answer,
      createdAt: iso(r.created_at)!,
      data: r.data ?? {},
    };
  }

  /** Stages of the service's item kinds the public sees. */
  private publicStages(m: ParticipationServiceManifest): string[] {
    const out = new Set<string>();
    for (const spec of Object.values(m.itemKinds)) for (const [s, st] of Object.entries(spec.stages)) if (st.public) out.add(s);
    return [...out];
  }

  /**
   * A page of a space's public items, filtered and sorted: one query on the list indexes, the total
   * from the same filters (100,000 proposals: bench/participation).
   */
  async items(spaceId: string, query: Json, lang: PortalLang): Promise<ItemsResponse> {
    const id = idOf('spaceId', spaceId);
    const { comuneId } = await this.spaceOwner(id);
    const sort = (query.sort ?? 'recent') as ItemSort;
    if (!(sort in SORTS)) throw invalidField('sort', `ordinamento non valido: ${Object.keys(SORTS).join(', ')}`);
    const page = query.page === undefined ? 1 : Number(query.page);
    if (!Number.isInteger(page) || page < 1 || page > 10000) throw invalidField('page', 'numero di pagina non valido');
    const category = query.category === undefined || query.category === '' ? null : String(query.category).slice(0, 80);
    const stage = query.stage === undefined || query.stage === '' ? null : String(query.stage);
    if (stage !== null && !/^[a-z][a-z0-9_]{0,39}$/.test(stage)) throw invalidField('stage', 'fase non valida');
    const q = typeof query.q === 'string' && query.q.trim() ? query.q.trim().slice(0, 200) : null;
    return this.publicScope(comuneId, async () => {
      const [s] = await this.ds.query(`SELECT service FROM participation_spaces WHERE id = $1 AND state <> 'draft'`, [id]);
      if (!s) throw notFoundField('spaceId', 'spazio non trovato');
      const m = this.manifest(s.service);
      const params: unknown[] = [id, this.publicStages(m), category, stage, q, PAGE_SIZE, (page - 1) * PAGE_SIZE];
      const where = `i.space_id = $1 AND i.visibility = 'published' AND i.stage = ANY($2::text[])
          AND ($3::text IS NULL OR i.category = $3) AND ($4::text IS NULL OR i.stage = $4)
          AND ($5::text IS NULL OR i.search @@ websearch_to_tsquery('italian', $5))`;
      const [rows, [count]] = await Promise.all([
        this.ds.query(
          `SELECT i.id, i.space_id, i.service, i.kind, i.title, left(i.body, 300) AS body, i.category, i.stage, i.author_name, i.score,
                  i.comment_count, i.data, i.answer_status, i.answer_it, i.answer_en, i.answered_at, i.created_at,
                  ST_Y(ST_PointOnSurface(i.location)) AS lat, ST_X(ST_PointOnSurface(i.location)) AS lon
             FROM participation_items i WHERE ${where}
            ORDER BY ${SORTS[sort]} LIMIT $6 OFFSET $7`,
          params,
        ),
        this.ds.query(`SELECT count(*)::int AS n FROM participation_items i WHERE ${where}`, params.slice(0, 5)),
      ]);
      return { items: rows.map((r: any) => this.itemSummary(r, m, lang)), page, pageSize: PAGE_SIZE, total: count.n };
    });
  }

  /** Items similar to a text being written (a new proposal), by full-text rank, in one space. */
  async similar(spaceId: string, text: string, lang: PortalLang): Promise<ItemSummary[]> {
    const id = idOf('spaceId', spaceId);
    const q = cleanText('q', text, { required: true, max: 500 })!;
    const { comuneId } = await this.spaceOwner(id);
    return this.publicScope(comuneId, async () => {
      const [s] = await this.ds.query(`SELECT service FROM participation_spaces WHERE id = $1`, [id]);
      const m = this.manifest(s.service);
      // Any of the words (an OR query): what is being written is not yet a search.
      const rows = await this.ds.query(
        `WITH q AS (SELECT replace(plainto_tsquery('italian', $2)::text, '&', '|')::tsquery AS q)
         SELECT i.id, i.space_id, i.service, i.kind, i.title, left(i.body, 300) AS body, i.category, i.stage, i.author_name, i.score,
                i.comment_count, i.data, i.answer_status, i.answer_it, i.answer_en, i.answered_at, i.created_at, NULL AS lat, NULL AS lon
           FROM participation_items i, q
          WHERE i.space_id = $1 AND i.visibility = 'published' AND i.stage = ANY($3::text[]) AND i.search @@ q.q
          ORDER BY ts_rank(i.search, q.q) DESC, i.id DESC LIMIT 5`,
        [id, q, this.publicStages(m)],
      );
      return rows.map((r: any) => this.itemSummary(r, m, lang));
    });
  }

  /**
   * One item. The public sees it when it is published in a public stage; its author also while it
   * waits for approval or a check; a hidden item answers 404 (moderators see it in the console).
   */
  async item(rawId: string, lang: PortalLang, citizen: Citizen | null): Promise<ItemDetail> {
    const id = idOf('id', rawId);
    const { comuneId } = await this.itemOwner(id);
    return this.actingIn(comuneId, citizen, async () => {
      const [r] = await this.ds.query(
        `SELECT i.*, ST_Y(ST_PointOnSurface(i.location)) AS lat, ST_X(ST_PointOnSurface(i.location)) AS lon,
                ST_AsGeoJSON(i.location)::json AS geometry, s.slug AS space_slug, s.title_it AS space_title_it, s.title_en AS space_title_en,
                s.state AS space_state, s.opens_at, s.closes_at, s.settings, c.slug AS comune_slug
           FROM participation_items i JOIN participation_spaces s ON s.id = i.space_id LEFT JOIN comuni c ON c.id = i.comune_id
          WHERE i.id = $1 AND s.state <> 'draft'`,
        [id],
      );
      const m = r && this.registry.get(r.service);
      if (!r || !m) throw notFoundField('id', 'non trovato');
      const mineAsAuthor = citizen !== null && r.author_account_id !== null && String(r.author_account_id) === citizen.id;
      const stagePublic = m.itemKinds[r.kind]?.stages[r.stage]?.public === true;
      const visible = r.visibility === 'published' && stagePublic;
      if (!visible && !(mineAsAuthor && (r.visibility === 'pending' || r.visibility === 'published')))
        throw notFoundField('id', 'non trovato');
      let mine: Record<string, boolean> = {};
      let following = false;
      if (citizen) {
        const own = await this.ds.query(
          `SELECT DISTINCT kind FROM participation_contributions WHERE item_id = $1 AND parent_id IS NULL AND person_key = $2`,
          [id, personKey(citizen)],
        );
        mine = Object.fromEntries(own.map((o: any) => [o.kind, true]));
        const [f] = await this.ds.query(`SELECT 1 FROM participation_follows WHERE item_id = $1 AND account_id = $2`, [id, citizen.id]);
        following = Boolean(f);
      }
      const space: SpaceRow = {
        id: String(r.space_id),
        comuneId: r.comune_id ?? null,
        service: r.service,
        slug: r.space_slug,
        state: r.space_state,
        opensAt: r.opens_at ? new Date(r.opens_at) : null,
        closesAt: r.closes_at ? new Date(r.closes_at) : null,
        settings: r.settings ?? {},
      };
      const itemRow: ItemRow = {
        id,
        comuneId: r.comune_id ?? null,
        spaceId: String(r.space_id),
        kind: r.kind,
        stage: r.stage,
        visibility: r.visibility,
        score: Number(r.score),
        data: r.data ?? {},
        createdAt: new Date(r.created_at),
        publishedAt: r.published_at ? new Date(r.published_at) : null,
        authorAccountId: r.author_account_id ? String(r.author_account_id) : null,
      };
      const open: ItemDetail['open'] = {};
      for (const kind of Object.keys(m.contributionKinds)) {
        const reason = this.refusal(m, space, itemRow, kind);
        open[kind] = { open: reason === null, reason };
      }
      return {
        ...this.itemSummary(r, m, lang),
        body: r.body,
        geometry: r.geometry ?? null,
        visibility: r.visibility,
        space: {
          id: String(r.space_id),
          slug: r.space_slug,
          title: lang === 'en' && r.space_title_en ? r.space_title_en : r.space_title_it,
          service: r.service,
          ownerSlug: r.comune_slug ?? METRO_SLUG,
        },
        mine,
        following,
        open,
      };
    });
  }

  /** Why contributing `kind` is refused now, in Italian, or null. */
  private refusal(m: ParticipationServiceManifest, space: SpaceRow, item: ItemRow, kind: string, now = new Date()): string | null {
    const spec = m.contributionKinds[kind];
    if (!spec) return 'azione non prevista';
    const closed = spaceClosedReason(space, now);
    if (closed) return closed;
    if (item.visibility !== 'published') return 'il contenuto non è pubblicato';
    if (spec.whileStages && !spec.whileStages.includes(item.stage)) return 'non è possibile in questa fase';
    return m.hooks?.refuse?.(item, space, kind, now) ?? null;
  }

  private async blocked(m: EntityManager, comuneId: number | null, accountId: string): Promise<string | null> {
    const [b] = await m.query(
      `SELECT until FROM participation_blocks
        WHERE account_id = $1 AND comune_id IS NOT DISTINCT FROM $2 AND lifted_at IS NULL AND (until IS NULL OR until > now())
        ORDER BY until DESC NULLS FIRST LIMIT 1`,
      [accountId, comuneId],
    );
    if (!b) return null;
    return b.until
      ? `la tua partecipazione è sospesa fino al ${new Date(b.until).toLocaleDateString('it-IT', { timeZone: 'Europe/Rome' })}`
      : 'la tua partecipazione è sospesa dai moderatori';
  }

  private requireLevel(citizen: Citizen, needed: ActionAssurance): void {
    if (!citizenMeets(citizen, needed))
      throw new ForbiddenException({
        statusCode: 403,
        code: 'assurance_required',
        assurance: needed,
        message: `questa operazione richiede l'accesso con ${ASSURANCE_NAME[needed]}`,
      });
  }

  private requireResident(settings: Json, body: Json): void {
    if (settings.residentsOnly === true && body.declaredResident !== true)
      throw invalidField('declaredResident', 'riservato a chi risiede nel comune: dichiara di esserne residente');
  }

  /** A citizen's new item (a proposal, a petition): published at once, or waiting for approval. */
  async createItem(citizen: Citizen, rawSpaceId: string, body: unknown, lang: PortalLang): Promise<NewItemResponse> {
    const spaceId = idOf('spaceId', rawSpaceId);
    if (!isObject(body)) throw invalidField('body', 'richiesta non valida');
    const { comuneId } = await this.spaceOwner(spaceId);
    const id = await runInScope(TenantScope.citizenIn(citizen.id, comuneId), () =>
      this.ds.transaction(async (tx) => {
        const [s] = await tx.query(`SELECT * FROM participation_spaces WHERE id = $1`, [spaceId]);
        const m = this.manifest(s.service);
        const space: SpaceRow = {
          id: spaceId,
          comuneId,
          service: s.service,
          slug: s.slug,
          state: s.state,
          opensAt: s.opens_at ? new Date(s.opens_at) : null,
          closesAt: s.closes_at ? new Date(s.closes_at) : null,
          settings: { ...m.defaultSettings, ...(s.settings ?? {}) },
        };
        const kind =
          typeof body.kind === 'string' ? body.kind : Object.keys(m.itemKinds).find((k) => m.itemKinds[k].createdBy === 'citizen');
        const spec = kind ? m.itemKinds[kind] : undefined;
        if (!kind || !spec || spec.createdBy !== 'citizen') throw invalidField('kind', 'tipo di contenuto non previsto in questo spazio');
        this.requireLevel(citizen, spec.assurance);
        const closed = spaceClosedReason(space);
        if (closed) throw conflictField('spaceId', closed);
        const blocked = await this.blocked(tx, comuneId, citizen.id);
        if (blocked) throw new ForbiddenException({ statusCode: 403, code: 'blocked', message: blocked });
        this.requireResident(space.settings, body);
        const title = cleanText('title', body.title, { required: true, max: 200, min: 5 })!;
        const text = cleanText('body', body.body, { required: true, max: 10000, min: 10 })!;
        const categories = Array.isArray(space.settings.categories) ? (space.settings.categories as string[]) : [];
        const category = cleanText('category', body.category, { required: categories.length > 0, max: 80 });
        if (category && categories.length && !categories.includes(category)) throw invalidField('category', 'categoria non prevista');
        const point = pointOf('location', body.location);
        if (spec.location === 'required' && !point) throw invalidField('location', 'indica il luogo sulla mappa');
        if ((spec.location ?? 'none') === 'none' && point) throw invalidField('location', 'questo contenuto non ha un luogo');
        const data = m.hooks?.itemData ? m.hooks.itemData(kind, isObject(body.data) ? body.data : {}, space) : {};
        const approval = typeof space.settings.approval === 'boolean' ? space.settings.approval : m.approvalBeforePublication;
        const [row] = await tx.query(
          `INSERT INTO participation_items (comune_id, space_id, service, kind, title, body, category, location, data, author_account_id,
                                            author_name, stage, visibility, published_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($9::float8, $8::float8), 4326) END,
                   $10::jsonb, $11, $12, $13, $14, CASE WHEN $14 = 'published' THEN now() END)
           RETURNING id::text AS id`,
          [
            comuneId,
            spaceId,
            m.name,
            kind,
            title,
            text,
            category,
            point?.lat ?? null,
            point?.lon ?? null,
            JSON.stringify({ ...data, ...(body.declaredResident === true ? { declaredResident: true } : {}) }),
            citizen.id,
            publicName(citizen),
            spec.initialStage,
            approval ? 'pending' : 'published',
          ],
        );
        await this.events.record(tx, {
          comuneId,
          spaceId,
          itemId: row.id,
          type: approval ? 'item.submitted' : 'item.published',
          actor: { type: 'citizen', accountId: citizen.id },
        });
        // The author follows what they wrote.
        await tx.query(
          `INSERT INTO participation_follows (comune_id, account_id, space_id, item_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
          [comuneId, citizen.id, spaceId, row.id],
        );
        return row.id as string;
      }),
    );
    const item = await this.item(id, lang, citizen);
    return { item, visibility: item.visibility };
  }

  // ── contributions ─────────────────────────────────────────────────────────────────────────

  /**
   * A citizen's contribution (a support, a signature, an answer, a comment, a vote on a comment).
   * A once-per-person kind sent again — five times at once — is stored once: the unique index
   * answers the replays, which get the stored contribution back with `created: false`.
   */
  async contribute(citizen: Citizen, rawItemId: string, body: unknown): Promise<ContributionResponse> {
    const itemId = idOf('id', rawItemId);
    if (!isObject(body)) throw invalidField('body', 'richiesta non valida');
    const { comuneId } = await this.itemOwner(itemId);
    return runInScope(TenantScope.citizenIn(citizen.id, comuneId), () =>
      this.ds.transaction(async (tx) => {
        const loaded = await loadItem(tx, itemId);
        if (!loaded) throw notFoundField('id', 'non trovato');
        const { item, space } = loaded;
        const m = this.manifest(space.service);
        space.settings = { ...m.defaultSettings, ...space.settings };
        if (item.visibility !== 'published' || !m.itemKinds[item.kind]?.stages[item.stage]?.public)
          throw notFoundField('id', 'non trovato');
        const kind = typeof body.kind === 'string' ? body.kind : '';
        const spec = m.contributionKinds[kind];
        if (!spec) throw invalidField('kind', `azione non prevista: ${Object.keys(m.contributionKinds).join(', ')}`);
        this.requireLevel(citizen, this.needed(spec, kind, space.settings));
        const refused = this.refusal(m, space, item, kind);
        if (refused) throw conflictField('kind', refused);
        const blocked = await this.blocked(tx, comuneId, citizen.id);
        if (blocked) throw new ForbiddenException({ statusCode: 403, code: 'blocked', message: blocked });
        this.requireResident(space.settings, body);
        const text = cleanText('body', body.body, { required: spec.body.use === 'required', max: spec.body.max });
        if (spec.body.use === 'none' && text) throw invalidField('body', 'questa azione non prevede un testo');
        const point = pointOf('location', body.location);
        if (spec.location === 'required' && !point) throw invalidField('location', 'indica il luogo sulla mappa');
        if ((spec.location ?? 'none') === 'none' && point) throw invalidField('location', 'questa azione non prevede un luogo');
        let parentId: string | null = null;
        if (body.parentId !== undefined && body.parentId !== null) {
          if (!spec.parentKinds?.length) throw invalidField('parentId', 'questa azione non risponde a un altro contributo');
          parentId = idOf('parentId', body.parentId);
          const [p] = await tx.query(
            `SELECT kind, visibility FROM participation_contributions WHERE id = $1 AND item_id = $2 AND visibility = 'published'`,
            [parentId, itemId],
          );
          if (!p || !spec.parentKinds.includes(p.kind)) throw notFoundField('parentId', 'contributo non trovato');
        } else if (spec.votesParent) throw invalidField('parentId', 'indica il commento da votare');
        let data = isObject(body.data) ? body.data : {};
        if (spec.votesParent) {
          if (data.value !== 1 && data.value !== -1) throw invalidField('data.value', 'il voto è 1 o -1');
          data = { value: data.value };
        } else if (m.hooks?.contributionData) data = m.hooks.contributionData(kind, data, item, space);
        else data = {};
        if (body.declaredResident === true) data = { ...data, declaredResident: true };
        const person = spec.once ? personKey(citizen) : null;

        if (spec.perSpaceLimitSetting && person) {
          const limit = Number(space.settings[spec.perSpaceLimitSetting]);
          if (Number.isInteger(limit) && limit > 0) {
            // Serialises this person's contributions of this kind in this space, so the count holds.
            await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`participation:${space.id}:${kind}:${person}`]);
            const [{ n }] = await tx.query(
              `SELECT count(*)::int AS n FROM participation_contributions WHERE space_id = $1 AND kind = $2 AND person_key = $3 AND item_id <> $4`,
              [space.id, kind, person, itemId],
            );
            if (n >= limit) throw conflictField('kind', `hai già usato tutti i ${limit} sostegni disponibili in questo spazio`);
          }
        }
        const approval = typeof space.settings.approval === 'boolean' ? space.settings.approval : m.approvalBeforePublication;
        const visibility = spec.publicText && approval ? 'pending' : 'published';
        const conflict = spec.votesParent
          ? `ON CONFLICT (parent_id, kind, person_key) WHERE parent_id IS NOT NULL AND person_key IS NOT NULL DO NOTHING`
          : person
            ? `ON CONFLICT (item_id, kind, person_key) WHERE parent_id IS NULL AND person_key IS NOT NULL DO NOTHING`
            : '';
        const inserted = await tx.query(
          `INSERT INTO participation_contributions (comune_id, space_id, item_id, kind, account_id, person_key, parent_id, body, data, location,
                                                    visibility, source, author_name, assurance)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb,
                   CASE WHEN $10::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($11::float8, $10::float8), 4326) END, $12, 'portal', $13, $14)
           ${conflict}
           RETURNING id::text AS id`,
          [
            comuneId,
            space.id,
            itemId,
            kind,
            citizen.id,
            person,
            parentId,
            text,
            JSON.stringify(data),
            point?.lat ?? null,
            point?.lon ?? null,
            visibility,
            spec.publicText ? publicName(citizen) : null,
            citizen.assurance,
          ],
        );
        let contributionId: string;
        let created = inserted.length === 1;
        let score = item.score;
        if (created) {
          contributionId = inserted[0].id;
          if (spec.votesParent) {
            await tx.query(`UPDATE participation_contributions SET score = score + $2 WHERE id = $1`, [parentId, data.value]);
          } else if (spec.counts === 'score' && visibility === 'published') {
            [{ score }] = await changed(tx, `UPDATE participation_items SET score = score + 1 WHERE id = $1 RETURNING score`, [itemId]);
          } else if (spec.counts === 'comments' && visibility === 'published') {
            await tx.query(`UPDATE participation_items SET comment_count = comment_count + 1 WHERE id = $1`, [itemId]);
          }
          if (m.hooks?.onContribution)
            await m.hooks.onContribution({
              manager: tx,
              space,
              item: { ...item, score },
              kind,
              contributionId,
              score,
              actor: { type: 'citizen', accountId: citizen.id, operatorId: null },
            });
        } else {
          // A replay (or a changed vote): the stored one answers.
          const [existing] = await tx.query(
            spec.votesParent
              ? `SELECT id::text AS id, data FROM participation_contributions WHERE parent_id = $1 AND kind = $2 AND person_key = $3`
              : `SELECT id::text AS id, data FROM participation_contributions WHERE item_id = $1 AND kind = $2 AND person_key = $3 AND parent_id IS NULL`,
            [spec.votesParent ? parentId : itemId, kind, person],
          );
          contributionId = existing.id;
          if (spec.votesParent && existing.data?.value !== data.value) {
            await tx.query(`UPDATE participation_contributions SET data = $2::jsonb, updated_at = now() WHERE id = $1`, [
              contributionId,
              JSON.stringify(data),
            ]);
            await tx.query(`UPDATE participation_contributions SET score = score + $2 WHERE id = $1`, [
              parentId,
              Number(data.value) - Number(existing.data?.value ?? 0),
            ]);
            created = true;
          }
          const [{ score: s }] = await tx.query(`SELECT score FROM participation_items WHERE id = $1`, [itemId]);
          score = s;
        }
        const [view] = await tx.query(`${contributionSelect('$2')} WHERE c.id = $1`, [contributionId, citizen.id]);
        return { contribution: toContributionView(view), created, itemScore: Number(score) };
      }),
    );
  }

  /** Takes back one's own withdrawable contribution (a support). */
  async withdraw(citizen: Citizen, rawItemId: string, kind: string): Promise<{ withdrawn: boolean; itemScore: number }> {
    const itemId = idOf('id', rawItemId);
    const { comuneId } = await this.itemOwner(itemId);
    return runInScope(TenantScope.citizenIn(citizen.id, comuneId), () =>
      this.ds.transaction(async (tx) => {
        const loaded = await loadItem(tx, itemId);
        if (!loaded) throw notFoundField('id', 'non trovato');
        const m = this.manifest(loaded.space.service);
        const spec = m.contributionKinds[kind];
        if (!spec) throw invalidField('kind', 'azione non prevista');
        if (!spec.withdrawable) throw conflictField('kind', 'questo contributo non si può ritirare');
        const refused = this.refusal(
          m,
          { ...loaded.space, settings: { ...m.defaultSettings, ...loaded.space.settings } },
          loaded.item,
          kind,
        );
        if (refused) throw conflictField('kind', refused);
        const gone = await changed(
          tx,
          `DELETE FROM participation_contributions WHERE item_id = $1 AND kind = $2 AND person_key = $3 AND parent_id IS NULL RETURNING visibility`,
          [itemId, kind, personKey(citizen)],
        );
        let score = loaded.item.score;
        if (gone.length && spec.counts === 'score' && gone[0].visibility === 'published')
          [{ score }] = await changed(tx, `UPDATE participation_items SET score = score - 1 WHERE id = $1 RETURNING score`, [itemId]);
        return { withdrawn: gone.length > 0, itemScore: Number(score) };
      }),
    );
  }

  /**
   * The public text contributions of an item (comments), a page of the top level at a time with
   * their reply counts, the comune's official answers pinned first; `parentId`: the replies to one.
   */
  async comments(rawItemId: string, query: Json, citizen: Citizen | null): Promise<CommentsResponse> {
    const itemId = idOf('id', rawItemId);
    const page = query.page === undefined ? 1 : Number(query.page);
    if (!Number.isInteger(page) || page < 1 || page > 10000) throw invalidField('page', 'numero di pagina non valido');
    const sort = query.sort === undefined ? 'oldest' : String(query.sort);
    const orders: Record<string, string> = {
      oldest: 'c.created_at ASC, c.id ASC',
      recent: 'c.created_at DESC, c.id DESC',
      top: 'c.score DESC, c.id ASC',
    };
    if (!orders[sort]) throw invalidField('sort', 'ordinamento non valido: oldest, recent, top');
    const parentId = query.parentId === undefined ? null : idOf('parentId', query.parentId);
    const { comuneId } = await this.itemOwner(itemId);
    return this.actingIn(comuneId, citizen, async () => {
      const loaded = await loadItem(this.ds.manager, itemId);
      const m = loaded && this.registry.get(loaded.space.service);
      if (!loaded || !m || loaded.item.visibility !== 'published' || !m.itemKinds[loaded.item.kind]?.stages[loaded.item.stage]?.public)
        throw notFoundField('id', 'non trovato');
      const kinds = Object.entries(m.contributionKinds)
        .filter(([, s]) => s.publicText)
        .map(([k]) => k);
      const pageSize = 50;
      const params = [itemId, kinds, parentId];
      const where = `c.item_id = $1 AND c.kind = ANY($2::text[]) AND c.visibility = 'published' AND c.parent_id IS NOT DISTINCT FROM $3`;
      const viewer = citizen?.id ?? null;
      const [pinned, rows, [count]] = await Promise.all([
        parentId === null
          ? this.ds.query(`${contributionSelect('$4')} WHERE ${where} AND c.official ORDER BY c.created_at DESC`, [...params, viewer])
          : Promise.resolve([]),
        this.ds.query(`${contributionSelect('$4')} WHERE ${where} AND NOT c.official ORDER BY ${orders[sort]} LIMIT $5 OFFSET $6`, [
          ...params,
          viewer,
          pageSize,
          (page - 1) * pageSize,
        ]),
        this.ds.query(`SELECT count(*)::int AS n FROM participation_contributions c WHERE ${where} AND NOT c.official`, params),
      ]);
      return { pinned: pinned.map(toContributionView), comments: rows.map(toContributionView), page, pageSize, total: count.n };
    });
  }

  // ── follows ───────────────────────────────────────────────────────────────────────────────

  async follow(citizen: Citizen, body: unknown, on: boolean): Promise<{ following: boolean }> {
    if (!isObject(body)) throw invalidField('body', 'richiesta non valida');
    const itemId = body.itemId === undefined || body.itemId === null ? null : idOf('itemId', body.itemId);
    const spaceIdIn = body.spaceId === undefined || body.spaceId === null ? null : idOf('spaceId', body.spaceId);
    if (!itemId && !spaceIdIn) throw invalidField('itemId', 'indica cosa seguire: itemId o spaceId');
    const { comuneId } = itemId ? await this.itemOwner(itemId) : await this.spaceOwner(spaceIdIn!);
    return runInScope(TenantScope.citizenIn(citizen.id, comuneId), async () => {
      let spaceId = spaceIdIn;
      if (itemId) {
        const loaded = await loadItem(this.ds.manager, itemId);
        if (!loaded || loaded.item.visibility !== 'published') throw notFoundField('itemId', 'non trovato');
        spaceId = loaded.space.id;
      }
      if (on)
        await this.ds.query(
          `INSERT INTO participation_follows (comune_id, account_id, space_id, item_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
          [comuneId, citizen.id, spaceId, itemId],
        );
      else
        await this.ds.query(
          `DELETE FROM participation_follows WHERE account_id = $1 AND space_id = $2 AND item_id IS NOT DISTINCT FROM $3`,
          [citizen.id, spaceId, itemId],
        );
      return { following: on };
    });
  }
}

/** Public settings of a space: what the portal needs (limits, thresholds, how results are shown), nothing internal. */
function publicSettings(settings: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(settings)) if (!k.startsWith('internal')) out[k] = v;
  return out;
}

/** A contribution as the public sees it (`viewer`: the parameter holding the citizen's account id, or null). */
export const contributionSelect = (viewer: string) => `
  SELECT c.id::text AS id, c.kind, c.parent_id::text AS parent_id, c.author_name, c.body, c.data, c.official, c.score, c.created_at,
         ST_Y(c.location) AS lat, ST_X(c.location) AS lon,
         (SELECT count(*) FROM participation_contributions r WHERE r.parent_id = c.id AND r.visibility = 'published' AND r.body IS NOT NULL)::int AS replies,
         (c.account_id IS NOT NULL AND c.account_id::text = ${viewer}::text) AS mine,
         coalesce((SELECT (v.data->>'value')::int FROM participation_contributions v
                    WHERE v.parent_id = c.id AND v.account_id::text = ${viewer}::text AND v.data ? 'value' LIMIT 1), 0) AS my_vote
    FROM participation_contributions c`;

export function toContributionView(r: any): ContributionView {
  return {
    id: r.id,
    kind: r.kind,
    parentId: r.parent_id,
    authorName: r.author_name,
    body: r.body,
    data: r.data ?? {},
    location: r.lat !== null && r.lat !== undefined ? { lat: Number(r.lat), lon: Number(r.lon) } : null,
    official: r.official,
    score: Number(r.score),
    createdAt: new Date(r.created_at).toISOString(),
    replies: Number(r.replies ?? 0),
    mine: r.mine === true,
    myVote: Number(r.my_vote ?? 0),
  };
}
