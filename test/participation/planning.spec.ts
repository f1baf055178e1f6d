import { login, startApp, type TestApp } from '../support/harness.js';
import { comuneId } from '../support/factories.js';
import { appFetch, browser, portalPost, session, type Browser } from '../portal/support.js';
import { citizenBrowser } from './support.js';

const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

/** A corridor along via Sparano (lines) and a square (an area), longitude first as GeoJSON writes it. */
const SQUARE = {
  type: 'Polygon',
  coordinates: [
    [
      [16.868, 41.124],
      [16.871, 41.124],
      [16.871, 41.126],
      [16.868, 41.126],
      [16.868, 41.124],
    ],
  ],
};
const LANE = {
  type: 'LineString',
  coordinates: [
    [16.869, 41.121],
    [16.87, 41.125],
  ],
};

/**
 * Participatory planning (src/participation/planning): the comune draws a hypothesis with
 * alternatives; citizens pin remarks and choose one alternative each (SPID/CIE), counted per
 * alternative; bad GeoJSON is refused naming the field; another comune's staff cannot draw on it.
 */
describe('participation: participatory planning', () => {
  let t: TestApp;
  let itemId: string;
  let bariSup: string;
  let modSup: string;
  let verified: Browser[];
  let emailOnly: Browser;

  beforeAll(async () => {
    t = await startApp();
    const bari = await comuneId(t.ds, 'bari');
    const [s] = await t.ds.query(
      `INSERT INTO participation_spaces (comune_id, service, slug, title_it, state)
       VALUES ($1, 'planning', 'waterfront-san-girolamo', 'Il nuovo waterfront di San Girolamo', 'published') RETURNING id`,
      [bari],
    );
    const [i] = await t.ds.query(
      `INSERT INTO participation_items (comune_id, space_id, service, kind, title, body, stage, published_at)
       VALUES ($1, $2, 'planning', 'hypothesis', 'Pista ciclabile e piazza sul mare', 'Due tracciati possibili per la ciclabile.', 'consultation', now())
       RETURNING id::text AS id`,
      [bari, s.id],
    );
    itemId = i.id;
    bariSup = await login(t, 'supervisore@bari.demo');
    modSup = await login(t, 'supervisore@modugno.demo');
    verified = [];
    for (let n = 0; n < 4; n++) verified.push((await citizenBrowser(t, { assurance: 'spid' })).b);
    emailOnly = (await citizenBrowser(t, { assurance: 'email' })).b;
  });
  afterAll(async () => {
    await t?.close();
  });

  const draw = (token: string, body: object) =>
    t.http.put(`/api/console/participation/planning/items/${itemId}/map`).set('Authorization', `Bearer ${token}`).send(body);

  it('lets the comune’s staff draw the hypothesis, and refuses bad GeoJSON and another comune’s staff', async () => {
    const body = {
      geometry: { type: 'GeometryCollection', geometries: [SQUARE, LANE] },
      alternatives: [
        { key: 'lungomare', titleIt: 'Ciclabile sul lungomare', geometry: LANE },
        { key: 'interna', titleIt: 'Ciclabile su via interna', descriptionIt: 'Lontana dal traffico del lungomare.' },
      ],
      documents: [{ title: 'Relazione tecnica (PDF)', url: 'https://www.comune.bari.it/documenti/waterfront.pdf' }],
    };
    const other = await draw(modSup, body);
    expect(other.status).toBe(404);
    const bad = await draw(bariSup, { geometry: { type: 'Polygon', coordinates: [[[16.86, 41.12]]] } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('geometry');
    const dup = await draw(bariSup, { ...body, alternatives: [body.alternatives[0], body.alternatives[0]] });
    expect(dup.status).toBe(400);
    expect(dup.body.fields[0].field).toBe('alternatives[1].key');
    const ok = await draw(bariSup, body);
    expect(ok.status).toBe(200);
    const map = await json(appFetch(t, browser(), `/api/portal/v1/participation/planning/items/${itemId}/map`));
    expect(map.geometry.type).toBe('GeometryCollection');
    expect(map.alternatives.map((a: any) => [a.key, a.preferences])).toEqual([
      ['lungomare', 0],
      ['interna', 0],
    ]);
    expect(map.documents).toHaveLength(1);
  });

  it('counts one preference per verified person, even sent five times at once, and refuses the e-mail level', async () => {
    for (const [n, b] of verified.entries()) {
      const csrf = (await session(t, b)).csrfToken;
      const alternative = n < 3 ? 'lungomare' : 'interna';
      const sent = await Promise.all(
        Array.from({ length: 5 }, () =>
          portalPost(
            t,
            b,
            `/api/portal/v1/participation/items/${itemId}/contributions`,
            { kind: 'preference', data: { alternative } },
            csrf,
          ),
        ),
      );
      expect(sent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    }
    const map = await json(appFetch(t, verified[0], `/api/portal/v1/participation/planning/items/${itemId}/map`));
    expect(map.alternatives.map((a: any) => [a.key, a.preferences])).toEqual([
      ['lungomare', 3],
      ['interna', 1],
    ]);
    expect(map.myPreference).toBe('lungomare');
    const low = await portalPost(t, emailOnly, `/api/portal/v1/participation/items/${itemId}/contributions`, {
      kind: 'preference',
      data: { alternative: 'interna' },
    });
    expect(low.status).toBe(403);
    expect((await json(low)).assurance).toBe('spid');
    const unknown = await portalPost(t, verified[0], `/api/portal/v1/participation/items/${itemId}/contributions`, {
      kind: 'preference',
      data: { alternative: 'tunnel' },
    });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).fields[0].field).toBe('data.alternative');
  });

  it('takes a remark only with its place, and shows it on the map', async () => {
    const noPlace = await portalPost(t, emailOnly, `/api/portal/v1/participation/items/${itemId}/contributions`, {
      kind: 'remark',
      body: 'Qui manca un attraversamento pedonale.',
    });
    expect(noPlace.status).toBe(400);
    expect((await json(noPlace)).fields[0].field).toBe('location');
    const ok = await portalPost(t, emailOnly, `/api/portal/v1/participation/items/${itemId}/contributions`, {
      kind: 'remark',
      body: 'Qui manca un attraversamento pedonale.',
      location: { lat: 41.1245, lon: 16.8695 },
    });
    expect(ok.status).toBe(200);
    const map = await json(appFetch(t, browser(), `/api/portal/v1/participation/planning/items/${itemId}/map`));
    expect(map.remarks).toEqual([expect.objectContaining({ lat: 41.1245, lon: 16.8695, text: 'Qui manca un attraversamento pedonale.' })]);
  });
});
