import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { TEST_CITIZENS } from '../portal/dev-idp/test-citizens.js';

/** One demo report: where (checked inside its comune's boundary), what, by whom, and how it stands. */
interface DemoReport {
  key: string;
  comune: string;
  category: string;
  lat: number;
  lng: number;
  address: string;
  text: string;
  name: string;
  email: string;
  /** Resolved this many days after it was sent; open when absent. */
  resolvedAfterDays?: number;
  daysAgo: number;
  followers?: string[];
}

/**
 * The demo's citizen with a portal account: Maria Rossi, the SPID citizen of the development
 * identity provider (src/portal/dev-idp/test-citizens.ts). Two demo reports are hers, and her
 * account is linked to their portal identity, so «Le mie richieste» shows them when she logs in; her
 * WhatsApp number is linked too, she chose WhatsApp for updates, and withdrew her consent to Modugno's updates.
 */
export const DEMO_CITIZEN = {
  givenName: 'Maria',
  familyName: 'Rossi',
  email: 'maria.rossi@example.it',
  /** Her WhatsApp number (wa_id), linked to her account. */
  whatsapp: '393471234567',
};

export const DEMO_REPORTS: DemoReport[] = [
  {
    key: 'bari-1',
    comune: 'bari',
    category: 'strade',
    lat: 41.1228,
    lng: 16.8697,
    address: 'Via Sparano da Bari 102, Bari',
    text: 'Buca profonda sul marciapiede di Via Sparano davanti al civico 102: una signora è quasi caduta.',
    name: 'Maria Lorusso',
    email: 'maria.lorusso@esempio.it',
    daysAgo: 2,
    followers: ['vito.demarco@esempio.it', 'anna.cassano@esempio.it'],
  },
  {
    key: 'bari-2',
    comune: 'bari',
    category: 'illuminazione',
    lat: 41.1214,
    lng: 16.872,
    address: 'Corso Cavour 45, Bari',
    text: 'Lampione spento in Corso Cavour all’altezza del civico 45 da una settimana, la sera il tratto è buio.',
    // Maria Rossi: the development identity provider's SPID citizen, whose personal area shows this case.
    name: 'Maria Rossi',
    email: DEMO_CITIZEN.email,
    daysAgo: 5,
  },
  {
    key: 'bari-3',
    comune: 'bari',
    category: 'rifiuti',
    lat: 41.1147,
    lng: 16.8733,
    address: 'Via Capruzzi 210, Bari',
    text: 'Cassonetti della differenziata pieni e sacchetti a terra in Via Capruzzi, vicino alla stazione.',
    name: 'Giuseppe Rizzi',
    email: 'giuseppe.rizzi@esempio.it',
    daysAgo: 9,
    resolvedAfterDays: 2,
  },
  {
    key: 'bari-4',
    comune: 'bari',
    category: 'verde',
    lat: 41.104,
    lng: 16.86,
    address: 'Viale Luigi Einaudi, Poggiofranco, Bari',
    text: 'Un ramo grosso di un pino è spezzato e pende sulla pista ciclabile di Viale Einaudi.',
    name: 'Francesca Amoruso',
    email: 'francesca.amoruso@esempio.it',
    daysAgo: 1,
    followers: ['paolo.strippoli@esempio.it'],
  },
  {
    key: 'bari-5',
    comune: 'bari',
    category: 'segnaletica',
    lat: 41.1195,
    lng: 16.882,
    address: 'Lungomare Nazario Sauro, Bari',
    text: 'Semaforo pedonale del Lungomare Nazario Sauro lampeggiante giallo da ieri sera.',
    name: 'Antonio Colella',
    email: 'antonio.colella@esempio.it',
    daysAgo: 14,
    resolvedAfterDays: 1,
  },
  {
    key: 'bari-6',
    comune: 'bari',
    category: 'fognature',
    lat: 41.108,
    lng: 16.895,
    address: 'Via Caldarola, Japigia, Bari',
    text: 'Tombino otturato in Via Caldarola: con la pioggia di stamattina la strada si è allagata.',
    name: 'Rosa Difonzo',
    email: 'rosa.difonzo@esempio.it',
    daysAgo: 3,
  },
  {
    key: 'modugno-1',
    comune: 'modugno',
    category: 'strade',
    lat: 41.0822,
    lng: 16.78,
    address: 'Via Roma 30, Modugno',
    text: 'Buca in Via Roma all’incrocio con Via Cornole, pericolosa per scooter e biciclette.',
    name: 'Luca Cramarossa',
    email: 'luca.cramarossa@esempio.it',
    daysAgo: 4,
    followers: ['teresa.modugno@esempio.it'],
  },
  {
    key: 'modugno-2',
    comune: 'modugno',
    category: 'illuminazione',
    lat: 41.0836,
    lng: 16.7826,
    address: 'Piazza del Popolo, Modugno',
    text: 'Due lampioni spenti in Piazza del Popolo, lato chiesa.',
    name: 'Maria Rossi',
    email: DEMO_CITIZEN.email,
    daysAgo: 11,
    resolvedAfterDays: 3,
  },
  {
    key: 'modugno-3',
    comune: 'modugno',
    category: 'animali',
    lat: 41.085,
    lng: 16.779,
    address: 'Via X Marzo, Modugno',
    text: 'Cane randagio ferito che gira da due giorni in Via X Marzo vicino alla scuola.',
    name: 'Michele Fiore',
    email: 'michele.fiore@esempio.it',
    daysAgo: 1,
  },
  {
    key: 'monopoli-1',
    comune: 'monopoli',
    category: 'rifiuti',
    lat: 40.9506,
    lng: 17.299,
    address: 'Piazza Vittorio Emanuele II, Monopoli',
    text: 'Cestini stracolmi in Piazza Vittorio Emanuele dopo il mercato del sabato.',
    name: 'Giovanna Intini',
    email: 'giovanna.intini@esempio.it',
    daysAgo: 6,
    resolvedAfterDays: 1,
  },
  {
    key: 'monopoli-2',
    comune: 'monopoli',
    category: 'strade',
    lat: 40.949,
    lng: 17.301,
    address: 'Via Magenta 12, Monopoli',
    text: 'Basolato sconnesso in Via Magenta: alcune pietre si muovono al passaggio delle auto.',
    name: 'Domenico Pace',
    email: 'domenico.pace@esempio.it',
    daysAgo: 8,
  },
  {
    key: 'monopoli-3',
    comune: 'monopoli',
    category: 'verde',
    lat: 40.953,
    lng: 17.303,
    address: 'Lungomare Santa Maria, Monopoli',
    text: 'Aiuole del lungomare con l’irrigazione rotta: l’acqua scorre sul marciapiede da giorni.',
    name: 'Carla Ventrella',
    email: 'carla.ventrella@esempio.it',
    daysAgo: 2,
  },
];

