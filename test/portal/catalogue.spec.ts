import { get as httpGet } from 'node:http';
import { login, startApp, type TestApp } from '../support/harness.js';
import { comuneId } from '../support/factories.js';

/**
 * The service catalogue over HTTP: the portal's public read API and the staff API, with the real
 * database (row-level security on) and the demo accounts of every comune.
 */
describe('service catalogue', () => {
  let t: TestApp;
  const tok: Record<string, string> = {};
  let bari: number;
  let modugno: number;
  const as = (who: string) => ({ Authorization: `Bearer ${tok[who]}` });

  beforeAll(async () => {
    t = await startApp();
    const accounts = {
      modMgr: 'manager@modugno.demo',
      modOp: 'operatore@modugno.demo',
      modSup: 'supervisore@modugno.demo',
      bariMgr: 'manager@bari.demo',
      admin: 'admin@metro.demo',
    };
    for (const [who, email] of Object.entries(accounts)) tok[who] = await login(t, email);
    [bari, modugno] = await Promise.all([comuneId(t.ds, 'bari'), comuneId(t.ds, 'modugno')]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const entry = (over: object = {}) => ({
    titleIt: 'Pagamento canone idrico',
    titleEn: 'Water bill payment',
    descriptionIt: 'Paga la bolletta con pagoPA.',
    area: 'taxes',
    url: 'https://www.comune.example.it/servizi/acqua',
    audience: 'citizens',
    online: true,
    position: 3,
    ...over,
  });

  describe('public read API', () => {
    it('lists the 41 comuni with slug, name and province code', async () => {
      const res = await t.http.get('/api/portal/v1/comuni').expect(200);
      expect(res.body).toHaveLength(41);
      const mod = res.body.find((c: any) => c.slug === 'modugno');
      expect(mod).toEqual(
        expect.objectContaining({ id: modugno, name: 'Modugno', provinceCode: '072', contactPageUrl: '/contatti/modugno' }),
      );
      expect(res.body.map((c: any) => c.name)).toEqual(
        [...res.body.map((c: any) => c.name)].sort((a: string, b: string) => a.localeCompare(b)),
      );
    });

    it('answers one comune, and 404 for an unknown slug', async () => {
      expect((await t.http.get('/api/portal/v1/comuni/bari').expect(200)).body).toEqual(
        expect.objectContaining({ id: bari, slug: 'bari' }),
      );
      await t.http.get('/api/portal/v1/comuni/atlantide').expect(404);
      await t.http.get('/api/portal/v1/comuni/atlantide/services').expect(404);
      await t.http.get('/api/portal/v1/comuni/..%2Fbari/services').expect(404);
    });

    it("answers a comune's map: its own boundary around its centre, no tile server by default (no third-party request)", async () => {
      const body = (await t.http.get('/api/portal/v1/comuni/modugno/map').expect(200)).body;
      expect(body).toEqual(expect.objectContaining({ comune: 'Modugno', tileUrl: null, attribution: ['Confini © ISTAT, CC-BY 4.0'] }));
      expect(['Polygon', 'MultiPolygon']).toContain(body.boundary.type);
      // The centre is inside Modugno (located by the same boundaries), not Bari next door.
      const [inside] = await t.ds.query(`SELECT slug FROM comuni WHERE ST_Contains(boundary, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, [
        body.center.lng,
        body.center.lat,
      ]);
      expect(inside.slug).toBe('modugno');
      await t.http.get('/api/portal/v1/comuni/atlantide/map').expect(404);
    });

    it("lists a comune's own entries, the Metropolitan City's and Sportello's, never another comune's", async () => {
      const mine = await t.http
        .post('/api/console/catalogue')
        .set(as('modMgr'))
        .send(entry({ titleIt: 'Servizio solo di Modugno' }))
        .expect(201);
      const theirs = await t.http
        .post('/api/console/catalogue')
        .set(as('bariMgr'))
        .send(entry({ titleIt: 'Servizio solo di Bari' }))
        .expect(201);
      const metro = await t.http
        .post('/api/console/catalogue')
        .set(as('admin'))
        .send(entry({ titleIt: 'Servizio della Città Metropolitana', metropolitan: true }))
        .expect(201);
      expect(metro.body.comuneId).toBeNull();

      const ids = async (slug: string) =>
        ((await t.http.get(`/api/portal/v1/comuni/${slug}/services`).expect(200)).body.services as any[]).map((s) => s.id);
      const mod = await ids('modugno');
      expect(mod).toEqual(
        expect.arrayContaining([`ext:${mine.body.id}`, `ext:${metro.body.id}`, 'sportello:contacts', 'sportello:webchat']),
      );
      expect(mod).not.toContain(`ext:${theirs.body.id}`);
      const ba = await ids('bari');
      expect(ba).toEqual(expect.arrayContaining([`ext:${theirs.body.id}`, `ext:${metro.body.id}`]));
      expect(ba).not.toContain(`ext:${mine.body.id}`);
      // A comune with no entries of its own still shows the Metropolitan City's and Sportello's.
      const altamura = await t.http.get('/api/portal/v1/comuni/altamura/services').expect(200);
      expect(altamura.body.services.every((s: any) => s.owner === 'metropolitan' || s.kind === 'sportello')).toBe(true);
      expect(altamura.body.services.some((s: any) => s.id === `ext:${metro.body.id}`)).toBe(true);

      const body = (await t.http.get('/api/portal/v1/comuni/modugno/services').expect(200)).body;
      const m = body.services.find((s: any) => s.id === `ext:${mine.body.id}`);
      expect(m).toEqual(
        expect.objectContaining({
          kind: 'external',
          owner: 'comune',
          title: 'Servizio solo di Modugno',
          area: { id: 'taxes', label: 'Tributi locali' },
        }),
      );
      expect(body.services.find((s: any) => s.id === 'sportello:webchat').url).toBe('/contatti/modugno#chat');
      expect(body.areas).toHaveLength(11);
    });

    it('searches, filters by area, sorts by name or area, in Italian or English', async () => {
      const get = async (qs: string) => (await t.http.get(`/api/portal/v1/comuni/bari/services?${qs}`).expect(200)).body;
      const tari = await get('q=tari');
      expect(tari.services.length).toBeGreaterThan(0);
      expect(tari.services.every((s: any) => /tari/i.test(`${s.title} ${s.description}`))).toBe(true);
      // Accents do not matter: "citta" finds "Città".
      expect((await get('q=citta%20metropolitana')).services.some((s: any) => s.owner === 'metropolitan')).toBe(true);

      const edu = await get('area=education');
      expect(edu.services.length).toBeGreaterThan(0);
      expect(edu.services.every((s: any) => s.area.id === 'education')).toBe(true);

      const byName = (await get('sort=name')).services.map((s: any) => s.title);
      expect(byName).toEqual([...byName].sort(new Intl.Collator('it', { sensitivity: 'base' }).compare));
      const byArea = (await get('sort=area')).services.map((s: any) => s.area.label);
      expect(byArea).toEqual([...byArea].sort(new Intl.Collator('it', { sensitivity: 'base' }).compare));
      expect(byArea).not.toEqual(byName);

      const en = await get('lang=en&q=water');
      expect(en.lang).toBe('en');
      expect(en.services.map((s: any) => s.title)).toContain('Water bill payment');
      expect(en.areas[0].label).toBe('Social care and support');

      const bad = await t.http.get('/api/portal/v1/comuni/bari/services?area=magia&sort=colore').expect(400);
      expect(bad.body.fields.map((f: any) => f.field).sort()).toEqual(['area', 'sort']);
    });
  });

  describe('staff API', () => {
    it('lets a manager create, list, update and delete the comune’s entries', async () => {
      const created = await t.http.post('/api/console/catalogue').set(as('modMgr')).send(entry()).expect(201);
      expect(created.body).toEqual(
        expect.objectContaining({ comuneId: modugno, titleIt: 'Pagamento canone idrico', area: 'taxes', editable: true }),
      );
      const list = await t.http.get('/api/console/catalogue').set(as('modMgr')).expect(200);
      expect(list.body.map((e: any) => e.id)).toContain(created.body.id);
      expect(list.body.every((e: any) => e.comuneId === modugno || e.comuneId === null)).toBe(true);
      expect(list.body.filter((e: any) => e.comuneId === null).every((e: any) => e.editable === false)).toBe(true);

      const updated = await t.http
        .patch(`/api/console/catalogue/${created.body.id}`)
        .set(as('modMgr'))
        .send({ titleIt: 'Bolletta dell’acqua', area: 'environment', titleEn: null })
        .expect(200);
      expect(updated.body).toEqual(
        expect.objectContaining({ titleIt: 'Bolletta dell’acqua', area: 'environment', titleEn: null, url: created.body.url }),
      );

      await t.http.delete(`/api/console/catalogue/${created.body.id}`).set(as('modMgr')).expect(204);
      await t.http.delete(`/api/console/catalogue/${created.body.id}`).set(as('modMgr')).expect(404);
      const after = await t.http.get('/api/console/catalogue').set(as('modMgr')).expect(200);
      expect(after.body.map((e: any) => e.id)).not.toContain(created.body.id);
    });

    it('names each bad field, in Italian', async () => {
      const empty = await t.http.post('/api/console/catalogue').set(as('modMgr')).send({}).expect(400);
      expect(empty.body.fields).toEqual(
        expect.arrayContaining([
          { field: 'titleIt', message: 'obbligatorio' },
          { field: 'area', message: 'obbligatoria' },
          { field: 'url', message: 'obbligatorio' },
        ]),
      );
      const bad = await t.http
        .post('/api/console/catalogue')
        .set(as('modMgr'))
        .send(
          entry({
            url: 'http://www.comune.example.it',
            area: 'astrologia',
            audience: 'turisti',
            position: -1,
            online: 'si',
            colore: 'blu',
          }),
        )
        .expect(400);
      expect(Object.fromEntries(bad.body.fields.map((f: any) => [f.field, f.message]))).toEqual({
        url: 'deve essere un indirizzo https:// valido',
        area: 'area tematica sconosciuta',
        audience: 'destinatari non validi: "citizens", "businesses" o "all"',
        position: 'deve essere un numero intero tra 0 e 9999',
        online: 'deve essere vero o falso',
        colore: 'campo sconosciuto',
      });
      for (const url of ['javascript:alert(1)', 'https://', 'https://localhost', 'ftp://x.it']) {
        const res = await t.http.post('/api/console/catalogue').set(as('modMgr')).send(entry({ url })).expect(400);
        expect(res.body.fields).toEqual([{ field: 'url', message: 'deve essere un indirizzo https:// valido' }]);
      }
      const long = await t.http
        .post('/api/console/catalogue')
        .set(as('modMgr'))
        .send(entry({ titleIt: 'x'.repeat(161) }))
        .expect(400);
      expect(long.body.fields).toEqual([{ field: 'titleIt', message: 'al massimo 160 caratteri' }]);
    });

    it("answers 404 to another comune's manager on Bari's entry, and changes nothing", async () => {
      const bariEntry = await t.http
        .post('/api/console/catalogue')
        .set(as('bariMgr'))
        .send(entry({ titleIt: 'Solo Bari' }))
        .expect(201);
      const list = await t.http.get('/api/console/catalogue').set(as('modMgr')).expect(200);
      expect(list.body.map((e: any) => e.id)).not.toContain(bariEntry.body.id);
      await t.http.patch(`/api/console/catalogue/${bariEntry.body.id}`).set(as('modMgr')).send({ titleIt: 'Preso' }).expect(404);
      await t.http.delete(`/api/console/catalogue/${bariEntry.body.id}`).set(as('modMgr')).expect(404);
      const [row] = await t.ds.query(`SELECT title_it, comune_id FROM catalogue_entries WHERE id = $1`, [bariEntry.body.id]);
      expect(row).toEqual({ title_it: 'Solo Bari', comune_id: bari });
      // Bari's own manager reaches it (the 404 above is not a broken route).
      await t.http.patch(`/api/console/catalogue/${bariEntry.body.id}`).set(as('bariMgr')).send({ titleIt: 'Solo Bari' }).expect(200);
    });

    it("keeps the Metropolitan City's entries to its administrator (a comune's manager gets 403)", async () => {
      const res = await t.http
        .post('/api/console/catalogue')
        .set(as('modMgr'))
        .send(entry({ metropolitan: true }))
        .expect(403);
      expect(res.body.message).toMatch(/metropolitan administrator/);
      const metro = await t.http
        .post('/api/console/catalogue')
        .set(as('admin'))
        .send(entry({ metropolitan: true }))
        .expect(201);
      await t.http.patch(`/api/console/catalogue/${metro.body.id}`).set(as('modMgr')).send({ titleIt: 'Preso' }).expect(403);
      await t.http.delete(`/api/console/catalogue/${metro.body.id}`).set(as('modMgr')).expect(403);
      await t.http.patch(`/api/console/catalogue/${metro.body.id}`).set(as('admin')).send({ titleIt: 'Aggiornato' }).expect(200);
      // Row-level security says the same without the service's check: Modugno's scope cannot update it.
      const [row] = await t.ds.query(`SELECT title_it FROM catalogue_entries WHERE id = $1`, [metro.body.id]);
      expect(row.title_it).toBe('Aggiornato');
      // The administrator lists only Metropolitan entries (a comune's are its manager's).
      const bad = await t.http.post('/api/console/catalogue').set(as('admin')).send(entry()).expect(400);
      expect(bad.body.fields[0].field).toBe('metropolitan');
      await t.http.delete(`/api/console/catalogue/${metro.body.id}`).set(as('admin')).expect(204);
    });

    it('refuses writes by operators and supervisors (403), lets them read', async () => {
      const mine = await t.http.post('/api/console/catalogue').set(as('modMgr')).send(entry()).expect(201);
      for (const who of ['modOp', 'modSup']) {
        await t.http.post('/api/console/catalogue').set(as(who)).send(entry()).expect(403);
        await t.http.patch(`/api/console/catalogue/${mine.body.id}`).set(as(who)).send({ titleIt: 'No' }).expect(403);
        await t.http.delete(`/api/console/catalogue/${mine.body.id}`).set(as(who)).expect(403);
        await t.http.get('/api/console/catalogue').set(as(who)).expect(200);
      }
      await t.http.get('/api/console/catalogue').expect(401);
      const areas = await t.http.get('/api/console/catalogue/areas').set(as('modOp')).expect(200);
      expect(areas.body).toHaveLength(11);
      expect(areas.body[0]).toEqual({ id: 'social', label: { it: 'Assistenza e sostegno sociale', en: 'Social care and support' } });
    });
  });

  describe('row-level security', () => {
    it("shows a comune's session its rows and the Metropolitan City's; without a scope, nothing", async () => {
      const [m] = await t.ds.query(`SELECT count(*)::int AS n FROM catalogue_entries WHERE comune_id = $1`, [bari]);
      expect(m.n).toBeGreaterThan(0);
      const app = t.config.databaseAppUrl;
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: app });
      await client.connect();
      try {
        const count = async (setting: string) => {
          await client.query(`SELECT set_config('sportello.comuni', $1, false)`, [setting]);
          return (
            await client.query(
              `SELECT count(*) FILTER (WHERE comune_id IS NULL)::int AS metro, count(*) FILTER (WHERE comune_id = $1)::int AS bari,
                      count(*) FILTER (WHERE comune_id = $2)::int AS modugno FROM catalogue_entries`,
              [bari, modugno],
            )
          ).rows[0];
        };
        expect(await count('')).toEqual({ metro: 0, bari: 0, modugno: 0 });
        const mod = await count(String(modugno));
        expect(mod.bari).toBe(0);
        expect(mod.metro).toBeGreaterThan(0);
        expect(mod.modugno).toBeGreaterThan(0);
        // Modugno's scope may read the Metropolitan rows but not change them.
        const upd = await client.query(`UPDATE catalogue_entries SET title_it = 'preso' WHERE comune_id IS NULL`);
        expect(upd.rowCount).toBe(0);
        await expect(
          client.query(`INSERT INTO catalogue_entries (comune_id, title_it, area, url) VALUES (NULL, 'x', 'taxes', 'https://a.it')`),
        ).rejects.toThrow(/row-level security/);
      } finally {
        await client.end();
      }
    });
  });

  it('sends the portal’s stylesheet and scripts compressed to a browser that takes brotli or gzip, as they are otherwise', async () => {
    const html = (await t.http.get('/').expect(200)).text;
    const css = /href="(\/_portal\/index-[^"]+\.css)"/.exec(html)![1];
    const js = /src="(\/_portal\/index-[^"]+\.js)"/.exec(html)![1];
    for (const path of [css, js]) {
      const plain = await fetch(`${t.url}${path}`, { headers: { 'accept-encoding': 'identity' } });
      const bytes = Buffer.from(await plain.arrayBuffer());
      expect(plain.headers.get('content-encoding')).toBeNull();
      const br = await fetch(`${t.url}${path}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect([br.headers.get('content-encoding'), br.headers.get('cache-control')]).toEqual(['br', 'public, max-age=31536000, immutable']);
      expect(br.headers.get('vary')).toMatch(/Accept-Encoding/);
      expect(br.headers.get('content-type')).toMatch(path.endsWith('.css') ? /text\/css/ : /javascript/);
      // fetch decodes it: the same bytes, in a fraction of the transfer.
      expect(Buffer.from(await br.arrayBuffer()).equals(bytes)).toBe(true);
      // The bytes on the wire, read undecoded: gzip, under half the file.
      const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        httpGet(`${t.url}${path}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
      expect(raw.encoding).toBe('gzip');
      expect(raw.body.length).toBeLessThan(bytes.length / 2);
    }
  });

  describe('the routes that were there before', () => {
    it('still answer: console, widget, demo page, contact page, health, metrics; the portal has its own paths', async () => {
      expect((await t.http.get('/console')).status).toBe(301);
      const consoleIndex = await t.http.get('/console/').expect(200);
      expect(consoleIndex.text).toMatch(/<div id="root">/);
      expect((await t.http.get('/widget.js').expect(200)).headers['content-type']).toMatch(/javascript/);
      expect((await t.http.get('/demo/bari').expect(200)).text).toMatch(/Bari/);
      expect((await t.http.get('/contatti/bari').expect(200)).text).toMatch(/Bari/);
      await t.http.get('/health').expect(200);
      await t.http.get('/health/ready').expect(200);
      await t.http.get('/metrics').expect(200);
      await t.http.get('/api/docs-json').expect(401); // operators only, unless API_DOCS_PUBLIC
      expect((await t.http.get('/api/me')).status).toBe(401);
      // Unknown API paths stay JSON 404s, not the portal's page.
      const api404 = await t.http.get('/api/portal/v1/nothing').expect(404);
      expect(api404.headers['content-type']).toMatch(/json/);

      for (const path of ['/', '/accedi', '/area-personale', '/modugno', '/modugno/servizi', '/modugno/segnalazioni']) {
        const res = await t.http.get(path).expect(200);
        expect(res.text).toMatch(/<div id="root">/);
        expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      }
      const unknown = await t.http.get('/atlantide').expect(404);
      expect(unknown.text).toMatch(/<div id="root">/);
      await t.http.get('/atlantide/servizi').expect(404);
      await t.http.get('/atlantide/segnalazioni').expect(404);
      await t.http.get('/_portal/../package.json').expect(404);
    });
  });
});
