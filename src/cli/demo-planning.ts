import type { DataSource } from 'typeorm';

/** Invented residents who took part (fiscal-code-shaped keys, not real people's). */
const PEOPLE = [
  ['Giuseppe', 'Lattanzio', 'DMOGPP71B12A662K'],
  ['Francesca', 'Daprile', 'DMOFNC84C55A662L'],
  ['Vito', 'Carbonara', 'DMOVTI66D20A662M'],
  ['Rosa', 'Amoruso', 'DMORSO92E61A662N'],
  ['Domenico', 'Ventura', 'DMODMN58H03A662P'],
] as const;

const LANE_SEA = {
  type: 'LineString',
  coordinates: [
    [16.8405, 41.132],
    [16.8462, 41.1296],
    [16.8521, 41.1277],
    [16.8579, 41.1258],
  ],
};
const LANE_INNER = {
  type: 'LineString',
  coordinates: [
    [16.8405, 41.1304],
    [16.8468, 41.1283],
    [16.8527, 41.1262],
    [16.8579, 41.1246],
  ],
};
const SQUARE = {
  type: 'Polygon',
  coordinates: [
    [
      [16.8483, 41.1283],
      [16.8506, 41.1283],
      [16.8506, 41.1295],
      [16.8483, 41.1295],
      [16.8483, 41.1283],
    ],
  ],
};

/**
 * Participatory planning in the demo: Bari's hypothesis for the San Girolamo waterfront — a
 * square and two routes for the cycle lane drawn on the map, the technical report — with the
 * preferences and a few remarks of residents. Running it again changes nothing.
 */
export async function seedDemoPlanning(ds: DataSource): Promise<boolean> {
  return ds.transaction(async (m) => {
    await m.query(`SELECT set_config('sportello.comuni', '*', true), set_config('sportello.citizen', '*', true)`);
    const [bari] = await m.query(`SELECT id FROM comuni WHERE slug = 'bari'`);
    if (!bari) return false;
    const [exists] = await m.query(`SELECT 1 FROM participation_spaces WHERE comune_id = $1 AND slug = 'waterfront-san-girolamo'`, [
      bari.id,
    ]);
    if (exists) return false;
    const [space] = await m.query(
      `INSERT INTO participation_spaces (comune_id, service, slug, title_it, title_en, summary_it, summary_en, body_it, phases, opens_at, closes_at, state)
       VALUES ($1, 'planning', 'waterfront-san-girolamo', 'Il nuovo waterfront di San Girolamo', 'The new San Girolamo waterfront',
               'Una piazza sul mare e la pista ciclabile tra Fesca e San Girolamo: dove farla passare?',
               'A square on the sea and the cycle lane between Fesca and San Girolamo: where should it run?',
               'Il Comune ha preparato un’ipotesi per il lungomare di San Girolamo. Prima del progetto definitivo chiede ai residenti di indicare l’alternativa preferita per la pista ciclabile e di segnalare sulla mappa i punti critici.',
               $2::jsonb, now() - interval '12 days', now() + interval '33 days', 'published')
       RETURNING id`,
      [
        bari.id,
        JSON.stringify([
          { key: 'ascolto', title: { it: 'Ascolto e osservazioni', en: 'Listening and remarks' }, startsAt: null, endsAt: null },
          { key: 'esito', title: { it: 'Relazione sull’esito', en: 'Report on the outcome' }, startsAt: null, endsAt: null },
        ]),
      ],
    );
    const alternatives = [
      {
        key: 'lungomare',
        title: { it: 'Ciclabile sul lungomare', en: 'Cycle lane on the seafront' },
        description: {
          it: 'Lungo il mare, separata dal marciapiede: panoramica, ma toglie 60 posti auto.',
          en: 'Along the sea, next to the pavement: scenic, but removes 60 parking spaces.',
        },
        geometry: LANE_SEA,
      },
      {
        key: 'interna',
        title: { it: 'Ciclabile su via interna', en: 'Cycle lane on an inner street' },
        description: {
          it: 'Su via Verdi, lontana dal traffico del lungomare: nessun posto auto in meno.',
          en: 'On via Verdi, away from the seafront traffic: no parking lost.',
        },
        geometry: LANE_INNER,
      },
    ];
    const [item] = await m.query(
      `INSERT INTO participation_items (comune_id, space_id, service, kind, title, body, stage, author_name, location, data, published_at, created_at)
       VALUES ($1, $2, 'planning', 'hypothesis', 'Piazza sul mare e pista ciclabile Fesca – San Girolamo',
               'L’ipotesi prevede una piazza pedonale all’altezza del molo e una pista ciclabile a doppio senso di 1,6 km. Le due alternative differiscono per il tracciato della pista.',
               'consultation', 'Comune di Bari', ST_SetSRID(ST_GeomFromGeoJSON($3), 4326), $4::jsonb, now() - interval '12 days', now() - interval '12 days')
       RETURNING id`,
      [
        bari.id,
        space.id,
        JSON.stringify({ type: 'GeometryCollection', geometries: [SQUARE, LANE_SEA, LANE_INNER] }),
        JSON.stringify({
          alternatives,
          documents: [
            { title: 'Relazione tecnica preliminare (PDF)', url: 'https://www.comune.bari.it/documents/waterfront-san-girolamo.pdf' },
          ],
        }),
      ],
    );
    const remarks: Array<[number, string, number, number] | null> = [
      [0, 'All’incrocio con via Sulmona serve un attraversamento rialzato: le auto arrivano veloci.', 41.1287, 16.8458],
      [2, 'La piazza va ombreggiata: d’estate qui non c’è un albero.', 41.129, 16.8494],
      null,
      [4, 'Attenzione all’uscita dei pescatori dal molo la mattina presto.', 41.1274, 16.8533],
      null,
    ];
    for (const [i, [given, family, cf]] of PEOPLE.entries()) {
      const [a] = await m.query(
        `INSERT INTO citizen_accounts (fiscal_code, email, given_name, family_name, assurance, level)
         VALUES ($1, $2, $3, $4, 'spid', 2) ON CONFLICT (fiscal_code) DO UPDATE SET given_name = EXCLUDED.given_name RETURNING id`,
        [cf, `${given.toLowerCase()}.${family.toLowerCase()}@example.it`, given, family],
      );
      const alternative = i < 3 ? 'lungomare' : 'interna';
      await m.query(
        `INSERT INTO participation_contributions (comune_id, space_id, item_id, kind, account_id, person_key, data, assurance, created_at)
         VALUES ($1, $2, $3, 'preference', $4, $5, $6::jsonb, 'spid', now() - make_interval(days => $7))`,
        [bari.id, space.id, item.id, a.id, `cf:${cf}`, JSON.stringify({ alternative }), 10 - i],
      );
      const r = remarks[i];
      if (r)
        await m.query(
          `INSERT INTO participation_contributions (comune_id, space_id, item_id, kind, account_id, body, location, author_name, assurance, created_at)
           VALUES ($1, $2, $3, 'remark', $4, $5, ST_SetSRID(ST_MakePoint($7, $6), 4326), $8, 'spid', now() - make_interval(days => $9))`,
          [bari.id, space.id, item.id, a.id, r[1], r[2], r[3], `${given} ${family[0]}.`, 9 - i],
        );
    }
    await m.query(
      `UPDATE participation_items SET score = (SELECT count(*) FROM participation_contributions WHERE item_id = $1 AND kind = 'preference'),
              comment_count = (SELECT count(*) FROM participation_contributions WHERE item_id = $1 AND kind = 'remark') WHERE id = $1`,
      [item.id],
    );
    return true;
  });
}