/**
 * Demo reports from the citizen portal in Bari, Modugno and Monopoli (`npm run demo`, `seed
 * --demo`; not the test template): each stored by the one ingest function, `ingest_message`, as
 * the portal channel stores it, its position checked inside its comune's boundary, then backdated;
 * some resolved (their events backdated too, so nobody is notified at start), some with followers.
 * Running it again adds nothing (the ingest is idempotent on the demo's message ids).
 */
export async function seedDemoReports(ds: DataSource): Promise<number> {
  let added = 0;
  for (const r of DEMO_REPORTS) {
    await ds.transaction(async (m) => {
      await m.query(`SELECT set_config('sportello.comuni', '*', true)`);
      const [c] = await m.query(`SELECT id FROM comuni WHERE slug = $1 AND ST_Contains(boundary, ST_SetSRID(ST_MakePoint($2, $3), 4326))`, [
        r.comune,
        r.lng,
        r.lat,
      ]);
      if (!c) throw new Error(`demo report ${r.key}: the point is not inside ${r.comune}`);
      const args = {
        channel: 'portal',
        externalId: `submission:demo-${r.key}`,
        address: `mailto:${r.email}`,
        displayName: r.name,
        comuneId: c.id,
        forceNew: true,
        reference: null,
        year: String(new Date().getFullYear()),
        type: 'report',
        category: r.category,
        subject: r.text.length > 80 ? `${r.text.slice(0, 77)}…` : r.text,
        payload: { address: r.address },
        location: { lat: r.lat, lng: r.lng },
        text: `${r.text}\n\nIndirizzo indicato: ${r.address}`,
        attachments: [],
        correlationId: null,
        consents: [
          { purpose: 'privacy', granted: true, source: 'portal', contact: r.email },
          { purpose: 'updates', granted: true, source: 'portal', contact: r.email },
        ],
        events: [{ type: 'portal.submitted', actorType: 'citizen', data: { kind: 'report', pin: true, demo: true } }],
      };
      const [row] = await m.query(`SELECT outcome, ticket_id FROM ingest_message($1::jsonb)`, [JSON.stringify(args)]);
      if (row.outcome !== 'created') return;
      added++;
      const ticketId = row.ticket_id;
      const created = `now() - make_interval(days => ${r.daysAgo})`;
      await m.query(`UPDATE tickets SET created_at = ${created}, last_message_at = ${created}, updated_at = ${created} WHERE id = $1`, [
        ticketId,
      ]);
      await m.query(`UPDATE messages SET created_at = ${created} WHERE ticket_id = $1`, [ticketId]);
      if (r.resolvedAfterDays !== undefined) {
        const at = `now() - make_interval(days => ${r.daysAgo - r.resolvedAfterDays})`;
        await m.query(`UPDATE tickets SET status = 'resolved', queue_state = 'done', resolved_at = ${at} WHERE id = $1`, [ticketId]);
        await m.query(
          `INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, data, created_at)
           VALUES ($1, $2, 'status.changed', 'system', '{"from":"new","to":"resolved","demo":true}', ${at})`,
          [ticketId, c.id],
        );
      }
      for (const email of r.followers ?? []) {
        await m.query(
          `INSERT INTO report_followers (comune_id, ticket_id, email, source, token_hash, created_at)
           VALUES ($1, $2, $3, 'follow', $4, ${created}) ON CONFLICT DO NOTHING`,
          [c.id, ticketId, email, createHash('sha256').update(randomBytes(24)).digest('hex')],
        );
      }
    });
  }
  return added;
}

