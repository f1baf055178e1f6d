import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { appendEvents } from '../../cases/event-log.js';
import { OPEN_STATUS_SQL, isOpenStatus } from '../../cases/phases.js';
import { contactRoute } from '../../channels/notifications/contact-route.js';
import { PortalIntake } from '../../channels/portal/portal-intake.js';
import { PORTAL_CHANNEL, portalAddress, submissionExternalId } from '../../channels/portal/portal-normalize.js';
import { ComuniService } from '../../comuni/comuni.service.js';
import type { Comune } from '../../comuni/comune.entity.js';
import { insertMessage } from '../../conversations/messages.js';
import { appendOutbox, OutboxRelay } from '../../outbox/outbox.js';
import { AttachmentStorage } from '../../storage/storage.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { asSystem as asSystemScope, inComune, runInScope } from '../../tenancy/db-scope.js';
import type {
  CaseCredentials,
  CaseView,
  MapResponse,
  NearbyResponse,
  PortalCategoriesResponse,
  PublicMessage,
  PublicReport,
  ReplyResponse,
  ReportListResponse,
  StateFilter,
  SubmissionResponse,
} from './reports.api.js';
import { portalCategories } from './categories.js';
import { LinkSigner, parseBbox, publicState, stateCondition } from './public-reports.js';
import { checkEmail, checkFiles, checkSubmission, fieldError, type UploadedFile } from './submission.js';

export const REFERENCE = /^[A-Z]{2,4}-\d{4}-\d{6,}$/;
const NOT_FOUND_CASE = 'pratica non trovata: controllare il codice e l’indirizzo e-mail (o la chiave di accesso)';
const MAP_LIMIT = 500;

/** A portal case found by its credentials. */
export interface FoundCase {
  id: string;
  comuneId: number;
  comune: string;
  reference: string;
  type: string;
  status: string;
  email: string;
}

/**
 * The public side of reports and requests: the forms' categories, the submission (through the
 * portal channel's one ingest), nearby duplicates, the public map and list, and the case page a
 * citizen opens with the reference and their e-mail address (or the access key). Every read runs
 * in the scope of the one comune the slug or the reference names, and selects only public columns.
 */
@Injectable()
export class PortalReportsService {
  readonly signer: LinkSigner;

  constructor(
    private readonly ds: DataSource,
    private readonly comuni: ComuniService,
    private readonly intake: PortalIntake,
    private readonly relay: OutboxRelay,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.signer = new LinkSigner(config.jwtSecret);
  }

  async comune(slug: string): Promise<Comune> {
    const c = /^[a-z0-9-]{1,80}$/.test(slug) ? await this.comuni.findBySlug(slug) : null;
    if (!c) throw fieldError(404, 'slug', `comune «${slug}» sconosciuto`);
    return c;
  }

  /** The comune a reference names (its prefix), or null. */
  async comuneOfReference(reference: string): Promise<{ id: number; name: string; slug: string } | null> {
    if (!REFERENCE.test(reference)) return null;
    const [c] = await this.ds.query(`SELECT id, name, slug FROM comuni WHERE reference_prefix = $1`, [reference.split('-')[0]]);
    return c ?? null;
  }

  async categories(slug: string): Promise<PortalCategoriesResponse> {
    const c = await this.comune(slug);
    const [rules] = await this.ds.query(`SELECT routing_rules FROM comuni WHERE id = $1`, [c.id]);
    const radii = await inComune(c.id, () => this.radii(c.id));
    return { comune: { slug: c.slug, name: c.name }, ...portalCategories(rules?.routing_rules ?? null, radii) };
  }

  private async radii(comuneId: number): Promise<Map<string, number>> {
    const rows: Array<{ category: string; duplicate_radius_m: number }> = await this.ds.query(
      `SELECT category, duplicate_radius_m FROM report_category_settings WHERE comune_id = $1`,
      [comuneId],
    );
    return new Map(rows.map((r) => [r.category, r.duplicate_radius_m]));
  }

