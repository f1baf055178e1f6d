import { randomBytes } from 'node:crypto';
import { eventually, login, startApp, type TestApp } from '../support/harness.js';
import { comuneId, groupId } from '../support/factories.js';
import { startSmtpSink, type SmtpSink } from '../channels/email/mail-standins.js';

/**
 * "Segnala un disservizio" and "Richiedi assistenza" from the portal, without login: the app booted
 * with real PostgreSQL/PostGIS and Redis, e-mail leaving through an SMTP sink.
 */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), randomBytes(200)]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(100)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('This program cannot be run in DOS mode'), randomBytes(64)]);

/** Modugno: a point, two within 250 m, one at 400 m. Bari's centre is outside Modugno. */
const P0 = { lat: 41.08122, lon: 16.78075 };
const NEAR1 = { lat: 41.08212, lon: 16.78075 }; // ~100 m
const NEAR2 = { lat: 41.08122, lon: 16.78225 }; // ~126 m
const FAR = { lat: 41.08482, lon: 16.78075 }; // ~400 m
const ELSEWHERE = { lat: 41.076, lon: 16.789 }; // ~900 m
const BARI = { lat: 41.1171, lon: 16.8719 };

describe('portal reports and requests', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let sup: string;
  let bariSup: string;
  let modugno: number;
  const id = () => `sub-${randomBytes(6).toString('hex')}`;
  const mail = (local: string) => `${local}.${randomBytes(3).toString('hex')}@esempio.it`;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startApp({
      CHANNEL_NOTIFY_POLL_MS: '100',
      EMAIL_SMTP_ENABLED: 'true',
      EMAIL_SMTP_PORT: '0',
      EMAIL_DEFAULT_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      MAX_ATTACHMENT_BYTES: String(64 * 1024),
    });
    modugno = await comuneId(t.ds, 'modugno');
    const manager = await login(t, 'manager@modugno.demo');
    sup = await login(t, 'supervisore@modugno.demo');
    bariSup = await login(t, 'supervisore@bari.demo');
    // Modugno's URP mailbox: notices to the citizen leave from it.
    const mb = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({ channel: 'email', label: 'URP Modugno', config: { address: 'urp@modugno.demo' } });
    expect(mb.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  type Fields = Record<string, string | number | boolean | undefined>;
  const form = (slug: string, fields: Fields, files: Array<[string, Buffer, string]> = [], kind = 'reports') => {
    let r = t.http.post(`/api/portal/v1/comuni/${slug}/${kind}`);
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) r = r.field(k, String(v));
    for (const [field, bytes, name] of files) r = r.attach(field, bytes, name);
    return r;
  };
  const report = (over: Fields = {}, at = P0): Fields => ({
    submissionId: id(),
    category: 'strade',
    lat: at.lat,
    lon: at.lon,
    address: 'Via Roma 10, Modugno',
    description: 'Buca profonda davanti al civico 10, pericolosa per i motorini.',
    name: 'Maria Rossi',
    email: mail('maria'),
    phone: '333 1234567',
    privacyConsent: 'true',
    ...over,
  });
  const auth = (tok: string) => ({ Authorization: `Bearer ${tok}` });
  const ticketOf = async (reference: string) => (await t.ds.query(`SELECT * FROM tickets WHERE reference = $1`, [reference]))[0];
  const resolve = (ticketId: string) => t.http.patch(`/api/tickets/${ticketId}`).set(auth(sup)).send({ status: 'resolved' }).expect(200);

  it('offers the comune’s report categories with their duplicate radius, and request topics', async () => {
    const res = await t.http.get('/api/portal/v1/comuni/modugno/report-categories').expect(200);
    const codes = res.body.reportCategories.map((c: any) => c.code);
    expect(codes).toEqual(expect.arrayContaining(['strade', 'illuminazione', 'rifiuti', 'verde', 'segnaletica', 'fognature', 'animali']));
    expect(res.body.reportCategories.find((c: any) => c.code === 'illuminazione')).toEqual({
      code: 'illuminazione',
      label: { it: 'Illuminazione pubblica', en: 'Street lighting' },
      duplicateRadiusM: 250,
    });
    expect(res.body.requestTopics.map((c: any) => c.code)).toEqual(expect.arrayContaining(['tributi', 'servizi-sociali']));
    expect(codes).not.toContain('tributi');
    expect((await t.http.get('/api/portal/v1/comuni/atlantide/report-categories')).status).toBe(404);
  });

  it('stores a report with a pin in Modugno and two photos once, with its consent, routed, and e-mails the summary', async () => {
    const fields = report({ category: 'fognature', email: mail('anna') }, ELSEWHERE);
    const res = await form('modugno', fields, [
      ['photos', JPEG, 'tombino.jpg'],
      ['photos', PNG, 'tombino-2.png'],
    ]);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      reference: expect.stringMatching(/^MOD-\d{4}-\d{6,}$/),
      accessKey: expect.any(String),
      type: 'report',
      duplicate: false,
    });
    const tk = await ticketOf(res.body.reference);
    expect(tk).toMatchObject({
      comune_id: modugno,
      type: 'report',
      category: 'fognature',
      channel: 'portal',
      payload: { address: fields.address },
    });
    const consents = await t.ds.query(
      `SELECT purpose, granted, contact, source FROM citizen_consents WHERE ticket_id = $1 ORDER BY purpose`,
      [tk.id],
    );
    expect(consents).toEqual([
      { purpose: 'privacy', granted: true, contact: fields.email, source: 'portal' },
      { purpose: 'updates', granted: true, contact: fields.email, source: 'portal' },
    ]);
    const atts = await t.ds.query(
      `SELECT a.content_type, a.public FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1 ORDER BY a.id`,
      [tk.id],
    );
    expect(atts).toEqual([
      { content_type: 'image/jpeg', public: false },
      { content_type: 'image/png', public: false },
    ]);
    const lavori = await groupId(t.ds, 'modugno', 'lavori-pubblici');
    await eventually(async () => (await ticketOf(res.body.reference)).group_id === lavori, 8000, 'routed to lavori pubblici');
    const summary = await sink.waitFor((d) => d.rcpt.includes(String(fields.email)));
    expect(summary.parsed.text).toContain(res.body.reference);
    expect(summary.parsed.text).toContain('Fognature e tombini');
    // The same submission again: the same case, no second e-mail.
    const again = await form('modugno', fields, [['photos', JPEG, 'tombino.jpg']]);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ reference: res.body.reference, accessKey: res.body.accessKey, duplicate: true });
    expect(
      (await t.ds.query(`SELECT count(*)::int AS n FROM tickets WHERE channel = 'portal' AND reference = $1`, [res.body.reference]))[0].n,
    ).toBe(1);
    // The same submission id from another address does not hand out that case's key.
    const stolen = await form('modugno', { ...fields, email: mail('altro') });
    expect(stolen.status).toBe(409);
    expect(stolen.body.fields[0].field).toBe('submissionId');
    expect(JSON.stringify(stolen.body)).not.toContain(res.body.accessKey);
  });

  it('makes one case of five concurrent identical submissions (a double tap, a retry)', async () => {
    const fields = report({ category: 'verde', email: mail('tap') }, ELSEWHERE);
    const all = await Promise.all([0, 1, 2, 3, 4].map(() => form('modugno', fields, [['photos', JPEG, 'albero.jpg']])));
    expect(all.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(all.map((r) => r.body.reference)).size).toBe(1);
    const [n] = await t.ds.query(
      `SELECT count(DISTINCT m.ticket_id)::int AS tickets, count(*)::int AS messages FROM messages m WHERE m.channel = 'portal' AND m.external_id = $1`,
      [`submission:${fields.submissionId}`],
    );
    expect(n).toEqual({ tickets: 1, messages: 1 });
    const [consents] = await t.ds.query(
      `SELECT count(*)::int AS n FROM citizen_consents c JOIN tickets t ON t.id = c.ticket_id WHERE t.reference = $1 AND c.purpose = 'privacy'`,
      [all[0].body.reference],
    );
    expect(consents.n).toBe(1);
  });

  it('takes a request from the JSON form, without a position', async () => {
    const res = await t.http.post('/api/portal/v1/comuni/modugno/requests').send({
      submissionId: id(),
      category: 'tributi',
      description: 'Come si paga la TARI a rate?',
      email: mail('json'),
      privacyConsent: true,
    });
    expect(res.status).toBe(201);
    expect(res.body.type).toBe('request');
    expect((await ticketOf(res.body.reference)).location).toBeNull();
  });

  it('refuses a pin outside the comune (422 location), a renamed .exe (415 naming it), 4 photos, no consent', async () => {
    const before = (await t.ds.query(`SELECT count(*)::int AS n FROM tickets WHERE channel = 'portal'`))[0].n;
    const outside = await form('modugno', report({}, BARI));
    expect(outside.status).toBe(422);
    expect(outside.body.fields).toEqual([{ field: 'location', message: expect.stringContaining('Modugno') }]);

    const exe = await form('modugno', report(), [
      ['photos', JPEG, 'buona.jpg'],
      ['photos', EXE, 'foto-buca.jpg'],
    ]);
    expect(exe.status).toBe(415);
    expect(exe.body.fields[0].field).toBe('foto-buca.jpg');
    expect(exe.body.fields[0].message).toContain('foto-buca.jpg');

    const pdfAsPhoto = await form('modugno', report(), [['documents', JPEG, 'modulo.pdf']]);
    expect(pdfAsPhoto.status).toBe(415);

    const four = await form('modugno', report(), [
      ['photos', JPEG, '1.jpg'],
      ['photos', JPEG, '2.jpg'],
      ['photos', JPEG, '3.jpg'],
      ['photos', JPEG, '4.jpg'],
    ]);
    expect(four.status).toBe(400);
    expect(four.body.fields[0].field).toBe('photos');

    const big = Buffer.concat([JPEG, randomBytes(70 * 1024)]);
    const tooLarge = await form('modugno', report(), [['photos', big, 'enorme.jpg']]);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.fields[0]).toEqual({ field: 'enorme.jpg', message: expect.stringContaining('enorme.jpg') });
    const bigPdf = await form('modugno', report(), [
      ['documents', Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(70 * 1024)]), 'verbale.pdf'],
    ]);
    expect(bigPdf.status).toBe(413);
    expect(bigPdf.body.fields[0].field).toBe('verbale.pdf');
    const pdf = await form('modugno', report({ category: 'verde' }, ELSEWHERE), [
      ['documents', Buffer.from('%PDF-1.7\n%demo\n'), 'verbale.pdf'],
    ]);
    expect(pdf.status).toBe(201);

    const noConsent = await form('modugno', report({ privacyConsent: undefined }));
    expect(noConsent.status).toBe(400);
    expect(noConsent.body.fields[0].field).toBe('privacyConsent');
    const noEmail = await form('modugno', report({ email: undefined }));
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.fields[0].field).toBe('email');
    const noCategory = await form('modugno', report({ category: 'astronavi' }));
    expect(noCategory.status).toBe(400);
    expect(noCategory.body.fields[0].field).toBe('category');
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM tickets WHERE channel = 'portal'`))[0].n).toBe(before + 1);
  });

  it('shows open reports of the same category within the radius, nearest first, without personal data', async () => {
    const mk = async (at: typeof P0, over: Fields = {}) => {
      const r = await form('modugno', report(over, at));
      expect(r.status).toBe(201);
      return r.body.reference as string;
    };
    const secret = 'Testo riservato del cittadino 7f3a';
    const a = await mk(NEAR1, { description: secret });
    const b = await mk(NEAR2);
    const resolved = await mk(NEAR1);
    await resolve((await ticketOf(resolved)).id);
    const lamp = await mk(NEAR1, { category: 'illuminazione' });
    const far = await mk(FAR);
    const res = await t.http.get(`/api/portal/v1/comuni/modugno/reports/nearby?lat=${P0.lat}&lon=${P0.lon}&category=strade`).expect(200);
    const refs = res.body.reports.map((r: any) => r.reference);
    expect(refs).toEqual([a, b]);
    expect(refs).not.toContain(resolved);
    expect(refs).not.toContain(lamp);
    expect(refs).not.toContain(far);
    expect(res.body.radiusM).toBe(250);
    expect(res.body.reports[0]).toEqual({
      reference: a,
      category: 'strade',
      state: 'received',
      createdAt: expect.any(String),
      address: 'Via Roma 10, Modugno',
      lat: NEAR1.lat,
      lon: NEAR1.lon,
      distanceM: 100,
    });
    const json = JSON.stringify(res.body);
    expect(json).not.toContain(secret);
    expect(json).not.toContain('@esempio.it');
    expect(json).not.toContain('Maria');
    // The comune turns duplicates off for a category: radius 0.
    await t.ds.query(`INSERT INTO report_category_settings (comune_id, category, duplicate_radius_m) VALUES ($1, 'strade', 0)`, [modugno]);
    const off = await t.http.get(`/api/portal/v1/comuni/modugno/reports/nearby?lat=${P0.lat}&lon=${P0.lon}&category=strade`).expect(200);
    expect(off.body).toEqual({ radiusM: 0, reports: [] });
    await t.ds.query(`DELETE FROM report_category_settings WHERE comune_id = $1`, [modugno]);
    expect((await t.http.get(`/api/portal/v1/comuni/modugno/reports/nearby?lat=${P0.lat}&category=strade`)).body.fields[0].field).toBe(
      'lon',
    );
  });

  describe('the case page', () => {
    let ref: string;
    let email: string;
    let ticketId: string;
    beforeAll(async () => {
      email = mail('luca');
      const r = await form('modugno', report({ email, category: 'segnaletica', description: 'Cartello di stop abbattuto.' }, ELSEWHERE), [
        ['photos', JPEG, 'stop.jpg'],
      ]);
      ref = r.body.reference;
      ticketId = (await ticketOf(ref)).id;
      await t.http
        .post(`/api/tickets/${ticketId}/messages`)
        .set(auth(sup))
        .send({ text: 'NOTA INTERNA: chiamare la ditta', internal: true })
        .expect(201);
      await t.http
        .post(`/api/tickets/${ticketId}/messages`)
        .set(auth(sup))
        .send({ text: 'Abbiamo avvisato la Polizia Locale.' })
        .expect(201);
    });

    it('shows the conversation without internal notes to the reference with its e-mail; the same 404 otherwise', async () => {
      const res = await t.http.post('/api/portal/v1/cases/lookup').send({ reference: ref, email: email.toUpperCase() }).expect(200);
      const texts = res.body.messages.map((m: any) => m.text);
      expect(texts).toEqual(
        expect.arrayContaining([expect.stringContaining('Cartello di stop abbattuto.'), 'Abbiamo avvisato la Polizia Locale.']),
      );
      expect(JSON.stringify(res.body)).not.toContain('NOTA INTERNA');
      // The operator's reply is announced by e-mail to the address left; the page shows the reply once.
      const notice = await sink.waitFor(
        (d) => d.rcpt.includes(email) && (d.parsed.text ?? '').includes('Abbiamo avvisato la Polizia Locale.'),
      );
      expect(notice.parsed.text).toContain(ref);
      const again = await t.http.post('/api/portal/v1/cases/lookup').send({ reference: ref, email }).expect(200);
      expect(again.body.messages.filter((m: any) => (m.text ?? '').includes('Abbiamo avvisato'))).toHaveLength(1);
      expect(res.body).toMatchObject({ reference: ref, type: 'report', category: 'segnaletica', canRate: false, rating: null });
      const photo = res.body.messages.flatMap((m: any) => m.attachments)[0];
      expect(photo.filename).toBe('stop.jpg');
      const bytes = await t.http.get(photo.url).expect(200);
      expect(Buffer.compare(bytes.body as Buffer, JPEG)).toBe(0);
      // The signed link is bound to its attachment: unsigned or tampered, it does not exist.
      expect((await t.http.get(photo.url.replace(/sig=[^&]+/, 'sig=AAAA'))).status).toBe(404);
      expect((await t.http.get(photo.url.split('?')[0])).status).toBe(404);

      const wrong = await t.http.post('/api/portal/v1/cases/lookup').send({ reference: ref, email: 'altro@esempio.it' });
      const unknown = await t.http.post('/api/portal/v1/cases/lookup').send({ reference: 'MOD-2026-999999', email });
      expect(wrong.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect(wrong.body).toEqual(unknown.body);
      // The access key opens it too.
      const key = (await form('modugno', { ...report(), submissionId: 'never-used-1' })).body;
      const byKey = await t.http
        .post('/api/portal/v1/cases/lookup')
        .send({ reference: key.reference, accessKey: key.accessKey })
        .expect(200);
      expect(byKey.body.reference).toBe(key.reference);
      expect((await t.http.post('/api/portal/v1/cases/lookup').send({ reference: ref, accessKey: key.accessKey })).status).toBe(404);
    });

    it('takes the citizen’s reply from the web onto the console’s ticket', async () => {
      const r = await t.http.post('/api/portal/v1/cases/reply').send({ reference: ref, email, text: 'Il cartello è ancora a terra.' });
      expect(r.status).toBe(201);
      const detail = await t.http.get(`/api/tickets/${ticketId}`).set(auth(sup)).expect(200);
      expect(detail.body.messages).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ text: 'Il cartello è ancora a terra.', direction: 'inbound', channel: 'portal' }),
        ]),
      );
      expect(
        (await t.http.post('/api/portal/v1/cases/reply').send({ reference: ref, email: 'x@esempio.it', text: 'intruso' })).status,
      ).toBe(404);
    });

    it('takes one rating, on a resolved case only', async () => {
      const early = await t.http.post('/api/portal/v1/cases/rating').send({ reference: ref, email, rating: 5 });
      expect(early.status).toBe(409);
      await resolve(ticketId);
      expect((await t.http.post('/api/portal/v1/cases/lookup').send({ reference: ref, email })).body.canRate).toBe(true);
      expect((await t.http.post('/api/portal/v1/cases/rating').send({ reference: ref, email, rating: 6 })).status).toBe(400);
      await t.http.post('/api/portal/v1/cases/rating').send({ reference: ref, email, rating: 4, comment: 'Veloci' }).expect(204);
      const again = await t.http.post('/api/portal/v1/cases/rating').send({ reference: ref, email, rating: 1 });
      expect(again.status).toBe(409);
      expect(await t.ds.query(`SELECT rating, comment FROM csat_surveys WHERE ticket_id = $1`, [ticketId])).toEqual([
        { rating: 4, comment: 'Veloci' },
      ]);
      const view = await t.http.post('/api/portal/v1/cases/lookup').send({ reference: ref, email }).expect(200);
      expect(view.body).toMatchObject({ state: 'resolved', canRate: false, rating: { rating: 4, comment: 'Veloci' } });
    });
  });

  it('rates the online form right after sending, once, apart from the office’s satisfaction survey', async () => {
    const r = await form('modugno', report({}, ELSEWHERE)).expect(201);
    const creds = { reference: r.body.reference, accessKey: r.body.accessKey };
    const rate = (body: object) => t.http.post('/api/portal/v1/cases/rating').send({ ...creds, ...body });
    expect((await rate({ rating: 5, subject: 'modulo' })).body.fields).toEqual([{ field: 'subject', message: expect.any(String) }]);
    // The office's rating waits for the case to be resolved; the form's does not.
    expect((await rate({ rating: 4 })).status).toBe(409);
    await rate({ rating: 4, comment: 'Modulo chiaro', subject: 'service' }).expect(204);
    expect((await rate({ rating: 2, subject: 'service' })).status).toBe(409);
    const tk = await ticketOf(r.body.reference);
    expect(await t.ds.query(`SELECT form, rating, comment FROM portal_service_ratings WHERE ticket_id = $1`, [tk.id])).toEqual([
      { form: 'report', rating: 4, comment: 'Modulo chiaro' },
    ]);
    expect(await t.ds.query(`SELECT 1 FROM csat_surveys WHERE ticket_id = $1`, [tk.id])).toEqual([]);
  });

  it('follows a report once per address, and unfollows by the token of the e-mail link', async () => {
    const r = await form('modugno', report({ category: 'animali' }, ELSEWHERE));
    const follower = mail('segue');
    const first = await t.http.post(`/api/portal/v1/reports/${r.body.reference}/follow`).send({ email: follower, consent: true });
    expect(first.status).toBe(201);
    const second = await t.http
      .post(`/api/portal/v1/reports/${r.body.reference}/follow`)
      .send({ email: follower.toUpperCase(), consent: true });
    expect(second.status).toBe(200);
    expect(second.body.created).toBe(false);
    const tk = await ticketOf(r.body.reference);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM report_followers WHERE ticket_id = $1`, [tk.id]))[0].n).toBe(1);
    expect((await t.http.post(`/api/portal/v1/reports/${r.body.reference}/follow`).send({ email: mail('x') })).status).toBe(400);
    const confirm = await sink.waitFor((d) => d.rcpt.includes(follower));
    // The link opens the comune's unfollow page of the portal.
    expect(confirm.parsed.text).toMatch(/https?:\/\/[^/\s]+\/modugno\/segnalazioni\/non-seguire\?token=/);
    const token = /token=([^\s]+)/.exec(confirm.parsed.text ?? '')![1];
    await t.http
      .post('/api/portal/v1/followers/unfollow')
      .send({ token: decodeURIComponent(token) })
      .expect(204);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM report_followers WHERE ticket_id = $1`, [tk.id]))[0].n).toBe(0);
    expect((await t.http.post('/api/portal/v1/followers/unfollow').send({ token: decodeURIComponent(token) })).status).toBe(404);
  });

  it('merges a duplicate: closed, its follower and reporter told exactly once when the target is resolved', async () => {
    const targetReporter = mail('primo');
    const dupReporter = mail('doppio');
    const dupFollower = mail('vicino');
    const target = await form('modugno', report({ category: 'rifiuti', email: targetReporter }, ELSEWHERE));
    const dup = await form('modugno', report({ category: 'rifiuti', email: dupReporter }, ELSEWHERE));
    await t.http.post(`/api/portal/v1/reports/${dup.body.reference}/follow`).send({ email: dupFollower, consent: true }).expect(201);
    const [tt, dt] = [await ticketOf(target.body.reference), await ticketOf(dup.body.reference)];

    const merged = await t.http.post(`/api/tickets/${dt.id}/merge`).set(auth(sup)).send({ into: tt.id });
    expect(merged.status).toBe(200);
    expect(merged.body).toEqual({ duplicate: String(dt.id), into: String(tt.id), followersMoved: 2 });
    const closed = await ticketOf(dup.body.reference);
    expect(closed.status).toBe('closed');
    expect(closed.payload.mergedInto).toBe(target.body.reference);
    const events = await t.ds.query(
      `SELECT ticket_id::text, type, data FROM ticket_events WHERE type IN ('ticket.merged', 'ticket.duplicate_merged') ORDER BY id`,
    );
    expect(events).toEqual([
      { ticket_id: String(dt.id), type: 'ticket.merged', data: expect.objectContaining({ intoReference: target.body.reference }) },
      { ticket_id: String(tt.id), type: 'ticket.duplicate_merged', data: expect.objectContaining({ fromReference: dup.body.reference }) },
    ]);
    const followers = await t.ds.query(`SELECT email FROM report_followers WHERE ticket_id = $1 ORDER BY email`, [tt.id]);
    expect(followers.map((f: any) => f.email).sort()).toEqual([dupFollower, dupReporter].sort());
    // The duplicate's reporter reads on its page where it went.
    const page = await t.http.post('/api/portal/v1/cases/lookup').send({ reference: dup.body.reference, email: dupReporter }).expect(200);
    expect(page.body).toMatchObject({ state: 'closed', mergedInto: target.body.reference });
    // Merging again: the duplicate is closed.
    expect((await t.http.post(`/api/tickets/${dt.id}/merge`).set(auth(sup)).send({ into: tt.id })).status).toBe(409);

    await resolve(tt.id);
    const resolvedMail = (to: string) => (d: { rcpt: string[]; parsed: { text?: string } }) =>
      d.rcpt.includes(to) && (d.parsed.text ?? '').includes(`${target.body.reference} che segue è stata risolta`);
    await sink.waitFor(resolvedMail(dupFollower));
    await sink.waitFor(resolvedMail(dupReporter));
    // The scanners run every 100 ms: a few more passes must not send anything again.
    await new Promise((r) => setTimeout(r, 1000));
    expect(sink.deliveries.filter((d) => d.accepted && resolvedMail(dupFollower)(d))).toHaveLength(1);
    expect(sink.deliveries.filter((d) => d.accepted && resolvedMail(dupReporter)(d))).toHaveLength(1);
    const notices = await t.ds.query(
      `SELECT kind, count(*)::int AS n FROM report_follower_notices WHERE ticket_id = $1 AND kind = 'resolved' GROUP BY kind`,
      [tt.id],
    );
    expect(notices).toEqual([{ kind: 'resolved', n: 2 }]);
  });

  it('answers 404 to a merge with another comune’s report, and refuses a request', async () => {
    const bari = await form('bari', report({ address: 'Via Sparano 1, Bari' }, BARI));
    expect(bari.status).toBe(201);
    const mod = await form('modugno', report({}, ELSEWHERE));
    const req = await t.http
      .post('/api/portal/v1/comuni/modugno/requests')
      .send({ submissionId: id(), description: 'Orari ufficio tributi?', email: mail('r'), privacyConsent: true });
    const [b, m, q] = [await ticketOf(bari.body.reference), await ticketOf(mod.body.reference), await ticketOf(req.body.reference)];
    expect((await t.http.post(`/api/tickets/${m.id}/merge`).set(auth(sup)).send({ into: b.id })).status).toBe(404);
    expect((await t.http.post(`/api/tickets/${b.id}/merge`).set(auth(sup)).send({ into: m.id })).status).toBe(404);
    expect((await t.http.post(`/api/tickets/${b.id}/merge`).set(auth(bariSup)).send({ into: m.id })).status).toBe(404);
    expect((await t.http.post(`/api/tickets/${m.id}/merge`).set(auth(sup)).send({ into: q.id })).status).toBe(400);
    expect((await ticketOf(mod.body.reference)).status).toBe('new');
  });

  it('shows the public map and list without personal data, with only the photos an operator published', async () => {
    const secret = 'Descrizione privata 9c1e';
    const r = await form('modugno', report({ category: 'illuminazione', description: secret, name: 'Giuseppe Verdi' }, ELSEWHERE), [
      ['photos', JPEG, 'lampione.jpg'],
      ['photos', PNG, 'lampione-2.png'],
    ]);
    const tk = await ticketOf(r.body.reference);
    const [pub, priv] = await t.ds.query(
      `SELECT a.id::text FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1 ORDER BY a.id`,
      [tk.id],
    );
    // Another comune's operator cannot publish it.
    expect((await t.http.patch(`/api/tickets/${tk.id}/attachments/${pub.id}`).set(auth(bariSup)).send({ public: true })).status).toBe(404);
    await t.http.patch(`/api/tickets/${tk.id}/attachments/${pub.id}`).set(auth(sup)).send({ public: true }).expect(200);

    const bbox = `${ELSEWHERE.lon - 0.01},${ELSEWHERE.lat - 0.01},${ELSEWHERE.lon + 0.01},${ELSEWHERE.lat + 0.01}`;
    const map = await t.http.get(`/api/portal/v1/comuni/modugno/reports/map?bbox=${bbox}&category=illuminazione&state=open`).expect(200);
    const mine = map.body.reports.find((x: any) => x.reference === r.body.reference);
    expect(mine).toEqual({
      reference: r.body.reference,
      category: 'illuminazione',
      state: 'received',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      resolvedAt: null,
      address: 'Via Roma 10, Modugno',
      lat: ELSEWHERE.lat,
      lon: ELSEWHERE.lon,
      photos: [{ url: `/api/portal/v1/attachments/${pub.id}` }],
    });
    const json = JSON.stringify(map.body);
    for (const personal of [secret, 'Giuseppe', '@esempio.it', '333', '+39']) expect(json).not.toContain(personal);
    expect(map.body.reports.every((x: any) => x.category === 'illuminazione')).toBe(true);
    await t.http.get(`/api/portal/v1/attachments/${pub.id}`).expect(200);
    expect((await t.http.get(`/api/portal/v1/attachments/${priv.id}`)).status).toBe(404);
    // Outside the box, nothing; a resolved filter does not show it.
    const away = await t.http.get(`/api/portal/v1/comuni/modugno/reports/map?bbox=16.70,41.00,16.71,41.01`).expect(200);
    expect(away.body.reports).toEqual([]);
    const res = await t.http.get(`/api/portal/v1/comuni/modugno/reports/map?bbox=${bbox}&state=resolved`).expect(200);
    expect(res.body.reports.map((x: any) => x.reference)).not.toContain(r.body.reference);
    expect((await t.http.get(`/api/portal/v1/comuni/modugno/reports/map?bbox=1,2,3`)).body.fields[0].field).toBe('bbox');
    // Bari's map does not show Modugno's reports.
    const bari = await t.http.get(`/api/portal/v1/comuni/bari/reports/map?state=all`).expect(200);
    expect(bari.body.reports.map((x: any) => x.reference).some((x: string) => x.startsWith('MOD-'))).toBe(false);

    // The list form: the same filters, paged.
    const p1 = await t.http.get(`/api/portal/v1/comuni/modugno/reports?state=all&pageSize=2&page=1`).expect(200);
    const p2 = await t.http.get(`/api/portal/v1/comuni/modugno/reports?state=all&pageSize=2&page=2`).expect(200);
    expect(p1.body.reports).toHaveLength(2);
    expect(p1.body.hasMore).toBe(true);
    expect(p2.body.reports.map((x: any) => x.reference)).not.toEqual(expect.arrayContaining(p1.body.reports.map((x: any) => x.reference)));
    const listed = await t.http.get(`/api/portal/v1/comuni/modugno/reports?category=illuminazione&bbox=${bbox}`).expect(200);
    expect(listed.body.reports.map((x: any) => x.reference)).toContain(r.body.reference);

    // The map's filters: received apart from in progress, and a period (sent since a date).
    const refs = async (qs: string) =>
      ((await t.http.get(`/api/portal/v1/comuni/modugno/reports?bbox=${bbox}&${qs}`).expect(200)).body.reports as any[]).map(
        (x) => x.reference,
      );
    expect(await refs('state=received')).toContain(r.body.reference);
    expect(await refs('state=in_progress')).not.toContain(r.body.reference);
    await t.http.patch(`/api/tickets/${tk.id}`).set(auth(sup)).send({ status: 'open' }).expect(200);
    expect(await refs('state=in_progress')).toContain(r.body.reference);
    expect(await refs('state=received')).not.toContain(r.body.reference);
    const today = new Date().toISOString().slice(0, 10);
    expect(await refs(`state=all&since=${today}`)).toContain(r.body.reference);
    expect(await refs('state=all&since=2999-01-01')).toEqual([]);
    const bad = await t.http.get(`/api/portal/v1/comuni/modugno/reports?since=31-12-2025`);
    expect([bad.status, bad.body.fields[0].field]).toEqual([400, 'since']);
    expect((await t.http.get(`/api/portal/v1/comuni/modugno/reports/map?state=aperte`)).body.fields[0].field).toBe('state');
  });

  it('throttles wrong reference/e-mail pairs per address: 429 with Retry-After', async () => {
    let last: any;
    for (let i = 0; i < 15; i++) {
      last = await t.http
        .post('/api/portal/v1/cases/lookup')
        .send({ reference: `MOD-2026-${String(100000 + i)}`, email: 'guess@esempio.it' });
      if (last.status === 429) break;
      expect(last.status).toBe(404);
    }
    expect(last.status).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });
});