/**
 * Maria Rossi's portal account (as her first SPID login would create it), linked to the portal
 * identity of her demo reports. Running it again changes nothing; an account or link that exists is kept.
 */
export async function seedDemoCitizen(ds: DataSource): Promise<void> {
  const fiscalCode = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!.fiscalCode;
  await ds.transaction(async (m) => {
    await m.query(`SELECT set_config('sportello.comuni', '*', true), set_config('sportello.citizen', '*', true)`);
    await m.query(
      `INSERT INTO citizen_accounts (fiscal_code, email, given_name, family_name, assurance, level)
       VALUES ($1, $2, $3, $4, 'spid', 2) ON CONFLICT (fiscal_code) DO NOTHING`,
      [fiscalCode, DEMO_CITIZEN.email, DEMO_CITIZEN.givenName, DEMO_CITIZEN.familyName],
    );
    await m.query(
      `INSERT INTO citizen_account_links (account_id, identity_id, channel, address)
       SELECT a.id, ci.id, ci.channel, ci.address FROM citizen_accounts a, citizen_identities ci
        WHERE a.fiscal_code = $1 AND ci.channel = 'portal' AND ci.address = $2
       ON CONFLICT (identity_id) DO NOTHING`,
      [fiscalCode, `mailto:${DEMO_CITIZEN.email}`],
    );
    // Her WhatsApp number, linked by code to the account (as «COLLEGA <code>» sent to Bari's number
    // would), the same person of the registry as her reports' portal identity.
    const [wa] = await m.query(
      `SELECT a.id FROM channel_accounts a JOIN comuni c ON c.id = a.comune_id WHERE c.slug = 'bari' AND a.channel = 'whatsapp' ORDER BY a.id LIMIT 1`,
    );
    if (wa) {
      const address = `${wa.id}:${DEMO_CITIZEN.whatsapp}`;
      await m.query(
        `INSERT INTO citizen_identities (citizen_id, channel, address, display_name)
         SELECT ci.citizen_id, 'whatsapp', $2, 'Maria Rossi' FROM citizen_identities ci WHERE ci.channel = 'portal' AND ci.address = $1
         ON CONFLICT (channel, address) DO NOTHING`,
        [`mailto:${DEMO_CITIZEN.email}`, address],
      );
      await m.query(
        `INSERT INTO citizen_identity_comuni (comune_id, identity_id)
         SELECT a.comune_id, ci.id FROM channel_accounts a, citizen_identities ci WHERE a.id = $1 AND ci.channel = 'whatsapp' AND ci.address = $2
         ON CONFLICT DO NOTHING`,
        [wa.id, address],
      );
      await m.query(
        `INSERT INTO citizen_account_links (account_id, identity_id, channel, address, linked_at)
         SELECT a.id, ci.id, ci.channel, ci.address, now() - interval '3 days' FROM citizen_accounts a, citizen_identities ci
          WHERE a.fiscal_code = $1 AND ci.channel = 'whatsapp' AND ci.address = $2
         ON CONFLICT (identity_id) DO NOTHING`,
        [fiscalCode, address],
      );
      // «Aggiornamenti sulle mie richieste» by WhatsApp.
      await m.query(
        `INSERT INTO citizen_notification_preferences (account_id, purpose, channel)
         SELECT a.id, 'updates', 'whatsapp' FROM citizen_accounts a WHERE a.fiscal_code = $1 ON CONFLICT DO NOTHING`,
        [fiscalCode],
      );
    }
    // Her consent to updates from Modugno, withdrawn from the personal area two days ago (a new
    // decision: the consent itself is kept); the one to Bari stays.
    await m.query(
      `INSERT INTO citizen_consents (citizen_id, comune_id, ticket_id, purpose, granted, source, created_at)
       SELECT k.citizen_id, k.comune_id, k.ticket_id, 'updates', FALSE, 'area-personale', now() - interval '2 days'
         FROM citizen_consents k JOIN comuni c ON c.id = k.comune_id JOIN citizen_identities ci ON ci.citizen_id = k.citizen_id
        WHERE c.slug = 'modugno' AND k.purpose = 'updates' AND k.granted AND ci.channel = 'portal' AND ci.address = $1
          AND NOT EXISTS (SELECT 1 FROM citizen_consents w WHERE w.citizen_id = k.citizen_id AND w.comune_id = k.comune_id
                            AND w.purpose = 'updates' AND NOT w.granted)
        LIMIT 1`,
      [`mailto:${DEMO_CITIZEN.email}`],
    );
  });
}