  async submit(
    slug: string,
    kind: 'report' | 'request',
    body: Record<string, unknown>,
    files: UploadedFile[],
    citizenAccountId: string | null = null,
  ): Promise<SubmissionResponse & { created: boolean }> {
    const cats = await this.categories(slug);
    const comune = await this.comune(slug);
    const offered = (kind === 'report' ? cats.reportCategories : cats.requestTopics).map((c) => c.code);
    const s = checkSubmission(body ?? {}, kind, offered);
    const checked = checkFiles(files, { photoBytes: this.config.maxAttachmentBytes, documentBytes: this.config.maxAttachmentBytes });
    if (s.location) {
      const found = await this.comuni.locate(s.location.lat, s.location.lng);
      if (found !== comune.id) throw fieldError(422, 'location', `il punto indicato non è nel territorio del Comune di ${comune.name}`);
    }
    const attachments = [];
    for (const f of checked) {
      attachments.push({
        storageKey: await this.storage.put(f.bytes),
        filename: f.filename,
        contentType: f.contentType,
        sizeBytes: f.bytes.length,
      });
    }
    const result = await this.intake.submit({ ...s, comuneId: comune.id, kind, attachments });
    if (result.duplicate && !(await this.sameSender(result.comuneId, result.ticketId, s.email)))
      throw fieldError(409, 'submissionId', 'è già stato usato per un’altra segnalazione: ricaricare il modulo e inviare di nuovo');
    const [t] = await inComune(result.comuneId, () => this.ds.query(`SELECT type FROM tickets WHERE id = $1`, [result.ticketId]));
    if (result.ticketCreated) {
      const label = [...cats.reportCategories, ...cats.requestTopics].find((c) => c.code === s.category)?.label.it ?? s.category;
      await inComune(result.comuneId, () =>
        this.sendSummary(result.ticketId, result.comuneId, comune.name, result.ticketReference, s.email, {
          kind,
          category: label,
          place: s.address ?? (s.location ? `${s.location.lat.toFixed(5)}, ${s.location.lng.toFixed(5)}` : null),
          description: s.description,
          updates: s.updatesConsent,
          files: checked.length,
        }),
      );
    }
    // Logged in: the submission's portal identity becomes one of the account's links ("Le mie
    // richieste"), when the form's address is the account's own e-mail and no other account holds it.
    if (citizenAccountId)
      await runInScope(TenantScope.citizen(citizenAccountId), () =>
        this.ds.query(`SELECT portal_link_submission($1, $2)`, [result.ticketReference, portalAddress(s.email)]),
      );
    return {
      reference: result.ticketReference,
      accessKey: this.signer.accessKey(result.ticketReference, submissionExternalId(s.submissionId)),
      type: t.type,
      duplicate: result.duplicate,
      created: !result.duplicate,
    };
  }

  /** Whether the case a repeated submission id names was sent with this e-mail address (else its key is not handed out). */
  private async sameSender(comuneId: number, ticketId: string, email: string): Promise<boolean> {
    const rows = await inComune(comuneId, () =>
      this.ds.query(`SELECT 1 FROM citizen_consents WHERE ticket_id = $1 AND purpose = 'privacy' AND lower(contact) = $2`, [
        ticketId,
        email,
      ]),
    );
    return rows.length > 0;
  }

  /** The e-mail summary of a new case, to the address the citizen left, on the comune's e-mail channel. */
  private async sendSummary(
    ticketId: string,
    comuneId: number,
    comune: string,
    reference: string,
    email: string,
    d: { kind: string; category: string | null; place: string | null; description: string; updates: boolean; files: number },
  ): Promise<void> {
    const what = d.kind === 'report' ? 'segnalazione' : 'richiesta di assistenza';
    const lines = [
      `Gentile cittadina, gentile cittadino,`,
      `il Comune di ${comune} ha ricevuto la sua ${what}.`,
      ``,
      `Codice della pratica: ${reference}`,
      ...(d.category ? [`Categoria: ${d.category}`] : []),
      ...(d.place ? [`Luogo: ${d.place}`] : []),
      ...(d.files ? [`Allegati: ${d.files}`] : []),
      `Descrizione: ${d.description.length > 500 ? `${d.description.slice(0, 497)}…` : d.description}`,
      ``,
      `Può seguire la pratica sul portale del Comune con il codice e questo indirizzo e-mail.`,
      d.updates
        ? `Le scriveremo a questo indirizzo quando sarà presa in carico e quando sarà risolta.`
        : `Non riceverà altri messaggi a questo indirizzo, come ha scelto.`,
    ];
    const messageId = await this.ds.transaction(async (m) => {
      const route = await contactRoute(m, comuneId, { kind: 'email', value: email });
      const unavailable = 'unavailable' in route ? route.unavailable : null;
      const msg = await insertMessage(m, {
        ticketId,
        comuneId,
        direction: 'outbound',
        authorType: 'system',
        text: lines.join('\n'),
        channel: route.channel,
        deliveryStatus: unavailable ? 'failed' : 'queued',
        deliveryError: unavailable,
        recipientAddress: 'address' in route ? route.address : null,
      });
      const data = { kind: 'portal_summary', messageId: String(msg.id), channel: route.channel, via: 'contact' };
      await appendEvents(m, [
        {
          ticketId,
          comuneId,
          type: unavailable ? 'citizen.not_notified' : 'citizen.notified',
          actorType: 'system',
          data: unavailable ? { ...data, reason: unavailable } : data,
        },
      ]);
      if (!unavailable) await appendOutbox(m, 'message.deliver', { messageId: String(msg.id), comuneId, channel: route.channel });
      return unavailable ? null : msg.id;
    });
    if (messageId) this.relay.kick();
  }

