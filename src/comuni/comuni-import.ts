import { readFile } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import { STANDARD_GROUPS } from './competence-group.entity.js';

interface ComuneFeature {
  type: 'Feature';
  properties: { name: string; com_istat_code: string; com_catasto_code?: string };
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}

/** "Gioia del Colle" → "gioia-del-colle"; "Sannicandro di Bari" → "sannicandro-di-bari". */
export function slugify(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Short ticket-reference prefixes, unique in the set: Bari is "BA"; the others take three
 * letters of their name, the first letter and then the next letters that keep it unique
 * (Bitetto BIT, Bitonto BIO, Bitritto BIR …). Deterministic: the same names give the same codes.
 */
export function referencePrefixes(names: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  if (names.includes('Bari')) {
    out.set('Bari', 'BA');
    taken.add('BA');
  }
  for (const name of [...names].sort((a, b) => a.localeCompare(b, 'it'))) {
    if (out.has(name)) continue;
    const letters = slugify(name)
      .replace(/[^a-z]/g, '')
      .toUpperCase();
    let code: string | undefined;
    outer: for (let i = 1; i < letters.length; i++) {
      for (let j = i + 1; j < letters.length; j++) {
        const c = letters[0] + letters[i] + letters[j];
        if (!taken.has(c)) {
          code = c;
          break outer;
        }
      }
    }
    if (!code) throw new Error(`no free reference prefix for ${name}`);
    taken.add(code);
    out.set(name, code);
  }
  return out;
}

/**
 * Imports (or updates) the comuni and their boundaries from the ISTAT GeoJSON, and gives every
 * comune the standard competence groups. Safe to run again.
 */
export async function importComuni(ds: DataSource, geojsonPath: string): Promise<number> {
  const collection = JSON.parse(await readFile(geojsonPath, 'utf8')) as { features: ComuneFeature[] };
  if (!Array.isArray(collection.features) || collection.features.length === 0) throw new Error(`${geojsonPath} has no features`);
  const prefixes = referencePrefixes(collection.features.map((f) => f.properties.name));
  await ds.transaction(async (m) => {
    for (const f of collection.features) {
      const p = f.properties;
      await m.query(
        `INSERT INTO comuni (istat_code, catasto_code, name, slug, reference_prefix, boundary)
         VALUES ($1, $2, $3, $4, $5, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($6), 4326)))
         ON CONFLICT (istat_code) DO UPDATE SET name = EXCLUDED.name, catasto_code = EXCLUDED.catasto_code, boundary = EXCLUDED.boundary`,
        [p.com_istat_code, p.com_catasto_code ?? null, p.name, slugify(p.name), prefixes.get(p.name), JSON.stringify(f.geometry)],
      );
    }
    for (const g of STANDARD_GROUPS) {
      await m.query(
        `INSERT INTO competence_groups (comune_id, code, name, name_en, is_default)
         SELECT id, $1, $2, $3, $4 FROM comuni ON CONFLICT (comune_id, code) DO NOTHING`,
        [g.code, g.name, g.nameEn, g.isDefault ?? false],
      );
    }
  });
  return collection.features.length;
}
