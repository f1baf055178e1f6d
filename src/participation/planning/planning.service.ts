import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidInputException, invalidField, notFoundField, type FieldProblem } from '../../common/errors.js';
import type { Citizen } from '../../portal/identity/citizen-auth.js';
import type { PortalLang } from '../../portal/portal.api.js';
import { ParticipationEvents } from '../kernel/events.js';
import { ParticipationService } from '../kernel/participation.service.js';
import { cleanText, idOf, personKey } from '../kernel/rows.js';
import type { GeoJsonGeometry, PlanningAlternative, PlanningMap } from './planning.api.js';

type Json = Record<string, unknown>;
const isObject = (b: unknown): b is Json => typeof b === 'object' && b !== null && !Array.isArray(b);
const GEOMETRY_TYPES = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection'];
const MAX_GEOJSON = 500_000;

interface StoredAlternative {
  key: string;
  title: { it: string; en: string };
  description: { it: string; en: string };
  geometry: GeoJsonGeometry | null;
}

/**
 * The map of a planning hypothesis: what the comune draws (stored in the item's `location`, its
 * alternatives and documents in `data`) and what citizens pin on it (remarks), with the
 * preferences counted per alternative.
 */
@Injectable()
export class PlanningService {
  constructor(
    private readonly ds: DataSource,
    private readonly participation: ParticipationService,
    private readonly events: ParticipationEvents,
  ) {}

  async map(rawId: string, lang: PortalLang, citizen: Citizen | null): Promise<PlanningMap> {
    // The kernel's item read decides visibility (a hidden hypothesis answers 404).
    const item = await this.participation.item(rawId, lang, citizen);
    if (item.service !== 'planning') throw notFoundField('id', 'non trovato');
    return this.participation.withItem(rawId, citizen, async (id) => {
      const [counts, remarks, mine] = await Promise.all([
        this.ds.query(
          `SELECT data->>'alternative' AS key, count(*)::int AS n FROM participation_contributions
            WHERE item_id = $1 AND kind = 'preference' AND parent_id IS NULL AND visibility = 'published' GROUP BY 1`,
          [id],
        ),
        this.ds.query(
          `SELECT id::text AS id, ST_Y(location) AS lat, ST_X(location) AS lon, body, author_name, created_at
             FROM participation_contributions
            WHERE item_id = $1 AND kind = 'remark' AND visibility = 'published' AND location IS NOT NULL
            ORDER BY id LIMIT 1000`,
          [id],
        ),
        citizen
          ? this.ds.query(
              `SELECT data->>'alternative' AS key FROM participation_contributions
                WHERE item_id = $1 AND kind = 'preference' AND parent_id IS NULL AND person_key = $2`,
              [id, personKey(citizen)],
            )
          : Promise.resolve([]),
      ]);
      const n = new Map<string, number>(counts.map((c: any) => [c.key, c.n]));
      const stored = (Array.isArray(item.data.alternatives) ? item.data.alternatives : []) as StoredAlternative[];
      const alternatives: PlanningAlternative[] = stored.map((a) => ({ ...a, preferences: n.get(a.key) ?? 0 }));
      return {
        itemId: id,
        geometry: (item.geometry as GeoJsonGeometry | null) ?? null,
        alternatives,
        documents: Array.isArray(item.data.documents) ? (item.data.documents as PlanningMap['documents']) : [],
        remarks: remarks.map((r: any) => ({
          id: r.id,
          lat: Number(r.lat),
          lon: Number(r.lon),
          text: r.body,
          authorName: r.author_name,
          createdAt: new Date(r.created_at).toISOString(),
        })),
        myPreference: mine[0]?.key ?? null,
      };
    });
  }