  async nearby(slug: string, q: { lat?: string; lon?: string; category?: string }): Promise<NearbyResponse> {
    const c = await this.comune(slug);
    const lat = Number(q.lat);
    const lon = Number(q.lon);
    if (!q.lat || !Number.isFinite(lat) || lat < -90 || lat > 90) throw fieldError(400, 'lat', 'deve essere una latitudine tra -90 e 90');
    if (!q.lon || !Number.isFinite(lon) || lon < -180 || lon > 180)
      throw fieldError(400, 'lon', 'deve essere una longitudine tra -180 e 180');
    const cats = await this.categories(slug);
    const cat = cats.reportCategories.find((x) => x.code === q.category);
    if (!cat) throw fieldError(400, 'category', `deve essere una di: ${cats.reportCategories.map((x) => x.code).join(', ')}`);
    if (cat.duplicateRadiusM === 0) return { radiusM: 0, reports: [] };
    const rows = await inComune(c.id, () =>
      this.ds.query(
        `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($3, $2), 4326)::geography AS g)
         SELECT t.reference, t.category, t.status, t.created_at, t.payload->>'address' AS address,
                ST_Y(t.location::geometry) AS lat, ST_X(t.location::geometry) AS lon, ST_Distance(t.location, p.g) AS distance
           FROM tickets t, p
          WHERE t.comune_id = $1 AND t.type = 'report' AND t.category = $4 AND t.location IS NOT NULL
            AND t.status IN ${OPEN_STATUS_SQL} AND ST_DWithin(t.location, p.g, $5)
          ORDER BY t.location <-> p.g LIMIT 5`,
        [c.id, lat, lon, cat.code, cat.duplicateRadiusM],
      ),
    );
    return {
      radiusM: cat.duplicateRadiusM,
      reports: rows.map((r: any) => ({
        reference: r.reference,
        category: r.category,
        state: publicState(r.status),
        createdAt: new Date(r.created_at).toISOString(),
        address: r.address ?? null,
        lat: Number(r.lat),
        lon: Number(r.lon),
        distanceM: Math.round(Number(r.distance)),
      })),
    };
  }

