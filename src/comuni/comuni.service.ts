import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Comune } from './comune.entity.js';
import { CompetenceGroup } from './competence-group.entity.js';

/** Lookups of comuni and their groups. Comuni and groups change rarely: kept in a short cache. */
@Injectable()
export class ComuniService {
  private bySlugCache = new Map<string, { comune: Comune | null; at: number }>();
  private static readonly TTL_MS = 30_000;

  constructor(private readonly ds: DataSource) {}

  async list(): Promise<Comune[]> {
    return this.ds.getRepository(Comune).find({ order: { name: 'ASC' } });
  }

  async findBySlug(slug: string): Promise<Comune | null> {
    const hit = this.bySlugCache.get(slug);
    if (hit && Date.now() - hit.at < ComuniService.TTL_MS) return hit.comune;
    const comune = await this.ds.getRepository(Comune).findOne({ where: { slug } });
    this.bySlugCache.set(slug, { comune, at: Date.now() });
    return comune;
  }

  async getBySlug(slug: string): Promise<Comune> {
    const c = await this.findBySlug(slug);
    if (!c) throw new NotFoundException(`unknown comune "${slug}"`);
    return c;
  }

  async getById(id: number): Promise<Comune> {
    const c = await this.ds.getRepository(Comune).findOne({ where: { id } });
    if (!c) throw new NotFoundException(`unknown comune ${id}`);
    return c;
  }

  /** The comune whose boundary contains the point, or null outside the Metropolitan City. */
  async locate(lat: number, lng: number): Promise<number | null> {
    const rows: Array<{ id: number }> = await this.ds.query(
      `SELECT id FROM comuni WHERE boundary IS NOT NULL
         AND ST_Contains(boundary, ST_SetSRID(ST_MakePoint($1, $2), 4326)) LIMIT 1`,
      [lng, lat],
    );
    return rows[0]?.id ?? null;
  }

  async groups(comuneId: number): Promise<CompetenceGroup[]> {
    return this.ds.getRepository(CompetenceGroup).find({ where: { comuneId }, order: { id: 'ASC' } });
  }
}