  /**
   * Staff (in their principal's scope): draws the hypothesis — its geometry, alternatives and
   * documents. Another comune's item answers 404; a geometry PostGIS does not take, 400 naming it.
   */
  async setMap(rawId: string, body: unknown, operatorId: number): Promise<{ itemId: string }> {
    const id = idOf('id', rawId);
    if (!isObject(body)) throw invalidField('body', 'richiesta non valida');
    const problems: FieldProblem[] = [];
    const geometry = this.geometry('geometry', body.geometry, problems, true);
    const alternatives: StoredAlternative[] = [];
    if (body.alternatives !== undefined) {
      if (!Array.isArray(body.alternatives) || body.alternatives.length > 10)
        problems.push({ field: 'alternatives', message: 'al massimo 10 alternative' });
      else
        body.alternatives.forEach((raw: unknown, i: number) => {
          const f = `alternatives[${i}]`;
          if (!isObject(raw)) return problems.push({ field: f, message: 'alternativa non valida' });
          const key = typeof raw.key === 'string' && /^[a-z0-9-]{1,40}$/.test(raw.key) ? raw.key : null;
          if (!key) problems.push({ field: `${f}.key`, message: 'chiave di lettere minuscole, cifre e trattini' });
          else if (alternatives.some((a) => a.key === key)) problems.push({ field: `${f}.key`, message: 'chiave già usata' });
          try {
            const titleIt = cleanText(`${f}.titleIt`, raw.titleIt, { required: true, max: 200 })!;
            const titleEn = cleanText(`${f}.titleEn`, raw.titleEn, { required: false, max: 200 }) ?? titleIt;
            const descIt = cleanText(`${f}.descriptionIt`, raw.descriptionIt, { required: false, max: 3000 }) ?? '';
            const descEn = cleanText(`${f}.descriptionEn`, raw.descriptionEn, { required: false, max: 3000 }) ?? descIt;
            const g =
              raw.geometry === undefined || raw.geometry === null ? null : this.geometry(`${f}.geometry`, raw.geometry, problems, false);
            if (key) alternatives.push({ key, title: { it: titleIt, en: titleEn }, description: { it: descIt, en: descEn }, geometry: g });
          } catch (e) {
            if (e instanceof InvalidInputException) problems.push(...((e.getResponse() as { fields: FieldProblem[] }).fields ?? []));
            else throw e;
          }
        });
    }
    const documents: Array<{ title: string; url: string }> = [];
    if (body.documents !== undefined) {
      if (!Array.isArray(body.documents) || body.documents.length > 20)
        problems.push({ field: 'documents', message: 'al massimo 20 documenti' });
      else
        body.documents.forEach((d: unknown, i: number) => {
          const ok =
            isObject(d) &&
            typeof d.title === 'string' &&
            d.title.trim() &&
            typeof d.url === 'string' &&
            /^https:\/\/\S{3,1990}$/.test(d.url);
          if (!ok) problems.push({ field: `documents[${i}]`, message: 'serve un titolo e un indirizzo https://' });
          else documents.push({ title: (d.title as string).trim().slice(0, 200), url: d.url as string });
        });
    }
    if (problems.length) throw new InvalidInputException(problems, problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    // PostGIS has the last word on each geometry: valid, and in degrees (WGS 84).
    await this.validGeometry('geometry', geometry);
    for (const [i, a] of alternatives.entries()) if (a.geometry) await this.validGeometry(`alternatives[${i}].geometry`, a.geometry);
    return this.ds.transaction(async (tx) => {
      const [row] = await tx.query(
        `SELECT id, comune_id, space_id FROM participation_items WHERE id = $1 AND service = 'planning' FOR UPDATE`,
        [id],
      );
      if (!row) throw notFoundField('id', 'non trovato');
      await tx.query(
        `UPDATE participation_items
            SET location = ST_SetSRID(ST_GeomFromGeoJSON($2), 4326),
                data = data || jsonb_build_object('alternatives', $3::jsonb, 'documents', $4::jsonb), updated_at = now()
          WHERE id = $1`,
        [id, JSON.stringify(geometry), JSON.stringify(alternatives), JSON.stringify(documents)],
      );
      await this.events.record(tx, {
        comuneId: row.comune_id ?? null,
        spaceId: String(row.space_id),
        itemId: id,
        type: 'planning.map_updated',
        actor: { type: 'operator', operatorId },
        data: { alternatives: alternatives.map((a) => a.key), documents: documents.length },
      });
      return { itemId: id };
    });
  }

  private async validGeometry(field: string, g: unknown): Promise<void> {
    const [check] = await this.ds
      .query(
        `SELECT ST_IsValid(g) AS valid, ST_XMin(g) >= -180 AND ST_XMax(g) <= 180 AND ST_YMin(g) >= -90 AND ST_YMax(g) <= 90 AS in_range
           FROM (SELECT ST_GeomFromGeoJSON($1) AS g) x`,
        [JSON.stringify(g)],
      )
      .catch(() => [null]);
    if (!check?.valid || !check.in_range)
      throw invalidField(field, 'geometria GeoJSON non valida (coordinate in gradi: longitudine, latitudine)');
  }

  private geometry(field: string, raw: unknown, problems: FieldProblem[], required: boolean): GeoJsonGeometry | null {
    if (raw === undefined || raw === null) {
      if (required) problems.push({ field, message: 'campo obbligatorio: una geometria GeoJSON' });
      return null;
    }
    if (!isObject(raw) || typeof raw.type !== 'string' || !GEOMETRY_TYPES.includes(raw.type)) {
      problems.push({ field, message: `geometria GeoJSON: ${GEOMETRY_TYPES.join(', ')}` });
      return null;
    }
    if (JSON.stringify(raw).length > MAX_GEOJSON) {
      problems.push({ field, message: 'geometria troppo grande (al massimo 500 kB)' });
      return null;
    }
    return raw as unknown as GeoJsonGeometry;
  }
}