  private filters(q: { bbox?: string; category?: string; state?: string; since?: string }, params: unknown[]): string {
    const where = [`t.comune_id = $1`, `t.type = 'report'`, `t.location IS NOT NULL`];
    const state = (q.state ?? 'open') as StateFilter;
    if (!['open', 'received', 'in_progress', 'resolved', 'all'].includes(state))
      throw fieldError(400, 'state', 'deve essere open, received, in_progress, resolved o all');
    where.push(stateCondition(state));
    if (q.category) {
      if (!/^[a-z0-9-]{1,100}$/.test(q.category)) throw fieldError(400, 'category', 'non è una categoria');
      params.push(q.category);
      where.push(`t.category = $${params.length}`);
    }
    if (q.since) {
      const d = /^\d{4}-\d{2}-\d{2}$/.test(q.since) ? new Date(`${q.since}T00:00:00Z`) : null;
      if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== q.since)
        throw fieldError(400, 'since', 'deve essere una data AAAA-MM-GG');
      params.push(q.since);
      where.push(`t.created_at >= $${params.length}::date`);
    }
    if (q.bbox !== undefined) {
      const b = parseBbox(q.bbox);
      if (!b) throw fieldError(400, 'bbox', 'deve essere minLon,minLat,maxLon,maxLat (al massimo 2 gradi per lato)');
      params.push(...b);
      const n = params.length;
      where.push(`t.location && ST_MakeEnvelope($${n - 3}, $${n - 2}, $${n - 1}, $${n}, 4326)::geography`);
    }
    return where.join(' AND ');
  }

  private static readonly PUBLIC_COLUMNS = `t.id, t.reference, t.category, t.status, t.created_at, t.updated_at, t.resolved_at, t.payload->>'address' AS address,
    ST_Y(t.location::geometry) AS lat, ST_X(t.location::geometry) AS lon,
    ARRAY(SELECT a.id::text FROM messages m JOIN attachments a ON a.message_id = m.id
           WHERE m.ticket_id = t.id AND a.public ORDER BY a.id) AS photos`;

  private toPublic(r: any): PublicReport {
    return {
      reference: r.reference,
      category: r.category,
      state: publicState(r.status),
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
      resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
      address: r.address ?? null,
      lat: Number(r.lat),
      lon: Number(r.lon),
      photos: (r.photos as string[]).map((id) => ({ url: this.signer.publicPhotoUrl(id) })),
    };
  }

  async map(slug: string, q: { bbox?: string; category?: string; state?: string; since?: string }): Promise<MapResponse> {
    const c = await this.comune(slug);
    const params: unknown[] = [c.id];
    const where = this.filters(q, params);
    const rows = await inComune(c.id, () =>
      this.ds.query(
        `SELECT ${PortalReportsService.PUBLIC_COLUMNS} FROM tickets t WHERE ${where} ORDER BY t.created_at DESC LIMIT ${MAP_LIMIT + 1}`,
        params,
      ),
    );
    return { reports: rows.slice(0, MAP_LIMIT).map((r: any) => this.toPublic(r)), truncated: rows.length > MAP_LIMIT };
  }

  async list(
    slug: string,
    q: { bbox?: string; category?: string; state?: string; since?: string; page?: string; pageSize?: string },
  ): Promise<ReportListResponse> {
    const c = await this.comune(slug);
    const page = q.page === undefined ? 1 : Number(q.page);
    const pageSize = q.pageSize === undefined ? 20 : Number(q.pageSize);
    if (!Number.isInteger(page) || page < 1 || page > 500) throw fieldError(400, 'page', 'deve essere un numero da 1 a 500');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
      throw fieldError(400, 'pageSize', 'deve essere un numero da 1 a 100');
    const params: unknown[] = [c.id];
    const where = this.filters(q, params);
    const rows = await inComune(c.id, () =>
      this.ds.query(
        `SELECT ${PortalReportsService.PUBLIC_COLUMNS} FROM tickets t WHERE ${where}
          ORDER BY t.created_at DESC, t.id DESC LIMIT ${pageSize + 1} OFFSET ${(page - 1) * pageSize}`,
        params,
      ),
    );
    return { reports: rows.slice(0, pageSize).map((r: any) => this.toPublic(r)), page, pageSize, hasMore: rows.length > pageSize };
  }

  /**
   * The portal case the credentials open, or null: the reference with the e-mail address the
   * citizen gave (their privacy consent on the case), or with the case's access key.
   */
  async findCase(creds: CaseCredentials): Promise<FoundCase | null> {
    const reference = typeof creds.reference === 'string' ? creds.reference.trim().toUpperCase() : '';
    const comune = await this.comuneOfReference(reference);
    if (!comune) return null;
    let email: string | null = null;
    if (creds.email !== undefined && creds.email !== null && creds.email !== '') {
      try {
        email = checkEmail(creds.email);
      } catch {
        return null;
      }
    }
    const key = typeof creds.accessKey === 'string' && /^[A-Za-z0-9_-]{10,64}$/.test(creds.accessKey) ? creds.accessKey : null;
    if (!email && !key) return null;
    return inComune(comune.id, async () => {
      const [t] = await this.ds.query(
        `SELECT t.id, t.reference, t.type, t.status, t.comune_id,
                (SELECT c.contact FROM citizen_consents c WHERE c.ticket_id = t.id AND c.purpose = 'privacy' AND c.source = $2
                  ORDER BY c.id LIMIT 1) AS email,
                (SELECT m.external_id FROM messages m WHERE m.ticket_id = t.id AND m.channel = $2 AND m.direction = 'inbound'
                  ORDER BY m.id LIMIT 1) AS submission
           FROM tickets t WHERE t.reference = $1 AND t.comune_id = $3 AND t.channel = $2`,
        [reference, PORTAL_CHANNEL, comune.id],
      );
      if (!t?.email) return null;
      const contact = String(t.email).toLowerCase();
      const ok = key ? Boolean(t.submission) && this.signer.validAccessKey(key, t.reference, t.submission) : email === contact;
      if (!ok || (key && email && email !== contact)) return null;
      return {
        id: String(t.id),
        comuneId: t.comune_id,
        comune: comune.name,
        reference: t.reference,
        type: t.type,
        status: t.status,
        email: contact,
      };
    });
  }

  notFound(): Error {
    return fieldError(404, 'reference', NOT_FOUND_CASE);
  }

  /** The case as its citizen sees it: no internal note, no notice sent to a follower. */
  async view(c: FoundCase): Promise<CaseView> {
    return inComune(c.comuneId, async () => {
      const [t] = await this.ds.query(
        `SELECT t.reference, t.type, t.category, t.status, t.created_at, t.resolved_at, t.payload->>'address' AS address,
                t.payload->>'mergedInto' AS merged_into,
                (SELECT min(e.created_at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'ticket.assigned') AS taken_at,
                s.rating, s.comment, s.answered_at
           FROM tickets t LEFT JOIN csat_surveys s ON s.ticket_id = t.id WHERE t.id = $1`,
        [c.id],
      );
      const messages = await this.ds.query(
        `SELECT m.id, m.author_type, m.text, m.created_at,
                COALESCE((SELECT json_agg(json_build_object('id', a.id::text, 'filename', a.filename, 'contentType', a.content_type) ORDER BY a.id)
                            FROM attachments a WHERE a.message_id = m.id), '[]') AS attachments
           FROM messages m
          WHERE m.ticket_id = $1 AND NOT m.internal
            AND NOT EXISTS (SELECT 1 FROM report_follower_notices n WHERE n.message_id = m.id)
            -- The e-mails announcing an operator's reply repeat it: the page shows the reply itself.
            AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = m.ticket_id AND e.type = 'citizen.notified'
                              AND e.data->>'kind' = 'portal_reply' AND e.data->>'messageId' = m.id::text)
          ORDER BY m.id`,
        [c.id],
      );
      const answered = t.answered_at !== null && t.rating !== null;
      return {
        reference: t.reference,
        type: t.type,
        category: t.category,
        state: publicState(t.status),
        createdAt: new Date(t.created_at).toISOString(),
        takenInChargeAt: t.taken_at ? new Date(t.taken_at).toISOString() : null,
        resolvedAt: t.resolved_at ? new Date(t.resolved_at).toISOString() : null,
        address: t.address ?? null,
        mergedInto: t.merged_into ?? null,
        messages: this.publicMessages(
          messages.map((m: any) => ({ id: m.id, from: m.author_type, text: m.text, at: m.created_at, attachments: m.attachments })),
        ),
        canRate: t.status === 'resolved' && !answered,
        rating: answered ? { rating: t.rating, comment: t.comment } : null,
      };
    });
  }

  /** A conversation as its citizen sees it, with signed links to its attachments (the case page, "Le mie richieste"). */
  publicMessages(
    rows: Array<{
      id: string | number;
      from: PublicMessage['from'];
      text: string | null;
      at: string | Date;
      attachments: Array<{ id: string; filename: string; contentType: string }>;
    }>,
  ): PublicMessage[] {
    return rows.map((m) => ({
      id: String(m.id),
      from: m.from,
      text: m.text,
      at: new Date(m.at).toISOString(),
      attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, url: this.signer.attachmentUrl(a.id) })),
    }));
  }

  /**
   * The citizen's reply from the case page: a message on the portal channel joining that case, from
   * the case's portal address (or, from "Le mie richieste", the sender the caller names).
   */
  async reply(
    c: FoundCase,
    body: { text?: unknown; clientMessageId?: unknown },
    address: string = portalAddress(c.email),
  ): Promise<ReplyResponse> {
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    if (!text) throw fieldError(400, 'text', 'è obbligatorio: scrivere il messaggio');
    if (text.length > 4000) throw fieldError(400, 'text', 'può avere al massimo 4000 caratteri');
    const clientMessageId = body.clientMessageId === undefined ? null : body.clientMessageId;
    if (clientMessageId !== null && (typeof clientMessageId !== 'string' || !/^[A-Za-z0-9_-]{8,100}$/.test(clientMessageId)))
      throw fieldError(400, 'clientMessageId', 'deve avere da 8 a 100 caratteri tra lettere, cifre, - e _');
    if (!isOpenStatus(c.status))
      throw fieldError(409, 'text', 'la pratica è conclusa: per un nuovo problema inviare una nuova segnalazione o richiesta');
    const r = await this.intake.reply({
      comuneId: c.comuneId,
      reference: c.reference,
      address,
      text,
      clientMessageId,
    });
    if (r.ticketId !== c.id) throw new Error(`portal reply to ${c.reference} went to ticket ${r.ticketId}`);
    return { messageId: r.messageId, duplicate: r.duplicate };
  }

  /**
   * The rating (1–5 and a comment), once. `subject: 'case'` (the default), on a resolved case: how the
   * office handled it, kept with the satisfaction surveys. `subject: 'service'`, right after sending:
   * how the online form worked, kept apart (portal_service_ratings).
   */
  async rate(c: FoundCase, body: { rating?: unknown; comment?: unknown; subject?: unknown }): Promise<void> {
    const rating = typeof body.rating === 'string' ? Number(body.rating) : body.rating;
    if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5)
      throw fieldError(400, 'rating', 'deve essere un numero intero da 1 a 5');
    const comment = body.comment === undefined || body.comment === null || body.comment === '' ? null : body.comment;
    if (comment !== null && (typeof comment !== 'string' || comment.length > 1000))
      throw fieldError(400, 'comment', 'può avere al massimo 1000 caratteri');
    const subject = body.subject === undefined || body.subject === null ? 'case' : body.subject;
    if (subject !== 'case' && subject !== 'service') throw fieldError(400, 'subject', 'deve essere «case» o «service»');
    if (subject === 'service') return this.rateService(c, rating, comment);
    await inComune(c.comuneId, () =>
      this.ds.transaction(async (m: EntityManager) => {
        const [t] = await m.query(`SELECT id, status, comune_id, group_id, assignee_id FROM tickets WHERE id = $1 FOR UPDATE`, [c.id]);
        if (t.status !== 'resolved') throw fieldError(409, 'rating', 'si può valutare il servizio solo quando la pratica è risolta');
        const done = await m.query(
          `INSERT INTO csat_surveys (ticket_id, comune_id, group_id, operator_id, answered_at, rating, comment)
           VALUES ($1, $2, $3, $4, now(), $5, $6)
           ON CONFLICT (ticket_id) DO UPDATE SET answered_at = now(), rating = EXCLUDED.rating, comment = EXCLUDED.comment
            WHERE csat_surveys.answered_at IS NULL
           RETURNING ticket_id`,
          [t.id, t.comune_id, t.group_id, t.assignee_id, rating, comment],
        );
        if (!done.length) throw fieldError(409, 'rating', 'il servizio per questa pratica è già stato valutato');
        await appendEvents(m, [
          {
            ticketId: String(t.id),
            comuneId: t.comune_id,
            type: 'csat.received',
            actorType: 'citizen',
            data: { rating, channel: PORTAL_CHANNEL },
          },
        ]);
      }),
    );
  }

  private async rateService(c: FoundCase, rating: number, comment: string | null): Promise<void> {
    await inComune(c.comuneId, async () => {
      const done = await this.ds.query(
        `INSERT INTO portal_service_ratings (ticket_id, comune_id, form, rating, comment)
         SELECT t.id, t.comune_id, t.type, $2, $3 FROM tickets t WHERE t.id = $1 AND t.type IN ('report', 'request')
         ON CONFLICT (ticket_id) DO NOTHING
         RETURNING ticket_id`,
        [c.id, rating, comment],
      );
      if (!done.length) throw fieldError(409, 'rating', 'il servizio online per questa pratica è già stato valutato');
    });
  }

  /**
   * An attachment's bytes: a photo an operator marked public (the map), or any attachment of a
   * case with a valid signed link (the case page). Anything else does not exist.
   */
  async attachment(
    id: string,
    exp: string | undefined,
    sig: string | undefined,
  ): Promise<{ bytes: Buffer; filename: string; contentType: string }> {
    if (!/^\d{1,18}$/.test(id)) throw fieldError(404, 'id', 'allegato non trovato');
    const signed = this.signer.validAttachment(id, exp, sig);
    // The attachment's comune is not known from its id: a named system scope finds it, and only
    // what the link or the public flag allows is answered.
    const [a] = await this.asPortalReader(() =>
      this.ds.query(
        `SELECT a.storage_key, a.filename, a.content_type, a.public FROM attachments a WHERE a.id = $1 AND a.removed_at IS NULL`,
        [id],
      ),
    );
    if (!a || !(signed || a.public)) throw fieldError(404, 'id', 'allegato non trovato');
    return { bytes: await this.storage.get(a.storage_key), filename: a.filename, contentType: a.content_type };
  }

  private asPortalReader<T>(fn: () => Promise<T>): Promise<T> {
    return asSystemScope('portal-attachments', fn);
  }
}
